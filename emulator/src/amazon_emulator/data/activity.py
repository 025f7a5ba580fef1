"""Changes while the emulator runs (admin activity) and the summary "truth" a sync must reproduce."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from amazon_emulator.clock import iso_ts
from amazon_emulator.data.generator import OrderFactory
from amazon_emulator.data.models import (
    CANCELED,
    PARTIALLY_SHIPPED,
    PENDING,
    SHIPPED,
    UNSHIPPED,
    Order,
    Seller,
)
from amazon_emulator.events import EventBus

_NEXT = {PENDING: UNSHIPPED, UNSHIPPED: SHIPPED, PARTIALLY_SHIPPED: SHIPPED}


def order_change_event(seller: Seller, order: Order, ts: float) -> dict[str, Any]:
    """The facts an ORDER_CHANGE notification needs (the notifications module builds the envelope)."""
    return {
        "selling_partner_id": seller.selling_partner_id,
        "amazon_order_id": order.amazon_order_id,
        "marketplace_id": order.marketplace_id,
        "order_status": order.status_at(ts),
        "fulfillment_channel": order.fulfillment_channel,
        "purchase_ts": order.purchase_ts,
        "event_ts": ts,
    }


def changes_between(seller: Seller, start: float, end: float) -> list[tuple[float, Order]]:
    """Every change with ``start < time <= end`` as ``(time, order)``, oldest first.

    Covers orders appearing (purchase), status events of the timeline and touches: what a notifications poller
    turns into ORDER_CHANGE for changes that happen by time passing rather than by admin activity.
    """
    out: list[tuple[float, Order]] = []
    with seller.lock:
        # Timelines end within a few days of purchase unless activity extended them; scan all for correctness.
        for order in seller.orders:
            if order.purchase_ts > end:
                break
            for when, _ in order.timeline:
                if start < when <= end:
                    out.append((when, order))
            for when in order.touches:
                if start < when <= end:
                    out.append((when, order))
    out.sort(key=lambda item: (item[0], item[1].amazon_order_id))
    return out


def _changed_between(order: Order, start: float, end: float) -> bool:
    return any(start < ts <= end for ts in (*(e[0] for e in order.timeline), *order.touches))


def add_activity(
    seller: Seller,
    factory: OrderFactory,
    new_orders: int,
    updates: int,
    now: float,
    events: EventBus | None = None,
    visible_until: float | None = None,
    exclude: Collection[str] = (),
) -> dict[str, list[str]]:
    """Create ``new_orders`` orders purchased at ``now`` and move ``updates`` open orders one status forward.

    When fewer open orders exist, shipped ones are "touched" (a change without a status change, as Amazon does
    for e.g. a corrected ship date), so ``LastUpdateDate`` still moves. Returns the affected order ids.
    Activity stamped in the past (``now`` before ``visible_until``, the present) leaves out the orders that
    changed between the two: moving one would take back a change Amazon already showed. Orders in
    ``exclude`` are neither moved nor touched (a test that needs the changes of two calls disjoint).
    """
    excluded = set(exclude)
    created: list[str] = []
    updated: list[str] = []
    with seller.lock:
        for n in range(new_orders):
            order = factory.make(now - n * 0.001)
            # New orders stay Pending until an update moves them, so tests can watch them change.
            order.timeline = ((order.purchase_ts, PENDING),)
            seller.add_order(order)
            created.append(order.amazon_order_id)
        candidates = [
            o
            for o in reversed(seller.orders)
            if o.purchase_ts <= now
            and o.amazon_order_id not in created
            and o.amazon_order_id not in excluded
            and o.status_at(now) in _NEXT
            and not (visible_until is not None and _changed_between(o, now, visible_until))
        ]
        for order in candidates[:updates]:
            current = order.status_at(now)
            assert current is not None
            # Drop future events so the new status sticks.
            order.timeline = (*(e for e in order.timeline if e[0] <= now), (now, _NEXT[current]))
            updated.append(order.amazon_order_id)
        missing = updates - len(updated)
        if missing > 0:
            for order in reversed(seller.orders):
                if missing == 0:
                    break
                if order.purchase_ts <= now and order.status_at(now) in (SHIPPED, CANCELED):
                    if order.amazon_order_id in updated or order.amazon_order_id in excluded:
                        continue
                    order.touches = (*order.touches, now)
                    updated.append(order.amazon_order_id)
                    missing -= 1
    if events is not None:
        for oid in created + updated:
            events.publish("ORDER_CHANGE", order_change_event(seller, seller.orders_by_id[oid], now))
    return {"created": created, "updated": updated}


HISTORY_SECONDS = 730 * 86400.0


def summary(seller: Seller, at: float) -> dict[str, Any]:
    """What exists at epoch ``at``: the truth a full sync up to ``at`` must reproduce.

    Like the Orders APIs, it leaves out orders older than two years.
    """
    by_market: Counter[str] = Counter()
    by_status: Counter[str] = Counter()
    money: dict[str, Decimal] = {}
    total_items = 0
    total_units = 0
    newest = 0.0
    count = 0
    with seller.lock:
        for order in seller.orders:
            if order.purchase_ts > at:
                break
            if order.purchase_ts < at - HISTORY_SECONDS:
                continue
            count += 1
            status = order.status_at(at)
            by_market[order.marketplace_id] += 1
            by_status[str(status)] += 1
            if status not in (PENDING, CANCELED):
                # Amazon prices an order once payment is authorised; a cancelled one has no total.
                total = money.get(order.marketplace_id, Decimal(0))
                money[order.marketplace_id] = total + Decimal(str(order.order_total()))
            total_items += len(order.items)
            total_units += order.units()
            last = order.last_update_at(at) or 0.0
            newest = max(newest, last)
    return {
        "selling_partner_id": seller.selling_partner_id,
        "as_of": iso_ts(at),
        "total_orders": count,
        "total_items": total_items,
        "total_units": total_units,
        "by_marketplace": dict(sorted(by_market.items())),
        "by_status": dict(sorted(by_status.items())),
        # Sum of the order totals of priced orders (neither pending nor cancelled), per marketplace.
        "order_totals": {market: f"{total:.2f}" for market, total in sorted(money.items())},
        "newest_last_update": iso_ts(newest) if count else None,
    }
