"""One Orders interface over Orders 2026-01-01 (default) and v0 (legacy, retiring 2027-03-27).

Sync code talks to `OrdersApi` only; `ORDERS_API_VERSION` picks the implementation. Orders come
back as Amazon wrote them, not parsed: an `AmazonOrder` is the version's own order object minus
the buyer PII blocks, tagged with that version, and `app.orders` turns it into rows (the one place
an order payload is read). Only the on-demand buyer PII (`ShippingAddress`, `BuyerInfo`) is parsed
here: it goes to the caller and nowhere else. Statuses and channels: `orders_vocabulary`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from app.spapi.operations.orders_vocabulary import OrderStatus
from app.spapi.primitives import OrdersVersion

# Amazon refuses *Before values closer than 2 minutes to now; a little more absorbs clock skew.
MIN_BEFORE_AGE = timedelta(minutes=2, seconds=5)


@dataclass(frozen=True)
class AmazonOrder:
    """One order as the Orders API answered it.

    `payload` is the `version`'s own order object: 2026-01-01 `Order` (with its `orderItems`) or
    v0 `Order` (items apart: `OrdersApi.get_items`), without the buyer PII blocks (2026-01-01
    `buyer`, `recipient`; v0 `ShippingAddress`, `BuyerInfo`, ...). Amazon's field names, untouched.
    """

    version: OrdersVersion
    amazon_order_id: str
    payload: dict[str, Any]


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


@dataclass(frozen=True)
class OrdersPage:
    """One page of searchOrders (2026-01-01) or getOrders (v0)."""

    orders: list[AmazonOrder]
    # Give it back to `search(..., page_token=...)` to resume after a crash (24 h life in 2026).
    next_token: str | None
    # The window's end as Amazon applied it (Amazon's own answer, when it gives one).
    created_before: datetime | None = None
    last_updated_before: datetime | None = None
    request_id: str | None = None


def default_before(now: datetime | None = None) -> datetime:
    """The latest *_before Amazon accepts."""
    return (now or datetime.now(UTC)) - MIN_BEFORE_AGE


class OrdersApi(Protocol):
    version: OrdersVersion

    def search(self, query: OrderQuery, *, page_token: str | None = None) -> AsyncIterator[OrdersPage]:
        """Every page of orders matching `query` (no PII)."""
        ...

    async def get_order(self, order_id: str) -> AmazonOrder:
        """One order (no PII); 2026-01-01 with its items."""
        ...

    async def get_items(self, order_id: str) -> list[dict[str, Any]]:
        """Amazon's item objects of one order, buyer PII blocks removed. v0: getOrderItems, every
        page (the v0 sync needs it per order); 2026-01-01: getOrder's `orderItems` (the orders
        of `search` and `get_order` already carry them)."""
        ...

    async def get_address(self, order_id: str) -> ShippingAddress | None:
        """Buyer PII on demand (v0: with an RDT; 2026: includedData=RECIPIENT)."""
        ...

    async def get_buyer(self, order_id: str) -> BuyerInfo | None: ...


def without(raw: dict[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in raw.items() if k not in keys}
