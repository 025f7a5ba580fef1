"""The row shapes of `orders` and `order_items` that every Amazon source is mapped to, and the small
parsers the mappings share (pure functions, no I/O).

Three sources meet in the same two tables: the Orders API 2026-01-01 and v0
(`orders_api_mapping`) and flat-file order reports (`report_mapping`). One vocabulary whatever the
source (`app.spapi.operations.orders_vocabulary`): order status in the 2026 spelling (`SHIPPED`,
`CANCELLED`, ...), fulfillment channel `AFN` / `MFN`, money as `Decimal`, times timezone-aware
UTC. `item_price` is the price of the whole line (unit price x quantity).

PII never reaches a row: `raw` is Amazon's payload minus every buyer field (see `app.orders.pii`
and each mapping); only the coarse destination (city, state, postal code, country) becomes
columns, as the data model allows.

Item lines from every source are keyed by `item_line_key()` (see its docstring): the report line
and the API item of the same SKU in the same order get the same `line_key` and meet on
`ON CONFLICT (tenant_id, order_id, line_key)` in the repository.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import structlog

from app.orders.models import item_line_key
from app.spapi.operations.orders_vocabulary import (
    CHANNEL_FROM_AMAZON,
    ORDER_STATUSES,
    FulfillmentChannel,
    OrderStatus,
)

log = structlog.get_logger("app.orders")

OrderRow = dict[str, Any]
ItemRow = dict[str, Any]


@dataclass
class MappedOrders:
    """Rows ready for `OrderRepository.upsert`.

    Item rows carry `amazon_order_id` (and the order's `last_update_date` and `source`) instead
    of `order_id`, which the repository resolves.
    """

    orders: list[OrderRow] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)

    def extend(self, other: MappedOrders) -> None:
        self.orders.extend(other.orders)
        self.items.extend(other.items)


def order_row(tenant_id: uuid.UUID, connection_id: uuid.UUID, **values: Any) -> OrderRow:
    """An `orders` row: every column, None unless given."""
    row: OrderRow = {
        "tenant_id": tenant_id,
        "connection_id": connection_id,
        "marketplace_id": None,
        "amazon_order_id": None,
        "purchase_date": None,
        "last_update_date": None,
        "order_status": None,
        "fulfillment_channel": None,
        "sales_channel": None,
        "order_type": None,
        "is_business_order": None,
        "is_prime": None,
        "is_replacement_order": None,
        "currency": None,
        "order_total": None,
        "number_of_items_shipped": None,
        "number_of_items_unshipped": None,
        "ship_service_level": None,
        "ship_city": None,
        "ship_state_or_region": None,
        "ship_postal_code": None,
        "ship_country_code": None,
        "source": "api",
        "raw": {},
    }
    row.update(values)
    return row


def item_row(order: OrderRow, line_key: str, **values: Any) -> ItemRow:
    """An `order_items` row of `order` (see `MappedOrders` for the order's columns it carries)."""
    row: ItemRow = {
        "tenant_id": order["tenant_id"],
        "connection_id": order["connection_id"],
        "amazon_order_id": order["amazon_order_id"],
        "order_last_update_date": order["last_update_date"],
        "source": order["source"],
        "line_key": line_key,
        "order_item_id": None,
        "asin": None,
        "seller_sku": None,
        "title": None,
        "quantity_ordered": 0,
        "quantity_shipped": None,
        "item_price": None,
        "item_tax": None,
        "shipping_price": None,
        "shipping_tax": None,
        "promotion_discount": None,
        "currency": None,
        "raw": {},
    }
    row.update(values)
    return row


def line_keys(items: Sequence[tuple[str | None, str | None, str | None]]) -> list[str]:
    """`item_line_key` for each (sku, asin, order_item_id), numbering repeats within one order."""
    seen: Counter[str] = Counter()
    keys = []
    for sku, asin, item_id in items:
        base = item_line_key(sku, asin, item_id)
        seen[base] += 1
        keys.append(item_line_key(sku, asin, item_id, seen[base]))
    return keys


# ---------------------------------------------------------------------------------------------
# Small parsers (lenient: a value Amazon left empty or malformed becomes None)
# ---------------------------------------------------------------------------------------------


def decimal_or_none(value: Any) -> Decimal | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def money(value: Any, amount_key: str, currency_key: str) -> tuple[Decimal | None, str | None]:
    """(amount, currency) of an Amazon money object (`{"amount", "currencyCode"}` in 2026-01-01,
    `{"Amount", "CurrencyCode"}` in v0)."""
    if not isinstance(value, Mapping):
        return None, None
    return decimal_or_none(value.get(amount_key)), value.get(currency_key) or None


def bool_or_none(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    return None


def int_or_none(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def cut(value: Any, length: int) -> str | None:
    """Stripped text cut to the column's length; None when empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text[:length] if text else None


def order_status(value: Any, spellings: Mapping[str, OrderStatus]) -> str:
    """Amazon's status in one source's spelling -> ours. No status yet reads as PENDING. A status
    outside the vocabulary is kept, upper-cased (and logged): Amazon documents closed lists for
    both Orders APIs, so only report wording nobody has listed yet can get there."""
    text = str(value or "").strip()
    if not text:
        return "PENDING"
    known = spellings.get(text) or (text if text in ORDER_STATUSES else None)
    if known is not None:
        return known
    log.warning("orders.unknown_status", status=text[:60])
    return text.upper().replace(" - ", "_").replace(" ", "_")


def fulfillment_channel(value: Any) -> FulfillmentChannel | None:
    """Amazon's channel name in any source's spelling -> AFN / MFN; None when absent or unknown."""
    text = str(value or "").strip()
    if not text:
        return None
    channel = CHANNEL_FROM_AMAZON.get(text)
    if channel is None:
        log.warning("orders.unknown_fulfillment_channel", channel=text[:20])
    return channel
