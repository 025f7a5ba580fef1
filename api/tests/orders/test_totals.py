"""List totals: whole months from `order_month_totals`, other whole days from `order_day_totals`,
edge days from the orders; always exact."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.orders.orders_api_mapping import order_rows_from_2026
from app.orders.read_repository import OrderFilters, OrderReadRepository, Totals, _day_split, _month_split
from app.orders.repository import OrderRepository
from app.orders.rows import MappedOrders, OrderRow
from tests.factories.connections import Seller, make_seller
from tests.factories.orders import order_2026
from tests.orders.support import kept_totals_and_grouped_orders

# Orders span parts of four calendar months (20 Feb - 31 May), so whole months and the days
# around them are both read.
DAY0 = datetime(2026, 2, 20, tzinfo=UTC)
SPAN_DAYS = 100
MARKETPLACES = [("ATVPDKIKX0DER", "USD"), ("A2EUQ1WTGCTBG2", "CAD")]
STATUSES = ["SHIPPED", "UNSHIPPED", "PENDING", "CANCELLED"]


def varied_orders(seller: Seller, n: int, rnd: random.Random, updated: datetime) -> list[OrderRow]:
    """`n` orders over `SPAN_DAYS` days, in two marketplaces, some Pending (no total, no currency)."""
    template = order_rows_from_2026([order_2026()], seller.tenant_id, seller.connection_id).orders[0]
    rows: list[OrderRow] = []
    for k in range(n):
        marketplace, currency = MARKETPLACES[k % 2]
        status = rnd.choice(STATUSES)
        priced = status != "PENDING"
        row: dict[str, Any] = {
            **template,
            "amazon_order_id": f"113-{k:07d}-0000001",
            "purchase_date": DAY0 + timedelta(minutes=rnd.randrange(0, SPAN_DAYS * 24 * 60)),
            "last_update_date": updated,
            "marketplace_id": marketplace,
            "order_status": status,
            "currency": currency if priced else None,
            "order_total": Decimal(rnd.randrange(100, 10_000)) / 100 if priced else None,
        }
        rows.append(row)  # type: ignore[arg-type]
    return rows


async def totals_through_the_list(reads: OrderReadRepository, f: OrderFilters) -> Totals:
    """The totals as the list's first page gets them (one pipeline with the page's rows)."""
    rows, totals = await reads.first_page(f, limit=3)
    assert len(rows) == min(3, totals.count)
    return totals


async def direct_totals(session: AsyncSession, f: OrderFilters) -> Totals:
    """The same totals, counted over the orders themselves."""
    sql = "SELECT currency, count(*), sum(order_total) FROM orders WHERE tenant_id = :tenant_id"
    params: dict[str, Any] = {"tenant_id": f.tenant_id}
    if f.marketplace_id:
        sql += " AND marketplace_id = :marketplace_id"
        params["marketplace_id"] = f.marketplace_id
    if f.status:
        sql += " AND order_status = :status"
        params["status"] = f.status
    if f.created_after:
        sql += " AND purchase_date >= :after"
        params["after"] = f.created_after
    if f.created_before:
        sql += " AND purchase_date < :before"
        params["before"] = f.created_before
    rows = [
        (r[0], int(r[1]), r[2])
        for r in (await session.execute(text(sql + " GROUP BY currency"), params)).all()
    ]
    rows.sort(key=lambda r: (-r[1], r[0] or ""))
    return Totals(count=sum(r[1] for r in rows), by_currency=rows)


def random_filters(seller: Seller, rnd: random.Random) -> OrderFilters:
    def moment() -> datetime:
        day = DAY0 + timedelta(days=rnd.randrange(-1, SPAN_DAYS + 2))
        if rnd.random() < 0.2:
            day = day.replace(day=1)
        # Midnight (a whole-day boundary) as often as not.
        return day if rnd.random() < 0.4 else day + timedelta(minutes=rnd.randrange(1, 24 * 60))

    after = moment() if rnd.random() < 0.6 else None
    before = moment() if rnd.random() < 0.6 else None
    return OrderFilters(
        tenant_id=seller.tenant_id,
        marketplace_id=rnd.choice([None, MARKETPLACES[0][0], MARKETPLACES[1][0]]),
        status=rnd.choice([None, None, *STATUSES]),
        created_after=after,
        created_before=before,
    )


async def test_totals_equal_a_count_over_the_orders_for_any_filter(
    session: AsyncSession, seller: Seller
) -> None:
    rnd = random.Random(11)
    other = await make_seller(session, "Other")
    repo = OrderRepository(session)
    first = varied_orders(seller, 300, rnd, DAY0 + timedelta(days=20))
    await repo.upsert(MappedOrders(orders=first))
    # Another tenant's orders on the same days never count.
    await repo.upsert(MappedOrders(orders=varied_orders(other, 50, rnd, DAY0 + timedelta(days=20))))
    # A later version of a third of the orders: new statuses and totals (days stay the same).
    changed = varied_orders(seller, 300, random.Random(12), DAY0 + timedelta(days=21))
    for row, was in zip(changed[::3], first[::3], strict=True):
        row["purchase_date"] = was["purchase_date"]
    await repo.upsert(MappedOrders(orders=changed[::3]))

    reads = OrderReadRepository(session)
    everything = await totals_through_the_list(reads, OrderFilters(tenant_id=seller.tenant_id))
    assert everything.count == 300
    assert everything == await direct_totals(session, OrderFilters(tenant_id=seller.tenant_id))
    inside_one_day = OrderFilters(
        tenant_id=seller.tenant_id,
        created_after=DAY0 + timedelta(days=3, hours=2),
        created_before=DAY0 + timedelta(days=3, hours=20),
    )
    kinds = set()
    for filters in [inside_one_day, *(random_filters(seller, rnd) for _ in range(300))]:
        first_day, end_day, edges = _day_split(filters.created_after, filters.created_before)
        months, days = _month_split(first_day, end_day)
        kinds.add((bool(edges), first_day is not None and end_day is not None and first_day >= end_day))
        kinds.add(("months", months is not None, len(days)))
        assert await totals_through_the_list(reads, filters) == await direct_totals(session, filters), filters
    # Whole days only, with edges, and a range inside one day were all compared ...
    assert {(False, False), (True, False), (True, True)} <= kinds
    # ... and so were whole months alone, with days on one side or both, and days without a month.
    assert {("months", True, 0), ("months", True, 1), ("months", True, 2), ("months", False, 1)} <= kinds


async def test_the_day_and_month_totals_are_the_orders_grouped(session: AsyncSession, seller: Seller) -> None:
    rnd = random.Random(5)
    repo = OrderRepository(session)
    first = varied_orders(seller, 120, rnd, DAY0 + timedelta(days=20))
    await repo.upsert(MappedOrders(orders=first))
    # A later version of every other order: new statuses and totals, same purchase date (Amazon
    # never changes it).
    changed = varied_orders(seller, 120, random.Random(6), DAY0 + timedelta(days=22))[::2]
    for row, was in zip(changed, first[::2], strict=True):
        row["purchase_date"] = was["purchase_date"]
    await repo.upsert(MappedOrders(orders=changed))
    kept, grouped = await kept_totals_and_grouped_orders(session, seller.connection_id)
    assert len([row for row in grouped if row[0] == "month"]) > 8
    assert len([row for row in grouped if row[0] == "day"]) > 20
    assert kept == grouped


def test_day_split() -> None:
    at = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    d1 = at.date()
    midnight = datetime(2026, 3, 1, tzinfo=UTC)
    # Unbounded: every day, no edge.
    assert _day_split(None, None) == (None, None, [])
    # From a midnight: whole days from that day on.
    assert _day_split(midnight, None) == (d1, None, [])
    # From 10:30: the rest of that day is an edge, whole days start the next day.
    nxt = midnight + timedelta(days=1)
    assert _day_split(at, None) == (nxt.date(), None, [(at, nxt)])
    # Before 10:30: whole days end with the day before, that morning is an edge.
    assert _day_split(None, at) == (None, d1, [(midnight, at)])
    # Within one day: no whole day, the range itself is the only edge.
    later = at + timedelta(hours=2)
    assert _day_split(at, later) == (nxt.date(), d1, [(at, later)])
    # An empty range has nothing at all.
    assert _day_split(later, at)[2] == []
    # Another offset is the same instant in UTC.
    assert _day_split(datetime(2026, 3, 1, 5, 30, tzinfo=UTC).astimezone(), None)[0] == nxt.date()


def test_month_split() -> None:
    # Unbounded: every month, no day range.
    assert _month_split(None, None) == ((None, None), [])
    # From the 1st: whole months from that month on.
    assert _month_split(date(2026, 3, 1), None) == ((date(2026, 3, 1), None), [])
    # From the 15th: the rest of March day by day, whole months from April.
    assert _month_split(date(2026, 3, 15), None) == (
        (date(2026, 4, 1), None),
        [(date(2026, 3, 15), date(2026, 4, 1))],
    )
    # From December 31st: the next month is in the next year.
    assert _month_split(date(2026, 12, 31), None) == (
        (date(2027, 1, 1), None),
        [(date(2026, 12, 31), date(2027, 1, 1))],
    )
    # Up to the 10th: whole months up to that month, then its first nine days.
    assert _month_split(None, date(2026, 5, 10)) == (
        (None, date(2026, 5, 1)),
        [(date(2026, 5, 1), date(2026, 5, 10))],
    )
    # Both sides.
    assert _month_split(date(2026, 2, 20), date(2026, 5, 10)) == (
        (date(2026, 3, 1), date(2026, 5, 1)),
        [(date(2026, 2, 20), date(2026, 3, 1)), (date(2026, 5, 1), date(2026, 5, 10))],
    )
    # No whole month in between: the days only.
    assert _month_split(date(2026, 3, 5), date(2026, 4, 20)) == (
        None,
        [(date(2026, 3, 5), date(2026, 4, 20))],
    )
    assert _month_split(date(2026, 3, 1), date(2026, 3, 31)) == (
        None,
        [(date(2026, 3, 1), date(2026, 3, 31))],
    )
    # Exactly one month.
    assert _month_split(date(2026, 3, 1), date(2026, 4, 1)) == ((date(2026, 3, 1), date(2026, 4, 1)), [])
    # No whole day: nothing.
    assert _month_split(date(2026, 3, 2), date(2026, 3, 2)) == (None, [])
