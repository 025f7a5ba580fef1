"""The loaders stream: over a generated document of hundreds of thousands of lines, the Python heap's
peak (tracemalloc) stays at a few batches' worth and does not grow with the file.

The batches' writes are stubbed (the database side is the benchmark's, bench/b7_report_load.py):
what is measured is what the loader itself holds."""

from __future__ import annotations

import json
import tracemalloc
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest

from app.reports.catalogue import LoadTarget, get_kind
from app.reports.loaders import BATCH_ROWS
from app.reports.rows_repository import ReportRowsRepository
from tests.reports.test_flat_file_loaders import LISTINGS_HEADER, listing

MB = 1024 * 1024


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    counts: list[int] = []

    async def upsert(self: Any, spec: Any, *args: Any) -> int:
        rows: Sequence[Any] = args[-1]
        counts.append(len(rows))
        return len(rows)

    async def sweep_snapshot(self: Any, *args: Any) -> int:
        return 0

    monkeypatch.setattr(ReportRowsRepository, "upsert", upsert)
    monkeypatch.setattr(ReportRowsRepository, "sweep_snapshot", sweep_snapshot)
    return counts


@asynccontextmanager
async def no_database() -> AsyncIterator[Any]:
    yield None


TARGET = LoadTarget(uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), ("ATVPDKIKX0DER",), None, None)


async def listings_document(lines: int) -> AsyncIterator[bytes]:
    """A listings file of `lines` SKUs, 64 kB at a time, as storage hands it out."""
    pending = [LISTINGS_HEADER]
    size = 0
    for n in range(lines):
        line = listing(f"SKU-{n:08d}", f"{n % 500}.99", str(n % 40))
        pending.append(line)
        size += len(line)
        if size > 64 * 1024:
            yield ("\n".join(pending) + "\n").encode()
            pending, size = [], 0
    yield ("\n".join(pending) + "\n").encode()


async def peak_of(lines: int) -> tuple[int, int]:
    kind = get_kind("GET_MERCHANT_LISTINGS_ALL_DATA")
    assert kind.loader is not None
    tracemalloc.start()
    try:
        loaded = await kind.loader.load(no_database, TARGET, listings_document(lines), "report")
        return loaded, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def test_a_listings_file_of_200000_lines_loads_in_a_bounded_heap(written: list[int]) -> None:
    loaded, peak = await peak_of(200_000)
    assert loaded == 200_000 and sum(written) == 200_000
    assert max(written) == BATCH_ROWS  # batches, never the file
    # The file is ~50 MB of text; the loader holds a few batches of rows (~10 MB measured with
    # batches of 5,000).
    assert peak < 32 * MB, f"peak {peak / MB:.1f} MB"
    small_loaded, small_peak = await peak_of(20_000)
    assert small_loaded == 20_000
    assert peak < small_peak * 1.5 + 2 * MB, (peak, small_peak)  # ten times the file, not ten times the heap


async def sales_traffic_document(asins: int) -> AsyncIterator[bytes]:
    yield b'{"reportSpecification": {"reportType": "GET_SALES_AND_TRAFFIC_REPORT",'
    yield b'"dataStartTime": "2026-01-01",'
    yield b'"dataEndTime": "2026-01-31", "marketplaceIds": ["ATVPDKIKX0DER"]},'
    yield b'"salesAndTrafficByDate": [], "salesAndTrafficByAsin": ['
    for n in range(asins):
        element = {
            "parentAsin": f"B0P{n:07d}",
            "childAsin": f"B0C{n:07d}",
            "salesByAsin": {
                "unitsOrdered": n % 9,
                "orderedProductSales": {"amount": 9.99, "currencyCode": "USD"},
                "totalOrderItems": 1,
            },
            "trafficByAsin": {"sessions": 10, "pageViews": 20, "buyBoxPercentage": 99.5},
        }
        yield (("," if n else "") + json.dumps(element)).encode()
    yield b"]}"


async def test_a_sales_and_traffic_document_of_50000_asins_streams(written: list[int]) -> None:
    kind = get_kind("GET_SALES_AND_TRAFFIC_REPORT")
    assert kind.loader is not None
    tracemalloc.start()
    try:
        loaded = await kind.loader.load(no_database, TARGET, sales_traffic_document(50_000), "report")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert loaded == 50_000 and max(written) == BATCH_ROWS
    assert peak < 32 * MB, f"peak {peak / MB:.1f} MB"
