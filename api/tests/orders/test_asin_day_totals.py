"""Sales per ASIN and reporting day (`order_asin_day_totals`): kept by the orders upsert equal to
the order lines, in each marketplace's reporting time zone, through new orders, cancellations and
lines written after their order."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.orders.orders_api_mapping import order_rows_from_2026
from app.orders.repository import OrderRepository
from app.orders.rows import MappedOrders
from app.orders.sales_repository import reporting_days
from tests.factories.connections import Seller
from tests.factories.orders import order_2026, store_order

US, JP, UNKNOWN = "ATVPDKIKX0DER", "A1VC38T7YXB528", "AZZZZZZZZZZZZZ"
ZONES = {US: ZoneInfo("America/Los_Angeles"), JP: ZoneInfo("Asia/Tokyo")}
Kept = dict[tuple[str, date, str, str], tuple[Decimal, int]]


async def kept(session: AsyncSession, seller: Seller) -> Kept:
    rows = await session.execute(
        text(
            "SELECT marketplace_id, day, asin, currency, sales, units FROM order_asin_day_totals"
            " WHERE tenant_id = :t AND connection_id = :c"
        ),
        {"t": seller.tenant_id, "c": seller.connection_id},
    )
    return {(r[0], r[1], r[2], r[3]): (r[4], r[5]) for r in rows}


class Book:
    """The orders as stored, and the sales per ASIN and reporting day they make."""

    def __init__(self) -> None:
        self.orders: dict[str, tuple[str, datetime, str, str, list[tuple[str, Decimal, int]]]] = {}

    def add(self, order_id: str, marketplace: str, purchased: datetime, lines: list[tuple[str, Decimal, int]],
            status: str = "SHIPPED", currency: str = "USD") -> None:  # fmt: skip
        self.orders[order_id] = (marketplace, purchased, status, currency, lines)

    def expected(self) -> Kept:
        sums: dict[tuple[str, date, str, str], list[Decimal | int]] = defaultdict(lambda: [Decimal(0), 0])
        for marketplace, purchased, status, currency, lines in self.orders.values():
            if status == "CANCELLED" or marketplace not in ZONES:
                continue
            day = purchased.astimezone(ZONES[marketplace]).date()
            for asin, price, quantity in lines:
                total = sums[(marketplace, day, asin, currency)]
                total[0] += price * quantity
                total[1] += quantity
        return {k: (Decimal(v[0]), int(v[1])) for k, v in sums.items()}


async def store(session: AsyncSession, seller: Seller, book: Book, order_id: str) -> None:
    marketplace, purchased, status, currency, lines = book.orders[order_id]
    await store_order(
        session, seller.tenant_id, seller.connection_id, order_id, purchased=purchased, status=status,
        marketplace_id=marketplace, currency=currency,
        lines=[(asin, f"SKU-{asin}", price, quantity) for asin, price, quantity in lines],
    )  # fmt: skip


async def test_kept_equal_to_the_lines_in_each_marketplaces_time_zone(
    session: AsyncSession, seller: Seller
) -> None:
    book = Book()
    # 07:30 UTC is the evening before in Los Angeles and the afternoon in Tokyo; 15:30 UTC is the
    # same day in Los Angeles and already the next day in Tokyo.
    for n, hour in enumerate((7, 8, 15, 16)):
        purchased = datetime(2026, 3, 1, hour, 30, tzinfo=UTC)
        book.add(f"111-000000{n}", US, purchased, [("B0A", Decimal("10.00"), 1), ("B0B", Decimal("2.50"), 2)])
        book.add(f"112-000000{n}", JP, purchased, [("B0A", Decimal("1000"), 1)], currency="JPY")
    book.add("113-0000001", US, datetime(2026, 3, 2, 12, tzinfo=UTC), [("B0A", Decimal(99), 1)], "CANCELLED")
    book.add("114-0000001", UNKNOWN, datetime(2026, 3, 2, 12, tzinfo=UTC), [("B0A", Decimal(5), 1)])
    for order_id in book.orders:
        await store(session, seller, book, order_id)
    found = await kept(session, seller)
    assert found == book.expected()
    assert {day for (_, day, _, _) in found} == {date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)}

    # Canceled later: its day is recomputed without it.
    marketplace, purchased, _, _, lines = book.orders["111-0000002"]
    book.add("111-0000002", marketplace, purchased, lines, "CANCELLED")
    await store(session, seller, book, "111-0000002")
    assert await kept(session, seller) == book.expected()

    # The same orders again: nothing changes.
    for order_id in book.orders:
        await store(session, seller, book, order_id)
    assert await kept(session, seller) == book.expected()


async def test_a_line_written_after_its_order_counts(session: AsyncSession, seller: Seller) -> None:
    """Lines of a stored order version can come in a later upsert of their own (v0 asks for the
    items of an order separately): their day is recomputed though no order row changed."""
    purchased = datetime(2026, 3, 5, 3, tzinfo=UTC)
    payload = order_2026("111-0000009", updated="2026-03-05T04:00:00Z")
    payload["createdTime"] = "2026-03-05T03:00:00Z"
    mapped = order_rows_from_2026([payload], seller.tenant_id, seller.connection_id)
    line = dict(mapped.items[0])
    await OrderRepository(session).upsert(MappedOrders(orders=mapped.orders, items=[]))
    assert await kept(session, seller) == {}
    written = await OrderRepository(session).upsert(MappedOrders(orders=[], items=[line]))  # type: ignore[list-item]
    assert written.items.inserted == 1
    day = purchased.astimezone(ZONES[US]).date()
    assert await kept(session, seller) == {(US, day, line["asin"], "USD"): (line["item_price"], 2)}


def test_a_utc_day_overlaps_one_or_two_reporting_days() -> None:
    tenant, connection = uuid.uuid4(), uuid.uuid4()
    day = date(2026, 3, 31)
    found = reporting_days([(tenant, connection, US, day), (tenant, connection, UNKNOWN, day)])
    assert found == {
        (tenant, connection, US, day - timedelta(days=1)): "America/Los_Angeles",
        (tenant, connection, US, day): "America/Los_Angeles",
    }
    london = reporting_days([(tenant, connection, "A1F83G8C2ARO7P", date(2026, 1, 10))])
    assert list(london) == [(tenant, connection, "A1F83G8C2ARO7P", date(2026, 1, 10))]
