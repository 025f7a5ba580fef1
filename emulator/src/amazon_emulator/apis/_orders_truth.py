"""Every order of a seller as the Orders APIs and order reports show it at one instant: the truth a synced
copy must equal row by row (``GET /_emulator/sellers/{id}/orders/truth``, in :mod:`amazon_emulator.admin`).

One JSON object per order, in purchase order, with the facts a sync can store and nothing else (no PII):
``amazon_order_id``, ``marketplace_id``, ``purchase_date``, ``last_update_date`` (ISO 8601, whole seconds,
as every API writes them), ``status`` (v0 spelling), ``fulfillment_channel`` (``AFN``/``MFN``),
``currency`` (the marketplace's), ``priced`` (payment cleared: Amazon shows money only then),
``order_total`` (null unless priced) and ``items``: ``order_item_id``, ``sku``, ``asin``, ``quantity``,
``unit_price``, ``item_price`` (the line's price, unit price x quantity, as v0's ``ItemPrice`` and the
reports' ``item-price``) and ``item_tax`` (null unless priced; the emulated orders carry no tax: ``"0.00"``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from amazon_emulator.apis._orders_v0_shapes import was_paid
from amazon_emulator.clock import iso_ts
from amazon_emulator.data.activity import HISTORY_SECONDS
from amazon_emulator.data.marketplaces import MARKETPLACES
from amazon_emulator.data.models import Order, Seller


def order_truth(order: Order, at: float) -> dict[str, Any]:
    """One order as seen at epoch ``at`` (it must exist then)."""
    priced = was_paid(order, at)
    last = order.last_update_at(at)
    return {
        "amazon_order_id": order.amazon_order_id,
        "marketplace_id": order.marketplace_id,
        "purchase_date": iso_ts(order.purchase_ts),
        "last_update_date": iso_ts(last if last is not None else order.purchase_ts),
        "status": order.status_at(at),
        "fulfillment_channel": order.fulfillment_channel,
        "currency": MARKETPLACES[order.marketplace_id].currency,
        "priced": priced,
        "order_total": f"{order.order_total():.2f}" if priced else None,
        "items": [
            {
                "order_item_id": item.order_item_id,
                "sku": item.product.sku,
                "asin": item.product.asin,
                "quantity": item.quantity,
                "unit_price": f"{item.unit_price:.2f}" if priced else None,
                "item_price": f"{item.unit_price * item.quantity:.2f}" if priced else None,
                "item_tax": "0.00" if priced else None,
            }
            for item in order.items
        ],
    }


def orders_truth(seller: Seller, at: float) -> Iterator[dict[str, Any]]:
    """Every order visible at ``at`` (purchased at or before it, within the APIs' 730 days), oldest first.

    The list is copied under the seller's lock and read without it: an order's items never change, and
    activity replaces a timeline with one that keeps every event up to the moment it happens, so reading at a
    fixed ``at`` in the past of any later change gives one consistent snapshot."""
    with seller.lock:
        orders = seller.purchased_between(at - HISTORY_SECONDS, at)
    for order in orders:
        yield order_truth(order, at)
