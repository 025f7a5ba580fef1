"""In-memory shapes of seeded data, kept compact so 100,000 orders fit comfortably in memory.

An :class:`Order` does not store its status: it stores a *timeline* of ``(epoch, status)`` events and the
status and ``LastUpdateDate`` seen at any instant are read from it, so orders move
Pending -> Unshipped -> Shipped (or Canceled) as wall time passes. Events in the future are invisible until
their time comes; orders whose purchase time is in the future do not exist yet. Buyer PII is not stored: it is
derived on demand from ``pii_seed`` (see :mod:`amazon_emulator.data.people`).
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field

# Internal statuses are the v0 names; the 2026-01-01 API maps them (see amazon_emulator.apis.orders_2026).
PENDING = "Pending"
UNSHIPPED = "Unshipped"
PARTIALLY_SHIPPED = "PartiallyShipped"
SHIPPED = "Shipped"
CANCELED = "Canceled"
STATUSES = (PENDING, UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, CANCELED)
# Statuses of an order whose payment cleared and that is not canceled (Amazon prices its lines from then on).
PAID = frozenset({UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED})

Timeline = tuple[tuple[float, str], ...]


@dataclass(frozen=True, slots=True)
class Marketplace:
    marketplace_id: str
    country_code: str
    name: str
    currency: str
    language: str
    domain: str
    sales_channel: str


@dataclass(frozen=True, slots=True)
class Product:
    asin: str
    sku: str
    title: str
    # Price per marketplace id, in that marketplace's currency.
    prices: dict[str, float]


@dataclass(slots=True)
class OrderItem:
    order_item_id: str
    product: Product
    quantity: int
    unit_price: float


@dataclass(slots=True)
class Order:
    amazon_order_id: str
    marketplace_id: str
    purchase_ts: float
    fulfillment_channel: str  # AFN | MFN
    items: list[OrderItem]
    timeline: Timeline  # sorted (epoch, status); the first event is the purchase
    pii_seed: int
    payment_method: str = "Other"
    is_business: bool = False
    is_prime: bool = False
    ship_service_level: str = "Std US D2D Dom"
    seller_order_id: str | None = None
    # Extra "modified" moments (admin updates that do not change the status), epoch seconds.
    touches: tuple[float, ...] = ()

    def status_at(self, ts: float) -> str | None:
        """Status at epoch ``ts``; ``None`` when the order does not exist yet."""
        status: str | None = None
        for when, value in self.timeline:
            if when > ts:
                break
            status = value
        return status

    def paid_at(self) -> float | None:
        """Epoch at which payment cleared (the first paid status); ``None`` for an order never paid."""
        return next((when for when, status in self.timeline if status in PAID), None)

    def last_update_at(self, ts: float) -> float | None:
        """Epoch of the last visible change at ``ts`` (``None`` when the order does not exist yet)."""
        last: float | None = None
        for when, _ in self.timeline:
            if when > ts:
                break
            last = when
        if last is None:
            return None
        for when in self.touches:
            if last < when <= ts:
                last = when
        return last

    def order_total(self) -> float:
        return round(sum(i.unit_price * i.quantity for i in self.items), 2)

    def units(self) -> int:
        return sum(i.quantity for i in self.items)


@dataclass
class Seller:
    """One selling partner and all its data. ``orders`` is kept sorted by purchase time."""

    selling_partner_id: str
    name: str
    store_name: str
    marketplaces: list[Marketplace]
    seed: int
    catalogue: list[Product] = field(default_factory=list)
    orders: list[Order] = field(default_factory=list)
    orders_by_id: dict[str, Order] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def marketplace_ids(self) -> list[str]:
        return [m.marketplace_id for m in self.marketplaces]

    def add_order(self, order: Order) -> None:
        """Insert keeping ``orders`` sorted by purchase time."""
        with self.lock:
            if self.orders and order.purchase_ts < self.orders[-1].purchase_ts:
                keys = [o.purchase_ts for o in self.orders]
                self.orders.insert(bisect.bisect_right(keys, order.purchase_ts), order)
            else:
                self.orders.append(order)
            self.orders_by_id[order.amazon_order_id] = order

    def purchased_between(self, start: float, end: float) -> list[Order]:
        """Orders with ``start <= purchase_ts <= end`` in purchase order (bisect, no full scan)."""
        with self.lock:
            orders = self.orders
            lo = bisect.bisect_left(orders, start, key=lambda o: o.purchase_ts)
            hi = bisect.bisect_right(orders, end, key=lambda o: o.purchase_ts)
            return orders[lo:hi]
