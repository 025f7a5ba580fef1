"""All SQL for orders and order items: bulk upserts for the sync, keyset reads for the API.

Upserts are batched: COPY a batch into a session-local temporary table, then one
`INSERT ... SELECT ... ON CONFLICT DO UPDATE ... WHERE <the incoming version wins and something
changed> RETURNING (xmax = 0)`, counted in the same statement. COPY halves the client-side cost
of sending typed arrays through `unnest()` (measured with bench/b2_ingest.py). The COPY runs on
the session's own connection, inside its transaction: nothing is committed here.

Which version wins (orders):
  * a newer `last_update_date` always wins; an older one is ignored;
  * at the same `last_update_date` the Orders API beats a report (the API has Amazon's own
    totals and item ids), a report never overwrites an API row of the same version;
  * nothing is written, and `updated_at` does not move, when the winning row equals the stored
    one (re-running a window is a no-op and counts as `unchanged`).
Columns some sources lack (coarse destination, sales channel, ship service level, flags) keep
their stored value when the incoming one is NULL, so an API refresh without the RECIPIENT block
does not erase the city a report brought.

Items are applied only when their order's version is the stored one (same `last_update_date`, and
same source unless the item comes from the API): items of an order version that lost are ignored
with it. They meet on (tenant_id, order_id, line_key): `item_line_key()` gives a report line and the
API item of the same SKU the same key, so the API refresh updates the report's line in place and
adds `order_item_id` (kept with COALESCE, so a later report cannot erase it). Lines are never
deleted by an upsert: Amazon does not remove lines from an order (a cancelled line stays, with
quantity 0), and a line that did disappear stays until its order is deleted with its connection.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from operator import itemgetter
from typing import Any

import psycopg
from psycopg.rows import dict_row
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import Connection
from app.orders.mapping import ItemRow, OrderRow
from app.orders.models import Order, OrderItem

BATCH_SIZE = 5000


@dataclass(frozen=True)
class OrderFilters:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID | None = None
    marketplace_id: str | None = None
    status: str | None = None
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


@dataclass(frozen=True)
class UpsertCounts:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertCounts) -> UpsertCounts:
        return UpsertCounts(
            self.inserted + other.inserted, self.updated + other.updated, self.unchanged + other.unchanged
        )

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


# (column, postgres type) in insert order.
_ORDER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("tenant_id", "uuid"),
    ("connection_id", "uuid"),
    ("marketplace_id", "text"),
    ("amazon_order_id", "text"),
    ("purchase_date", "timestamptz"),
    ("last_update_date", "timestamptz"),
    ("order_status", "text"),
    ("fulfillment_channel", "text"),
    ("sales_channel", "text"),
    ("order_type", "text"),
    ("is_business_order", "boolean"),
    ("is_prime", "boolean"),
    ("is_replacement_order", "boolean"),
    ("currency", "text"),
    ("order_total", "numeric"),
    ("number_of_items_shipped", "integer"),
    ("number_of_items_unshipped", "integer"),
    ("ship_service_level", "text"),
    ("ship_city", "text"),
    ("ship_state_or_region", "text"),
    ("ship_postal_code", "text"),
    ("ship_country_code", "text"),
    ("source", "text"),
    ("raw", "jsonb"),
)
_ORDER_KEY = ("tenant_id", "connection_id", "amazon_order_id")
_ORDER_KEEP_WHEN_NULL = frozenset(
    {
        "sales_channel",
        "order_type",
        "is_business_order",
        "is_prime",
        "is_replacement_order",
        "ship_service_level",
        "ship_city",
        "ship_state_or_region",
        "ship_postal_code",
        "ship_country_code",
        "number_of_items_shipped",
        "number_of_items_unshipped",
    }
)

_ITEM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("tenant_id", "uuid"),
    ("connection_id", "uuid"),
    ("amazon_order_id", "text"),
    ("order_item_id", "text"),
    ("line_key", "text"),
    ("asin", "text"),
    ("seller_sku", "text"),
    ("title", "text"),
    ("quantity_ordered", "integer"),
    ("quantity_shipped", "integer"),
    ("item_price", "numeric"),
    ("item_tax", "numeric"),
    ("shipping_price", "numeric"),
    ("shipping_tax", "numeric"),
    ("promotion_discount", "numeric"),
    ("currency", "text"),
    ("raw", "jsonb"),
)
# Only in the incoming rows: the order version the items belong to.
_ITEM_VERSION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("order_last_update_date", "timestamptz"),
    ("source", "text"),
)
_ITEM_KEEP_WHEN_NULL = frozenset({"order_item_id", "asin", "seller_sku", "title", "quantity_shipped"})


def _set_expr(table: str, column: str, keep_when_null: frozenset[str]) -> str:
    if column in keep_when_null:
        return f"COALESCE(EXCLUDED.{column}, {table}.{column})"
    return f"EXCLUDED.{column}"


_ORDERS_IN = "orders_in"
_ITEMS_IN = "order_items_in"


def _temp_table(name: str, columns: Sequence[tuple[str, str]]) -> str:
    defs = ", ".join(f"{c} {_staged_type(t)}" for c, t in columns)
    # Lives as long as the database connection, emptied at every commit (and by each batch).
    return f"CREATE TEMP TABLE IF NOT EXISTS {name} ({defs}) ON COMMIT DELETE ROWS"


def _cast_staged(column: str, pg_type: str) -> str:
    return f"{column}::jsonb" if pg_type == "jsonb" else column


def _build_order_upsert() -> str:
    names = [c for c, _ in _ORDER_COLUMNS]
    updatable = [c for c in names if c not in _ORDER_KEY]
    sets = {c: _set_expr("orders", c, _ORDER_KEEP_WHEN_NULL) for c in updatable}
    set_clause = ", ".join(f"{c} = {e}" for c, e in sets.items())
    stored = ", ".join(f"orders.{c}" for c in updatable)
    incoming = ", ".join(sets.values())
    # Counted in the database: a batch answers with one row per day it wrote, not one per order.
    return f"""
        WITH written AS (
        INSERT INTO orders ({", ".join(names)})
        SELECT {", ".join(_cast_staged(c, t) for c, t in _ORDER_COLUMNS)} FROM {_ORDERS_IN}
        ON CONFLICT (tenant_id, connection_id, amazon_order_id) DO UPDATE
        SET {set_clause}, updated_at = now()
        WHERE orders.last_update_date < EXCLUDED.last_update_date
           OR (orders.last_update_date = EXCLUDED.last_update_date
               AND (EXCLUDED.source = 'api' OR orders.source = 'report')
               AND ({stored}) IS DISTINCT FROM ({incoming}))
        RETURNING (xmax = 0) AS inserted, tenant_id, connection_id, marketplace_id,
                  (purchase_date AT TIME ZONE 'UTC')::date AS day
        )
        SELECT tenant_id, connection_id, marketplace_id, day, count(*) FILTER (WHERE inserted), count(*)
        FROM written GROUP BY tenant_id, connection_id, marketplace_id, day
    """


def _build_item_upsert() -> str:
    names = [c for c, _ in _ITEM_COLUMNS]
    updatable = [c for c in names if c not in ("tenant_id", "connection_id", "amazon_order_id", "line_key")]
    sets = {c: _set_expr("order_items", c, _ITEM_KEEP_WHEN_NULL) for c in updatable}
    set_clause = ", ".join(f"{c} = {e}" for c, e in sets.items())
    stored = ", ".join(f"order_items.{c}" for c in updatable)
    incoming = ", ".join(sets.values())
    # The orders of the batch are looked up through the unique index (tenant, connection,
    # amazon_order_id = ANY(...)), never by scanning orders.
    return f"""
        WITH o AS MATERIALIZED (
            SELECT id, amazon_order_id, last_update_date, source FROM orders
            WHERE tenant_id = %(tenant_id)s AND connection_id = %(connection_id)s
              AND amazon_order_id = ANY(%(order_ids)s)
        ), written AS (
        INSERT INTO order_items (order_id, {", ".join(names)})
        SELECT o.id, {", ".join(_cast_staged(f"u.{c}", t) for c, t in _ITEM_COLUMNS)}
        FROM {_ITEMS_IN} u
        JOIN o ON o.amazon_order_id = u.amazon_order_id
        WHERE o.last_update_date = u.order_last_update_date
          AND (u.source = 'api' OR o.source = u.source)
        ON CONFLICT (tenant_id, order_id, line_key) DO UPDATE
        SET {set_clause}, updated_at = now()
        WHERE ({stored}) IS DISTINCT FROM ({incoming})
        RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted), count(*) FROM written
    """


# The day totals of every (tenant, connection, marketplace, UTC day) an upsert changed are
# recomputed from the orders of that day: always equal to the orders table, whatever changed
# (a new order, a status or a total), with work bounded by the orders of the days touched.
# The recompute finds a day's orders through (connection, marketplace, purchase date). Its tenant
# condition is written IS NOT DISTINCT FROM (the same test on a NOT NULL column) so that it stays
# a filter: as an index condition, stale statistics during a backfill let the planner pick the
# unique (tenant, connection, order id) index and read every order of the connection per day.
# Two transactions recomputing the same day would each count only their own new orders, so each
# first takes a transaction lock per (connection, marketplace, day), in one order: under READ
# COMMITTED the recompute then runs after the other has committed and sees its orders. Sync
# runs own one (connection, marketplace) each and never wait on each other here.
_DAY_TOTALS_LOCK = """
    SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(%(keys)s::text[]) AS k
