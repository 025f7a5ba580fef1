"""All SQL that writes orders and order items: bulk upserts for the sync (reads: read_repository.py).

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

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

import psycopg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import psycopg_connection
from app.orders import sales_repository
from app.orders.rows import ItemRow, MappedOrders, OrderRow

BATCH_SIZE = 5000


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


@dataclass(frozen=True)
class Written:
    """What one `OrderRepository.upsert` did to the orders and to their item lines."""

    orders: UpsertCounts = UpsertCounts()
    items: UpsertCounts = UpsertCounts()


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
    # The orders of the batch are looked up one by one through the unique index (tenant,
    # connection, amazon_order_id): the LIMIT keeps the planner from turning the lookups into a
    # join, which with a backfill's stale statistics read every order of the tenant and of the
    # connection through two other indexes (a fifth of the statement's time, measured with
    # bench/b2_ingest.py).
    return f"""
        WITH o AS MATERIALIZED (
            SELECT o.* FROM unnest(%(order_ids)s::text[]) AS k(amazon_order_id)
            CROSS JOIN LATERAL (
                SELECT id, amazon_order_id, last_update_date, source, marketplace_id, purchase_date
                FROM orders
                WHERE tenant_id = %(tenant_id)s AND connection_id = %(connection_id)s
                  AND amazon_order_id = k.amazon_order_id
                LIMIT 1
            ) o
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
        RETURNING (xmax = 0) AS inserted, order_id
        )
        SELECT o.marketplace_id, (o.purchase_date AT TIME ZONE 'UTC')::date AS day,
               count(*) FILTER (WHERE w.inserted), count(*)
        FROM written w JOIN o ON o.id = w.order_id GROUP BY 1, 2
    """


# The day totals of every (tenant, connection, marketplace, UTC day) an upsert changed are
# recomputed from the orders of that day: always equal to the orders table, whatever changed
# (a new order, a status or a total), with work bounded by the orders of the days touched. An
# order's marketplace and purchase date never change at Amazon, so its old day is its new day.
# The recompute finds a day's orders through (connection, marketplace, purchase date). Its tenant
# condition is written IS NOT DISTINCT FROM (the same test on a NOT NULL column) so that it stays
# a filter: as an index condition, stale statistics during a backfill let the planner pick the
# unique (tenant, connection, order id) index and read every order of the connection per day.
# The month totals of the months touched are then recomputed from the day totals (at most 31 days
# of rows each), in the same transaction.
# Two transactions recomputing the same day or month would each count only their own new orders,
# so each first takes a transaction lock per (connection, marketplace, month), in one order: under
# READ COMMITTED the recompute then runs after the other has committed and sees its orders. Sync
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
_MONTHS_TOUCHED = f"""
    SELECT DISTINCT tenant_id, connection_id, marketplace_id, date_trunc('month', day)::date AS month
    FROM ({_DAYS_TOUCHED}) d
"""
_MONTH_TOTALS_CLEAR = f"""
    DELETE FROM order_month_totals t USING ({_MONTHS_TOUCHED}) a
    WHERE t.connection_id = a.connection_id AND t.marketplace_id = a.marketplace_id
      AND t.month = a.month AND t.tenant_id = a.tenant_id
