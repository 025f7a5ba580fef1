"""The cell converters read what Amazon writes, and never fail a load on a cell they cannot read;
the flat-file reader splits lines anywhere across chunks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from app.reports.catalogue import LoadTarget, get_kind
from app.reports.parsers import to_bool, to_date, to_datetime, to_decimal, to_int, tsv
from app.reports.row_mapping import period_end
from tests.reports.conftest import stream


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("19.99", Decimal("19.99")),
        ("-14.25", Decimal("-14.25")),
        ("1,234.50", Decimal("1234.50")),
        ("1.234,50", Decimal("1234.50")),  # settlement V2 in EU marketplaces
        ("95,00", Decimal("95.00")),
        ("1,234", Decimal("1234")),
        ("$12.00", Decimal("12.00")),
        ("", None),
        ("N/A", None),
        ("--", None),
        ("NaN", None),
        ("Infinity", None),
        (12, Decimal(12)),
        (0.1, Decimal("0.1")),
    ],
)
def test_to_decimal(text: object, expected: Decimal | None) -> None:
    assert to_decimal(text) == expected


def test_integers_and_booleans() -> None:
    assert [to_int(v) for v in ("7", "", "1,200", "3.0", "x", 4.0)] == [7, None, 1200, 3, None, 4]
    assert [to_bool(v) for v in ("Yes", "No", "y", "TRUE", "false", "", "maybe")] == [
        True, False, True, True, False, None, None,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-01T08:00:00+00:00", datetime(2026, 3, 1, 8, tzinfo=UTC)),
        ("2026-03-01T08:00:00Z", datetime(2026, 3, 1, 8, tzinfo=UTC)),
        ("2026-03-01 08:00:00 UTC", datetime(2026, 3, 1, 8, tzinfo=UTC)),
        ("2023-01-12 08:10:12 PST", datetime(2023, 1, 12, 8, 10, 12, tzinfo=timezone(timedelta(hours=-8)))),
        ("08.03.2021 14:23:27 UTC", datetime(2021, 3, 8, 14, 23, 27, tzinfo=UTC)),
        ("03/08/2021", datetime(2021, 3, 8, tzinfo=UTC)),
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
        ("", None),
        ("soon", None),
    ],
)
def test_to_datetime(text: str, expected: datetime | None) -> None:
    assert to_datetime(text) == expected


def test_to_date() -> None:
    assert to_date("2026-03-04") == date(2026, 3, 4)
    assert to_date("2026-03-04T23:00:00+00:00") == date(2026, 3, 4)
    assert to_date("04.03.2026 10:00:00 UTC") == date(2026, 3, 4)
    assert to_date("") is None


async def test_tsv_reads_lines_cut_anywhere_with_crlf_and_a_bom() -> None:
    document = "\ufeffSKU\tPrice\r\nA-1\t1.00\r\n\r\nB-2\t\u00e9t\u00e9\r\nC-3".encode()
    for size in (1, 2, 3, 5, 64):
        rows = [row async for row in tsv(stream(document, size))]
        assert rows == [["sku", "price"], ["A-1", "1.00"], ["B-2", "\u00e9t\u00e9"], ["C-3"]], size


async def test_flat_file_loaders_refuse_data_kiosk_documents() -> None:
    kind = get_kind("GET_MERCHANT_LISTINGS_ALL_DATA")
    assert kind.loader is not None
    target = LoadTarget(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), (), None, None)

    def unused() -> object:
        raise AssertionError("no unit of work for a refused document")

    with pytest.raises(ValueError, match="Reports API only"):
        await kind.loader.load(unused, target, stream(b"x"), "datakiosk")  # type: ignore[arg-type]


def test_a_reports_period_ends_where_its_granularity_says() -> None:
    assert period_end(date(2026, 3, 4), "DAY") == date(2026, 3, 4)
    assert period_end(date(2026, 3, 1), "WEEK") == date(2026, 3, 7)  # Sunday to Saturday
    assert period_end(date(2026, 2, 1), "MONTH") == date(2026, 2, 28)
    assert period_end(date(2028, 2, 1), "MONTH") == date(2028, 2, 29)
