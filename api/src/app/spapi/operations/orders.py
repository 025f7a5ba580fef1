"""One Orders interface over Orders 2026-01-01 (default) and v0 (legacy, retiring 2027-03-27).

Sync code talks to `OrdersApi` only; `ORDERS_API_VERSION` picks the implementation. Both return the
same models, normalised to one vocabulary (statuses in the 2026 spelling, AFN/MFN channels, money
as Decimal). `raw` is Amazon's object with the PII blocks removed, so it can be stored as is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict

OrderStatus = Literal[
    "PENDING_AVAILABILITY",
    "PENDING",
    "UNSHIPPED",
    "PARTIALLY_SHIPPED",
    "SHIPPED",
    "INVOICE_UNCONFIRMED",
    "CANCELLED",
    "UNFULFILLABLE",
]

# Amazon refuses *Before values closer than 2 minutes to now; a little more absorbs clock skew.
MIN_BEFORE_AGE = timedelta(minutes=2, seconds=5)


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)
    amount: Decimal
    currency: str


class OrderItem(BaseModel):
    order_item_id: str
    asin: str | None = None
    seller_sku: str | None = None
    title: str | None = None
    quantity_ordered: int = 0
    quantity_shipped: int | None = None
    item_price: Money | None = None
    raw: dict[str, Any] = {}


class Order(BaseModel):
    amazon_order_id: str
    purchase_date: datetime
    last_update_date: datetime
    status: str
    fulfillment_channel: str | None = None  # AFN | MFN
    marketplace_id: str | None = None
    order_total: Money | None = None
    # Orders 2026-01-01 always returns items; v0 needs getOrderItems (None = not fetched).
    items: list[OrderItem] | None = None
    raw: dict[str, Any] = {}


class ShippingAddress(BaseModel):
    """Buyer PII: returned to the caller on demand, never stored, never logged."""

    model_config = ConfigDict(frozen=True)
    name: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    city: str | None = None
    state_or_region: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    phone: str | None = None
    address_type: str | None = None

    def __repr__(self) -> str:  # keep PII out of tracebacks and debug prints
        return "ShippingAddress(<redacted>)"

    __str__ = __repr__


class BuyerInfo(BaseModel):
    model_config = ConfigDict(frozen=True)
    buyer_name: str | None = None
    buyer_email: str | None = None
    buyer_company_name: str | None = None
    purchase_order_number: str | None = None

    def __repr__(self) -> str:
        return "BuyerInfo(<redacted>)"

    __str__ = __repr__


@dataclass(frozen=True)
class OrderQuery:
    """Exactly one of created_after / last_updated_after (Amazon's rule)."""

    marketplace_ids: Sequence[str]
    created_after: datetime | None = None
    created_before: datetime | None = None
    last_updated_after: datetime | None = None
    last_updated_before: datetime | None = None
    statuses: Sequence[OrderStatus] = ()
    max_results: int = 100

    def __post_init__(self) -> None:
        if (self.created_after is None) == (self.last_updated_after is None):
            raise ValueError("exactly one of created_after and last_updated_after is required")
        if self.created_after is not None and (self.last_updated_before or self.last_updated_after):
            raise ValueError("created_* and last_updated_* cannot be combined")
        latest = datetime.now(UTC) - timedelta(minutes=2)
        for before in (self.created_before, self.last_updated_before):
            if before is not None and before > latest:
                raise ValueError("*_before must be at least 2 minutes before now")
        if not 1 <= self.max_results <= 100:
            raise ValueError("max_results must be within 1..100")


@dataclass
class OrdersPage:
    orders: list[Order]
    # Give it back to `search(..., page_token=...)` to resume after a crash (24 h life in 2026).
    next_token: str | None
    created_before: datetime | None = None
    last_updated_before: datetime | None = None
    request_id: str | None = field(default=None)


def default_before(now: datetime | None = None) -> datetime:
    """The latest *_before Amazon accepts."""
    return (now or datetime.now(UTC)) - MIN_BEFORE_AGE


class OrdersApi(Protocol):
    version: str

    def search(self, query: OrderQuery, *, page_token: str | None = None) -> AsyncIterator[OrdersPage]:
        """Every page of orders matching `query` (no PII)."""
        ...

    async def get_order(self, order_id: str) -> Order: ...

    async def get_items(self, order: Order) -> list[OrderItem]:
        """The order's items (2026: already on the order; v0: getOrderItems, all pages)."""
        ...

    async def get_address(self, order_id: str) -> ShippingAddress | None:
        """Buyer PII on demand (v0: with an RDT; 2026: includedData=RECIPIENT)."""
        ...

    async def get_buyer(self, order_id: str) -> BuyerInfo | None: ...


def parse_time(value: Any) -> datetime:
    text = str(value)
    parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def money(value: Any, *, amount_key: str, currency_key: str) -> Money | None:
    if not isinstance(value, dict) or value.get(amount_key) is None:
        return None
    return Money(amount=Decimal(str(value[amount_key])), currency=str(value.get(currency_key) or ""))


def without(raw: dict[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k not in keys}
