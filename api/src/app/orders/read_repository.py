"""All SQL of the orders API's reads: the keyset-paginated list, its totals, one order and its lines.

Every query is scoped by tenant first. The list runs on the session's own psycopg connection with
plain rows (a first page sends its rows and totals statements in one pipeline); totals read whole
months from `order_month_totals`, the other whole days from `order_day_totals` (both kept by
`OrderRepository.upsert`), and only the partial days at the edges of a date filter from the
orders.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from psycopg.rows import dict_row
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import Connection
from app.db.session import psycopg_connection
from app.orders.models import Order, OrderItem
from app.spapi.operations.orders_vocabulary import OrderStatus


@dataclass(frozen=True)
class OrderFilters:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID | None = None
    marketplace_id: str | None = None
    status: OrderStatus | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@dataclass(frozen=True)
class Totals:
    count: int
    by_currency: list[tuple[str | None, int, Decimal | None]]


SUMMARY_COLUMNS = (
    Order.id,
    Order.connection_id,
    Order.amazon_order_id,
    Order.marketplace_id,
    Order.purchase_date,
    Order.last_update_date,
    Order.order_status,
    Order.fulfillment_channel,
    Order.sales_channel,
    Order.currency,
    Order.order_total,
    Order.number_of_items_shipped,
    Order.number_of_items_unshipped,
    Order.ship_city,
    Order.ship_state_or_region,
    Order.ship_postal_code,
    Order.ship_country_code,
    Order.is_business_order,
    Order.is_prime,
    Order.source,
)


_SUMMARY_SQL = ", ".join(c.key for c in SUMMARY_COLUMNS)


def _where(f: OrderFilters, *, dates: bool = True) -> tuple[str, dict[str, Any]]:
    """The filters as SQL (psycopg parameters), tenant first. Without `dates` they also apply to
    `order_day_totals` and `order_month_totals`, which have the same tenant, connection,
    marketplace and status columns."""
    clauses = ["tenant_id = %(tenant_id)s"]
    params: dict[str, Any] = {"tenant_id": f.tenant_id}
    for column, key, value, op in (
        ("connection_id", "connection_id", f.connection_id, "="),
        ("marketplace_id", "marketplace_id", f.marketplace_id, "="),
        ("order_status", "status", f.status, "="),
        ("purchase_date", "created_after", f.created_after if dates else None, ">="),
        ("purchase_date", "created_before", f.created_before if dates else None, "<"),
    ):
        if value is not None and value != "":
            clauses.append(f"{column} {op} %({key})s")
            params[key] = value
    return " AND ".join(clauses), params


def _day_split(
    after: datetime | None, before: datetime | None
) -> tuple[date | None, date | None, list[tuple[datetime, datetime]]]:
    """Split the purchase-date range [after, before) into whole UTC days [first_day, end_day)
    (None: unbounded on that side) and the partial days at its edges, as [low, high) ranges.

    A range that holds no whole day comes back as first_day >= end_day and one edge: itself."""

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=UTC)

    first_day = end_day = None
    edges: list[tuple[datetime, datetime]] = []
    if after is not None:
        first_day = after.astimezone(UTC).date()
        if after > midnight(first_day):
            first_day += timedelta(days=1)
            edges.append((after, midnight(first_day)))
    if before is not None:
        end_day = before.astimezone(UTC).date()
        if before > midnight(end_day):
            edges.append((midnight(end_day), before))
    if after is not None and before is not None and first_day is not None and end_day is not None:
        if first_day >= end_day:
            return first_day, end_day, [(after, before)] if after < before else []
    return first_day, end_day, edges


def _page_sql(
    filters: OrderFilters, after: tuple[datetime, int] | None, limit: int
) -> tuple[str, dict[str, Any]]:
    where, params = _where(filters)
    if after is not None:
        where += " AND (purchase_date, id) < (%(after_date)s, %(after_id)s)"
        params.update(after_date=after[0], after_id=after[1])
    params["limit"] = limit
    order = "ORDER BY purchase_date DESC, id DESC LIMIT %(limit)s"
    return f"SELECT {_SUMMARY_SQL} FROM orders WHERE {where} {order}", params


def _month_split(
    first_day: date | None, end_day: date | None
) -> tuple[tuple[date | None, date | None] | None, list[tuple[date, date]]]:
    """Split the whole days [first_day, end_day) (None: unbounded) into whole calendar months
    [first_month, end_month) (None when the range holds no whole month) and the days before and
    after them, as [low, high) day ranges."""
    if first_day is not None and end_day is not None and first_day >= end_day:
        return None, []
    first_month = first_day
    if first_day is not None and first_day.day != 1:
        first_month = (first_day.replace(day=1) + timedelta(days=32)).replace(day=1)
    end_month = end_day.replace(day=1) if end_day is not None else None
    if first_day is not None and end_day is not None:
        assert first_month is not None and end_month is not None
        if first_month >= end_month:
            return None, [(first_day, end_day)]
    days: list[tuple[date, date]] = []
    if first_day is not None and first_month is not None and first_day < first_month:
        days.append((first_day, first_month))
    if end_day is not None and end_month is not None and end_month < end_day:
        days.append((end_month, end_day))
    return (first_month, end_month), days


# The columns of a kept totals row (`order_day_totals`, `order_month_totals`) as the sum expects.
_KEPT_TOTALS = "SELECT currency, orders AS n, priced_orders AS priced, order_total AS total"


def _in_ranges(column: str, ranges: Sequence[tuple[Any, Any]], name: str, params: dict[str, Any]) -> str:
    """`column` in any of the [low, high) `ranges`, as SQL; the bounds go into `params`."""
    clauses = []
    for i, (low, high) in enumerate(ranges):
        clauses.append(f"({column} >= %({name}_low{i})s AND {column} < %({name}_high{i})s)")
        params[f"{name}_low{i}"], params[f"{name}_high{i}"] = low, high
    return " OR ".join(clauses)


def _totals_sql(filters: OrderFilters) -> tuple[str, dict[str, Any]] | None:
    """Count, priced count and revenue per currency; None when the range is empty.

    Whole calendar months come from `order_month_totals`, the other whole UTC days from
    `order_day_totals`, and only the partial days at the edges of a date filter from the orders
    themselves, so the work does not grow with the seller nor with the length of its history."""
    where, params = _where(filters, dates=False)
    first_day, end_day, edges = _day_split(filters.created_after, filters.created_before)
    months, days = _month_split(first_day, end_day)
    parts: list[str] = []
    if months is not None:
        month_where = where
        for bound, op, value in (("first_month", ">=", months[0]), ("end_month", "<", months[1])):
            if value is not None:
                month_where += f" AND month {op} %({bound})s"
                params[bound] = value
        parts.append(f"{_KEPT_TOTALS} FROM order_month_totals WHERE {month_where}")
    if days:
        in_days = _in_ranges("day", days, "day", params)
        parts.append(f"{_KEPT_TOTALS} FROM order_day_totals WHERE {where} AND ({in_days})")
    if edges:
        in_edges = _in_ranges("purchase_date", edges, "edge", params)
        parts.append(
            "SELECT coalesce(currency, '') AS currency, 1 AS n, "
            "(order_total IS NOT NULL)::int AS priced, coalesce(order_total, 0) AS total "
            f"FROM orders WHERE {where} AND ({in_edges})"
        )
    if not parts:
        return None
    sql = (
        "SELECT nullif(currency, ''), sum(n)::bigint, sum(priced)::bigint, sum(total) "
        f"FROM ({' UNION ALL '.join(parts)}) s GROUP BY currency HAVING sum(n) > 0"
    )
    return sql, params


def _totals_of(rows: Sequence[tuple[Any, ...]]) -> Totals:
    found = [(r[0], int(r[1]), r[3] if r[2] else None) for r in rows]
    found.sort(key=lambda r: (-r[1], r[0] or ""))
    return Totals(count=sum(r[1] for r in found), by_currency=found)


class OrderReadRepository:
    """Reads for the orders API; every query is scoped by tenant first."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(
        self, filters: OrderFilters, *, after: tuple[datetime, int] | None, limit: int
    ) -> list[dict[str, Any]]:
        """Up to `limit` summary rows, newest purchase first, strictly after the keyset `after`.

        The list is the API's hot path: it runs on the session's own psycopg connection with plain
        dict rows, which costs a fraction of a mapped SQLAlchemy result (measured with
        bench/b4_orders_api.py)."""
        async with (await psycopg_connection(self.session)).cursor(row_factory=dict_row) as cursor:
            await cursor.execute(*_page_sql(filters, after, limit))
            return await cursor.fetchall()

    async def first_page(self, filters: OrderFilters, *, limit: int) -> tuple[list[dict[str, Any]], Totals]:
        """The first `limit` rows (as `page`) and the exact count and sum of `order_total` per
        currency of the whole filtered set (see `_totals_sql`).

        Most list requests are first pages: both statements go in one pipeline, one round trip."""
        connection = await psycopg_connection(self.session)
        totals_query = _totals_sql(filters)
        page_cursor = connection.cursor(row_factory=dict_row)
        totals_cursor = connection.cursor()
        async with page_cursor, totals_cursor:
            async with connection.pipeline():
                await page_cursor.execute(*_page_sql(filters, None, limit))
                if totals_query is not None:
                    await totals_cursor.execute(*totals_query)
            rows = await page_cursor.fetchall()
            if totals_query is None:
                return rows, Totals(count=0, by_currency=[])
            return rows, _totals_of(await totals_cursor.fetchall())

    async def get(self, tenant_id: uuid.UUID, order_id: int) -> Order | None:
        stmt = select(Order).where(Order.tenant_id == tenant_id, Order.id == order_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def items(self, tenant_id: uuid.UUID, order_id: int) -> list[OrderItem]:
        stmt = (
            select(OrderItem)
            .where(OrderItem.tenant_id == tenant_id, OrderItem.order_id == order_id)
            .order_by(OrderItem.id)
        )
        return list((await self.session.execute(stmt)).scalars().all())

    async def counts_by_marketplace(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID | None = None
    ) -> dict[tuple[uuid.UUID, str], int]:
        """Orders kept per (connection, marketplace): the sync status page's "orders so far"."""
        statement = (
            select(Order.connection_id, Order.marketplace_id, func.count())
            .where(Order.tenant_id == tenant_id)
            .group_by(Order.connection_id, Order.marketplace_id)
        )
        if connection_id is not None:
            statement = statement.where(Order.connection_id == connection_id)
        return {(row[0], row[1]): int(row[2]) for row in (await self.session.execute(statement)).all()}

    async def connection(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> Connection | None:
        stmt = select(Connection).where(Connection.tenant_id == tenant_id, Connection.id == connection_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()


def encode_cursor(purchase_date: datetime, order_id: int) -> str:
    raw = json.dumps([purchase_date.isoformat(), order_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Raises ValueError on anything that is not a cursor this module made."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        when, order_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(str(when)), int(order_id)
    except Exception as exc:
        raise ValueError("invalid cursor") from exc
