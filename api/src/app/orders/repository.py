"""All SQL for orders and order items: bulk upserts for the sync, keyset reads for the API.

Upserts are batched `INSERT ... SELECT FROM unnest(<one array per column>) ON CONFLICT DO UPDATE
... WHERE <the incoming version wins and something changed>`: one round trip per batch, with each
column sent as one typed array (faster than executemany, and close to COPY + merge without a
temporary table; bench/b2_ingest.py measures it).

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
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.orders.mapping import ItemRow, OrderRow

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


def _build_order_upsert() -> str:
    names = [c for c, _ in _ORDER_COLUMNS]
    arrays = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in _ORDER_COLUMNS if t != "jsonb")
    select = ", ".join(f"u.{c}" if t != "jsonb" else f"CAST(u.{c} AS jsonb)" for c, t in _ORDER_COLUMNS)
    unnest_names = ", ".join(names)
    updatable = [c for c in names if c not in _ORDER_KEY]
    sets = {c: _set_expr("orders", c, _ORDER_KEEP_WHEN_NULL) for c in updatable}
    set_clause = ", ".join(f"{c} = {e}" for c, e in sets.items())
    stored = ", ".join(f"orders.{c}" for c in updatable)
    incoming = ", ".join(sets.values())
    return f"""
        INSERT INTO orders ({", ".join(names)})
        SELECT {select}
        FROM unnest({arrays}, CAST(:raw AS text[])) AS u({unnest_names})
        ON CONFLICT (tenant_id, connection_id, amazon_order_id) DO UPDATE
        SET {set_clause}, updated_at = now()
        WHERE orders.last_update_date < EXCLUDED.last_update_date
           OR (orders.last_update_date = EXCLUDED.last_update_date
               AND (EXCLUDED.source = 'api' OR orders.source = 'report')
               AND ({stored}) IS DISTINCT FROM ({incoming}))
        RETURNING (xmax = 0) AS inserted
    """


def _build_item_upsert() -> str:
    incoming_cols = [*_ITEM_COLUMNS, *_ITEM_VERSION_COLUMNS]
    arrays = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in incoming_cols if t != "jsonb")
    unnest_names = ", ".join([c for c, t in incoming_cols if t != "jsonb"] + ["raw"])
    names = [c for c, _ in _ITEM_COLUMNS]
    select = ", ".join(f"u.{c}" if t != "jsonb" else f"CAST(u.{c} AS jsonb)" for c, t in _ITEM_COLUMNS)
    updatable = [c for c in names if c not in ("tenant_id", "connection_id", "amazon_order_id", "line_key")]
    sets = {c: _set_expr("order_items", c, _ITEM_KEEP_WHEN_NULL) for c in updatable}
    set_clause = ", ".join(f"{c} = {e}" for c, e in sets.items())
    stored = ", ".join(f"order_items.{c}" for c in updatable)
    incoming = ", ".join(sets.values())
    return f"""
        INSERT INTO order_items (order_id, {", ".join(names)})
        SELECT o.id, {select}
        FROM unnest({arrays}, CAST(:raw AS text[])) AS u({unnest_names})
        JOIN orders o
          ON o.tenant_id = u.tenant_id
         AND o.connection_id = u.connection_id
         AND o.amazon_order_id = u.amazon_order_id
        WHERE o.last_update_date = u.order_last_update_date
          AND (u.source = 'api' OR o.source = u.source)
        ON CONFLICT (tenant_id, order_id, line_key) DO UPDATE
        SET {set_clause}, updated_at = now()
        WHERE ({stored}) IS DISTINCT FROM ({incoming})
        RETURNING (xmax = 0) AS inserted
    """


_ORDER_UPSERT = _build_order_upsert()
_ITEM_UPSERT = _build_item_upsert()


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal | datetime | uuid.UUID):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _dumps(value: Any) -> str:
    return json.dumps(value or {}, separators=(",", ":"), default=_json_default)


def _columns(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]]) -> dict[str, list[Any]]:
    params: dict[str, list[Any]] = {}
    for name, pg_type in columns:
        if pg_type == "jsonb":
            params[name] = [_dumps(r.get(name)) for r in rows]
        else:
            params[name] = [r.get(name) for r in rows]
    return params


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


def _dedupe_items(rows: Sequence[ItemRow]) -> list[ItemRow]:
    best: dict[tuple[Any, ...], ItemRow] = {}
    for row in rows:
        key = (row["tenant_id"], row["connection_id"], row["amazon_order_id"], row["line_key"])
        held = best.get(key)
        if held is None or (row["order_last_update_date"], row["source"] == "api") >= (
            held["order_last_update_date"],
            held["source"] == "api",
        ):
            best[key] = row
    return list(best.values())


def _counts(flags: Sequence[bool], batch: int) -> UpsertCounts:
    inserted = sum(1 for f in flags if f)
    updated = len(flags) - inserted
    return UpsertCounts(inserted, updated, batch - inserted - updated)


class OrderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- sync writes ---------------------------------------------------------------------------

    async def upsert_orders(self, rows: Sequence[OrderRow], *, batch_size: int = BATCH_SIZE) -> UpsertCounts:
        """Insert or update orders (rows from `app.orders.mapping`); see the module docstring."""
        rows = _dedupe_orders(rows)
        counts = UpsertCounts()
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            result = await self.session.execute(text(_ORDER_UPSERT), _columns(batch, _ORDER_COLUMNS))
            counts += _counts([bool(r[0]) for r in result.all()], len(batch))
        return counts

    async def upsert_items(self, rows: Sequence[ItemRow], *, batch_size: int = BATCH_SIZE) -> UpsertCounts:
        """Insert or update item lines; their orders must have been upserted first (same
        transaction is fine). Lines of an order version that is not the stored one count as
        unchanged and are not written."""
        rows = _dedupe_items(rows)
        counts = UpsertCounts()
        columns = (*_ITEM_COLUMNS, *_ITEM_VERSION_COLUMNS)
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            result = await self.session.execute(text(_ITEM_UPSERT), _columns(batch, columns))
            counts += _counts([bool(r[0]) for r in result.all()], len(batch))
        return counts


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