"""
_DAYS_TOUCHED = """
    SELECT DISTINCT * FROM unnest(%(tenant_ids)s::uuid[], %(connection_ids)s::uuid[],
                                  %(marketplace_ids)s::text[], %(days)s::date[])
        AS a(tenant_id, connection_id, marketplace_id, day)
"""
_DAY_TOTALS_CLEAR = f"""
    DELETE FROM order_day_totals t USING ({_DAYS_TOUCHED}) a
    WHERE t.connection_id = a.connection_id AND t.marketplace_id = a.marketplace_id
      AND t.day = a.day AND t.tenant_id = a.tenant_id
"""
_DAY_TOTALS_FILL = f"""
    INSERT INTO order_day_totals (tenant_id, connection_id, marketplace_id, order_status, day, currency,
                                  orders, priced_orders, order_total)
    SELECT o.tenant_id, o.connection_id, o.marketplace_id, o.order_status, a.day, coalesce(o.currency, ''),
           count(*), count(o.order_total), coalesce(sum(o.order_total), 0)
    FROM ({_DAYS_TOUCHED}) a
    JOIN orders o ON o.connection_id = a.connection_id AND o.marketplace_id = a.marketplace_id
                 AND o.tenant_id IS NOT DISTINCT FROM a.tenant_id
                 AND o.purchase_date >= a.day::timestamp AT TIME ZONE 'UTC'
                 AND o.purchase_date < (a.day + 1)::timestamp AT TIME ZONE 'UTC'
    GROUP BY o.tenant_id, o.connection_id, o.marketplace_id, o.order_status, a.day, coalesce(o.currency, '')