"""
_MONTH_TOTALS_FILL = f"""
    INSERT INTO order_month_totals (tenant_id, connection_id, marketplace_id, order_status, month, currency,
                                    orders, priced_orders, order_total)
    SELECT d.tenant_id, d.connection_id, d.marketplace_id, d.order_status, a.month, d.currency,
           sum(d.orders), sum(d.priced_orders), sum(d.order_total)
    FROM ({_MONTHS_TOUCHED}) a
    JOIN order_day_totals d ON d.tenant_id = a.tenant_id AND d.connection_id = a.connection_id
                           AND d.marketplace_id = a.marketplace_id
                           AND d.day >= a.month AND d.day < (a.month + interval '1 month')::date
    GROUP BY d.tenant_id, d.connection_id, d.marketplace_id, d.order_status, a.month, d.currency
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

    async def upsert(self, mapped: MappedOrders, *, batch_size: int = BATCH_SIZE) -> Written:
        """Insert or update orders and their item lines (rows from `app.orders.rows`; see the
        module docstring), then recompute the day and month totals of the days written and the
        sales per ASIN of their reporting days (`app.orders.sales_repository`).

        The totals come last because their recompute takes a transaction lock per (connection,
        marketplace, month) that is held until the commit: taken right after the orders, it made a
        concurrent unit of work on the same months wait for this one's items too (30% of the time
        of two sessions in bench/b2_ingest.py)."""
        if not mapped.orders and not mapped.items:
            return Written()
        driver = await psycopg_connection(self.session)
        orders, days = await self._upsert_orders(driver, mapped.orders, batch_size)
        items, item_days = await self._upsert_items(driver, mapped.items, batch_size)
        if days or item_days:
            await self._recompute_totals(driver, days, days | item_days)
        return Written(orders, items)

    async def _upsert_orders(
        self, driver: psycopg.AsyncConnection[Any], rows: Sequence[OrderRow], batch_size: int
    ) -> tuple[UpsertCounts, set[tuple[Any, ...]]]:
        """The orders, and the (tenant, connection, marketplace, UTC day) of every order written."""
        rows = _dedupe_orders(rows)
        counts = UpsertCounts()
        days: set[tuple[Any, ...]] = set()
        async with driver.cursor() as cursor:
            for start in range(0, len(rows), batch_size):
                batch = rows[start : start + batch_size]
                await self._stage(cursor, _ORDERS_IN, _ORDER_COLUMNS, batch)
                await cursor.execute(_ORDER_UPSERT)
                by_day = await cursor.fetchall()
                counts += _counts(sum(r[4] for r in by_day), sum(r[5] for r in by_day), len(batch))
                days.update(r[:4] for r in by_day)
        return counts, days

    async def _recompute_totals(
        self,
        driver: psycopg.AsyncConnection[Any],
        days: set[tuple[Any, ...]],
        sales_days: set[tuple[Any, ...]],
    ) -> None:
        """The day and month totals of the UTC days of orders written (`days`), and the sales per
        ASIN of the reporting days that the UTC days of orders or lines written overlap."""
        reporting = sales_repository.reporting_days(sales_days)
        # Sorted: unnest() keeps the array's order, so every transaction locks in one order. A
        # reporting day's month is locked too: the orders of one reporting day can fall in two UTC
        # months, written by two transactions that must not recompute it side by side.
        keys = sorted(
            {f"order_totals:{d[1]}:{d[2]}:{d[3]:%Y-%m}" for d in days}
            | {f"order_totals:{d[1]}:{d[2]}:{d[3]:%Y-%m}" for d in reporting}
        )
        statements: list[tuple[str, dict[str, Any]]] = []
        if days:
            columns = [list(c) for c in zip(*days, strict=True)]
            names = ("tenant_ids", "connection_ids", "marketplace_ids", "days")
            params = dict(zip(names, columns, strict=True))
            totals = (_DAY_TOTALS_CLEAR, _DAY_TOTALS_FILL, _MONTH_TOTALS_CLEAR, _MONTH_TOTALS_FILL)
            statements += [(statement, params) for statement in totals]
        if reporting:
            params = sales_repository.recompute_params(reporting)
            statements += [(statement, params) for statement in sales_repository.RECOMPUTE]
        # One round trip for every statement; the server still runs them in order, so the
        # recomputes' snapshots are taken after the lock is held, and the months' after the days'.
        async with driver.cursor() as cursor, driver.pipeline():
            await cursor.execute(_DAY_TOTALS_LOCK, {"keys": keys}, prepare=False)
            for statement, params in statements:
                await cursor.execute(statement, params, prepare=False)

    async def _upsert_items(
        self, driver: psycopg.AsyncConnection[Any], rows: Sequence[ItemRow], batch_size: int
    ) -> tuple[UpsertCounts, set[tuple[Any, ...]]]:
        """Item lines, and the (tenant, connection, marketplace, UTC day) of their orders for every
        line written; their orders are written first (`upsert`). Lines of an order version that is
        not the stored one are not written and count as unchanged."""
        counts = UpsertCounts()
        days: set[tuple[Any, ...]] = set()
        groups = _dedupe_items(rows)
        if not groups:
            return counts, days
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
                    by_day = await cursor.fetchall()
                    counts += _counts(sum(r[2] for r in by_day), sum(r[3] for r in by_day), len(batch))
                    days.update((tenant_id, connection_id, r[0], r[1]) for r in by_day)
        return counts, days

    async def delete_for_connection(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> int:
        """Every order row of one connection (retention: the seller disconnected or revoked us, or
        the data was deleted); returns the orders deleted."""
        params = {"tenant_id": tenant_id, "connection_id": connection_id}
        for statement in (
            "DELETE FROM order_address_cache c USING orders o WHERE c.tenant_id = :tenant_id"
            " AND o.tenant_id = :tenant_id AND o.id = c.order_id AND o.connection_id = :connection_id",
            "DELETE FROM order_items WHERE tenant_id = :tenant_id AND connection_id = :connection_id",
            "DELETE FROM order_day_totals WHERE tenant_id = :tenant_id AND connection_id = :connection_id",
            "DELETE FROM order_month_totals WHERE tenant_id = :tenant_id AND connection_id = :connection_id",
            "DELETE FROM order_asin_day_totals"
            " WHERE tenant_id = :tenant_id AND connection_id = :connection_id",
        ):
            await self.session.execute(text(statement), params)
        deleted = await self.session.execute(
            text("DELETE FROM orders WHERE tenant_id = :tenant_id AND connection_id = :connection_id"), params
        )
        return int(deleted.rowcount)  # type: ignore[attr-defined]
