"""Seeded generation of sellers, catalogues and orders (fast: 100,000 orders in well under a few seconds).

Everything derives from ``seed``: the same seed, counts and anchor time give the same data. Orders are spread
over ``months`` back from the anchor (starting one day inside the window, so none falls outside Amazon's
24-month limit during a session) and continue ``future_days`` past it at the same pace: those orders appear as
wall time reaches their purchase time. Each order gets a status timeline (see
:class:`~amazon_emulator.data.models.Order`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from amazon_emulator.data.marketplaces import PRICE_FACTOR, resolve
from amazon_emulator.data.models import (
    CANCELED,
    PARTIALLY_SHIPPED,
    PENDING,
    SHIPPED,
    UNSHIPPED,
    Marketplace,
    Order,
    OrderItem,
    Product,
    Seller,
    Timeline,
)

DAY = 86400.0
HOUR = 3600.0
MONTH = 30.4375 * DAY

_ADJ = ("Premium", "Eco", "Classic", "Ultra", "Compact", "Deluxe", "Smart", "Pro", "Vintage", "Lightweight")
_NOUN = (
    "Water Bottle", "Yoga Mat", "Phone Case", "Desk Lamp", "Backpack", "Coffee Grinder", "Notebook Set",
    "Bluetooth Speaker", "Kitchen Scale", "Cutting Board", "Travel Mug", "Pet Brush", "Garden Gloves",
    "USB-C Cable", "Wall Clock", "Throw Pillow", "Chef Knife", "Running Socks", "Bike Light", "Tea Kettle",
)  # fmt: skip
_COLOR = ("Black", "White", "Blue", "Green", "Red", "Grey", "Pink", "Teal")
_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
_SERVICE = {"MFN": ("Std US D2D Dom", "Expedited", "SecondDay"), "AFN": ("Standard", "Expedited", "NextDay")}


def _asin(rng: random.Random) -> str:
    return "B0" + "".join(rng.choice(_ALNUM) for _ in range(8))


def make_catalogue(rng: random.Random, size: int, marketplaces: Sequence[Marketplace]) -> list[Product]:
    products: list[Product] = []
    seen: set[str] = set()
    while len(products) < size:
        asin = _asin(rng)
        if asin in seen:
            continue
        seen.add(asin)
        base = round(rng.uniform(6, 140), 2)
        prices = {
            m.marketplace_id: max(1.0, round(int(base * PRICE_FACTOR.get(m.currency, 1.0)) + 0.99, 2))
            for m in marketplaces
        }
        title = f"{rng.choice(_ADJ)} {rng.choice(_NOUN)}, {rng.choice(_COLOR)}"
        sku = f"SKU-{asin[-6:]}-{len(products):04d}"
        products.append(Product(asin, sku, title, prices))
    return products


def _timeline(rng: random.Random, t0: float, channel: str, lines: int) -> Timeline:
    events = [(t0, PENDING)]
    roll = rng.random()
    if roll < 0.015:
        # Payment never clears: stays Pending for days, then Amazon cancels it.
        events.append((t0 + rng.uniform(2 * DAY, 4 * DAY), CANCELED))
        return tuple(events)
    paid = t0 + rng.uniform(120, 4 * HOUR if channel == "MFN" else HOUR)
    if roll < 0.05:
        events.append((paid, UNSHIPPED))
        events.append((paid + rng.uniform(10 * 60, DAY), CANCELED))
        return tuple(events)
    events.append((paid, UNSHIPPED))
    shipped = paid + rng.uniform(4 * HOUR, 3 * DAY)
    if channel == "MFN" and lines > 1 and rng.random() < 0.3:
        events.append(((paid + shipped) / 2, PARTIALLY_SHIPPED))
    events.append((shipped, SHIPPED))
    return tuple(events)


class OrderFactory:
    """Makes orders for one seller; keeps the rng and id set so later orders (activity) stay unique."""

    def __init__(self, seller: Seller, rng: random.Random) -> None:
        self.seller = seller
        self.rng = rng
        self.ids: set[str] = set(seller.orders_by_id)
        markets = seller.marketplaces
        # The first marketplace dominates, the others share the rest.
        self.market_weights = [0.7] + [0.3 / max(1, len(markets) - 1)] * (len(markets) - 1)
        if len(markets) == 1:
            self.market_weights = [1.0]

    def _order_id(self) -> str:
        rng = self.rng
        while True:
            a, b, c = (
                rng.randrange(111, 999),
                rng.randrange(1000000, 9999999),
                rng.randrange(1000000, 9999999),
            )
            oid = f"{a}-{b}-{c}"
            if oid not in self.ids:
                self.ids.add(oid)
                return oid

    def make(self, t0: float, market: Marketplace | None = None) -> Order:
        rng = self.rng
        seller = self.seller
        if market is None:
            market = rng.choices(seller.marketplaces, self.market_weights)[0]
        channel = "AFN" if rng.random() < 0.55 else "MFN"
        r = rng.random()
        lines = 1 if r < 0.72 else (2 if r < 0.92 else 3)
        oid = self._order_id()
        items = []
        for n in range(lines):
            product = rng.choice(seller.catalogue)
            q = rng.random()
            qty = 1 if q < 0.82 else (2 if q < 0.95 else 3)
            item_id = f"{rng.randrange(10**13, 10**14)}"
            items.append(OrderItem(item_id if n == 0 else f"{item_id[:-2]}{n:02d}", product, qty,
                                   product.prices[market.marketplace_id]))  # fmt: skip
        order = Order(
            amazon_order_id=oid,
            marketplace_id=market.marketplace_id,
            purchase_ts=t0,
            fulfillment_channel=channel,
            items=items,
            timeline=_timeline(rng, t0, channel, lines),
            pii_seed=rng.randrange(1 << 30),
            payment_method="Other",
            is_business=rng.random() < 0.06,
            is_prime=channel == "AFN" and rng.random() < 0.6,
            ship_service_level=rng.choice(_SERVICE[channel]),
        )
        if rng.random() < 0.1:
            order.seller_order_id = f"SO-{oid[-7:]}"
        return order


def generate_seller(
    selling_partner_id: str,
    *,
    marketplaces: Sequence[str],
    orders: int,
    months: int,
    seed: int,
    anchor: float,
    future_days: float = 30.0,
    name: str | None = None,
) -> tuple[Seller, OrderFactory]:
    """A seller with ``orders`` orders over ``months`` before ``anchor`` (epoch), plus future ones."""
    rng = random.Random(f"{seed}:{selling_partner_id}")
    markets = resolve(list(marketplaces))
    store = name or f"{rng.choice(_ADJ)} Goods {selling_partner_id[-4:]}"
    seller = Seller(selling_partner_id, store, store, markets, seed)
    seller.catalogue = make_catalogue(rng, max(20, min(400, orders // 40 or 20)), markets)
    factory = OrderFactory(seller, rng)
    span = max(1.0, months * MONTH - DAY)
    start = anchor - span
    # A gentle growth trend: later months have more orders (sqrt-shaped density).
    times = sorted(start + span * (rng.random() ** 0.8) for _ in range(orders))
    per_second = orders / span if orders else 0.0
    future = int(per_second * future_days * DAY)
    times += sorted(anchor + rng.random() * future_days * DAY for _ in range(future))
    all_orders = [factory.make(t) for t in times]
    seller.orders = all_orders
    seller.orders_by_id = {o.amazon_order_id: o for o in all_orders}
    return seller, factory