"""
_ORDER_UPSERT = _build_order_upsert()
_ITEM_UPSERT = _build_item_upsert()
_ITEM_INCOMING = (*_ITEM_COLUMNS, *_ITEM_VERSION_COLUMNS)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal | datetime | uuid.UUID):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


# One encoder for every row: json.dumps() with options builds a new encoder per call.
_JSON = json.JSONEncoder(separators=(",", ":"), default=_json_default)


def _staged_type(pg_type: str) -> str:
    return "text" if pg_type == "jsonb" else pg_type


def _dedupe_orders(rows: Sequence[OrderRow]) -> list[OrderRow]:
    """One row per key (ON CONFLICT cannot touch a row twice): the version that would win."""
    best: dict[tuple[Any, ...], OrderRow] = {}
    for row in rows:
        key = (row["tenant_id"], row["connection_id"], row["amazon_order_id"])
        held = best.get(key)
        if held is None or (row["last_update_date"], row["source"] == "api") >= (
            held["last_update_date"],
            held["source"] == "api",
        ):
            best[key] = row
    return list(best.values())


def _dedupe_items(rows: Sequence[ItemRow]) -> dict[tuple[Any, Any], list[ItemRow]]:
    """One row per key, grouped by (tenant_id, connection_id)."""
    best: dict[tuple[Any, ...], ItemRow] = {}
    for row in rows:
        key = (row["tenant_id"], row["connection_id"], row["amazon_order_id"], row["line_key"])
        held = best.get(key)
        if held is None or (row["order_last_update_date"], row["source"] == "api") >= (
            held["order_last_update_date"],
            held["source"] == "api",
        ):
            best[key] = row
    groups: dict[tuple[Any, Any], list[ItemRow]] = {}
    for row in best.values():
        groups.setdefault((row["tenant_id"], row["connection_id"]), []).append(row)
    return groups


def _counts(inserted: int, written: int, batch: int) -> UpsertCounts:
    return UpsertCounts(inserted, written - inserted, batch - written)


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- sync writes ---------------------------------------------------------------------------

    async def _stage(
        self,
        cursor: psycopg.AsyncCursor[Any],
        table: str,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[dict[str, Any]],
    ) -> None:
        """COPY `rows` into the (emptied) temporary table `table`."""
        await cursor.execute(_temp_table(table, columns))
        await cursor.execute(f"TRUNCATE {table}")
        names = [c for c, _ in columns]
        json_at = [i for i, (_, t) in enumerate(columns) if t == "jsonb"]
        values = itemgetter(*names)
        encode = _JSON.encode
        async with cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN (FORMAT BINARY)") as copy:
            # JSON goes in as text (the staging column is text, cast once in the merge): psycopg's
            # C dumper sends a str far faster than it wraps and dumps a dict per row.
            copy.set_types([_staged_type(t) for _, t in columns])
            for row in rows:
                record = list(values(row))
                for i in json_at:
                    record[i] = encode(record[i] or {})
                await copy.write_row(record)

    async def upsert_orders(self, rows: Sequence[OrderRow], *, batch_size: int = BATCH_SIZE) -> UpsertCounts:
        """Insert or update orders (rows from `app.orders.mapping`); see the module docstring."""
        rows = _dedupe_orders(rows)
        counts = UpsertCounts()
        if not rows:
            return counts
        driver = await _driver(self.session)
        days: set[tuple[Any, ...]] = set()
        async with driver.cursor() as cursor:
            for start in range(0, len(rows), batch_size):
                batch = rows[start : start + batch_size]
                await self._stage(cursor, _ORDERS_IN, _ORDER_COLUMNS, batch)
                await cursor.execute(_ORDER_UPSERT)
                by_day = await cursor.fetchall()
                counts += _counts(sum(r[4] for r in by_day), sum(r[5] for r in by_day), len(batch))
                days.update(r[:4] for r in by_day)
            if days:
                # Sorted: unnest() keeps the array's order, so every transaction locks in one order.
                keys = sorted({f"order_day_totals:{d[1]}:{d[2]}:{d[3]}" for d in days})
                columns = [list(c) for c in zip(*days, strict=True)]
                names = ("tenant_ids", "connection_ids", "marketplace_ids", "days")
                params = dict(zip(names, columns, strict=True))
                # One round trip for the three statements; the server still runs them in order, so
                # the recompute's snapshot is taken after the lock is held.
                async with driver.pipeline():
                    await cursor.execute(_DAY_TOTALS_LOCK, {"keys": keys}, prepare=False)
                    await cursor.execute(_DAY_TOTALS_CLEAR, params, prepare=False)
                    await cursor.execute(_DAY_TOTALS_FILL, params, prepare=False)
        return counts

    async def upsert_items(self, rows: Sequence[ItemRow], *, batch_size: int = BATCH_SIZE) -> UpsertCounts:
        """Insert or update item lines; their orders must have been upserted first (the same
        transaction is fine). Lines of an order version that is not the stored one are not written
        and count as unchanged."""
        counts = UpsertCounts()
        groups = _dedupe_items(rows)
        if not groups:
            return counts
        driver = await _driver(self.session)
        async with driver.cursor() as cursor:
            for (tenant_id, connection_id), group in groups.items():
                for start in range(0, len(group), batch_size):
                    batch = group[start : start + batch_size]
                    await self._stage(cursor, _ITEMS_IN, _ITEM_INCOMING, batch)
                    params = {
                        "tenant_id": tenant_id,
                        "connection_id": connection_id,
                        "order_ids": sorted({r["amazon_order_id"] for r in batch}),
                    }
                    # Never prepared: after five runs PostgreSQL may switch to a generic plan that cannot see
                    # the batch sizes and joins the batch 10x slower (measured with bench/b2_ingest.py).
                    await cursor.execute(_ITEM_UPSERT, params, prepare=False)
                    inserted, written = await cursor.fetchone() or (0, 0)
                    counts += _counts(inserted, written, len(batch))
        return counts


_SUMMARY_SQL = ", ".join(c.key for c in SUMMARY_COLUMNS)


def _where(f: OrderFilters, *, dates: bool = True) -> tuple[str, dict[str, Any]]:
    """The filters as SQL (psycopg parameters), tenant first. Without `dates` they also apply to
    `order_day_totals`, which has the same tenant, connection, marketplace and status columns."""
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


async def _driver(session: AsyncSession) -> psycopg.AsyncConnection[Any]:
    """The session's own psycopg connection (same transaction)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert isinstance(driver, psycopg.AsyncConnection)
    return driver


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


def _totals_sql(filters: OrderFilters) -> tuple[str, dict[str, Any]] | None:
    """Count, priced count and revenue per currency; None when the range is empty.

    Whole UTC days come from `order_day_totals`; only the partial days at the edges of a date
    filter are read from the orders themselves, so the work does not grow with the seller."""
    where, params = _where(filters, dates=False)
    first_day, end_day, edges = _day_split(filters.created_after, filters.created_before)
    parts: list[str] = []
    if first_day is None or end_day is None or first_day < end_day:
        days = where
        if first_day is not None:
            days += " AND day >= %(first_day)s"
            params["first_day"] = first_day
        if end_day is not None:
            days += " AND day < %(end_day)s"
            params["end_day"] = end_day
        parts.append(
            "SELECT currency, orders AS n, priced_orders AS priced, order_total AS total "
            f"FROM order_day_totals WHERE {days}"
        )
    if edges:
        ranges = []
        for i, (low, high) in enumerate(edges):
            ranges.append(f"(purchase_date >= %(low{i})s AND purchase_date < %(high{i})s)")
            params[f"low{i}"], params[f"high{i}"] = low, high
        parts.append(
            "SELECT coalesce(currency, '') AS currency, 1 AS n, "
            "(order_total IS NOT NULL)::int AS priced, coalesce(order_total, 0) AS total "
            f"FROM orders WHERE {where} AND ({' OR '.join(ranges)})"
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

        The list is the API's hot path: it runs on the session's psycopg connection (same
        transaction) with plain dict rows, which costs a fraction of a mapped SQLAlchemy result
        (measured with bench/b4_orders_api.py)."""
        async with (await _driver(self.session)).cursor(row_factory=dict_row) as cursor:
            await cursor.execute(*_page_sql(filters, after, limit))
            return await cursor.fetchall()

    async def totals(self, filters: OrderFilters) -> Totals:
        """Exact count and sum of `order_total` per currency of the filtered set (see `_totals_sql`)."""
        query = _totals_sql(filters)
        if query is None:
            return Totals(count=0, by_currency=[])
        async with (await _driver(self.session)).cursor() as cursor:
            await cursor.execute(*query)
            return _totals_of(await cursor.fetchall())

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
