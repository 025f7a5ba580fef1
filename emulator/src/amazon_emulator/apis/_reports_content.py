"""Report documents built from a seller's orders as they are at the report's creation time.

* Flat-file order reports (``GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL`` and
  ``..._BY_ORDER_DATE_...``): tab-separated, one line per order item, Seller Central's wording for statuses
  and channels; Pending orders have empty price columns as on Amazon. These reports carry no buyer PII.
* Sales and traffic lives in :mod:`._sales_traffic`, listings, inventory and returns in
  :mod:`._reports_catalog`, settlements in :mod:`._settlements`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime

from amazon_emulator.apis._orders_v0_shapes import person, was_paid
from amazon_emulator.data.marketplaces import MARKETPLACES
from amazon_emulator.data.models import CANCELED, PARTIALLY_SHIPPED, PENDING, SHIPPED, Order, Seller

BY_LAST_UPDATE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
BY_ORDER_DATE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
SALES_AND_TRAFFIC = "GET_SALES_AND_TRAFFIC_REPORT"
ORDER_REPORTS = (BY_LAST_UPDATE, BY_ORDER_DATE)
HISTORY_SECONDS = 730 * 86400.0

FLAT_FILE_COLUMNS = (
    "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
    "fulfillment-channel", "sales-channel", "order-channel", "url", "ship-service-level", "product-name",
    "sku", "asin", "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price",
    "shipping-tax", "gift-wrap-price", "gift-wrap-tax", "item-promotion-discount",
    "ship-promotion-discount", "ship-city", "ship-state", "ship-postal-code", "ship-country",
    "promotion-ids", "is-business-order", "purchase-order-number", "price-designation",
    "signature-confirmation-recommended",
)  # fmt: skip

_ORDER_STATUS = {PARTIALLY_SHIPPED: "Shipping", CANCELED: "Cancelled"}
_ITEM_STATUS = {CANCELED: "Cancelled"}
_CHANNEL = {"AFN": "Amazon", "MFN": "Merchant"}


def _iso_offset(ts: float) -> str:
    # Seller Central flat files write timestamps with an explicit offset.
    return datetime.fromtimestamp(int(ts), tz=UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def orders_in_window(
    seller: Seller, report_type: str, start: float, end: float, marketplaces: Iterable[str], at: float
) -> list[Order]:
    """The orders a flat-file order report created at ``at`` lists for the window ``[start, end]``."""
    markets = set(marketplaces)
    floor = at - HISTORY_SECONDS
    if report_type == BY_ORDER_DATE:
        candidates = seller.purchased_between(max(start, floor), min(end, at))
        return [o for o in candidates if o.marketplace_id in markets]
    out = []
    with seller.lock:
        for order in seller.orders:
            if order.purchase_ts > min(end, at):
                break
            if order.purchase_ts < floor or order.marketplace_id not in markets:
                continue
            last = order.last_update_at(at)
            if last is not None and start <= last <= end:
                out.append(order)
    out.sort(key=lambda o: (o.last_update_at(at) or 0.0, o.amazon_order_id))
    return out


def flat_file_lines(order: Order, at: float) -> list[dict[str, str]]:
    """One dict per order item, keyed by :data:`FLAT_FILE_COLUMNS`."""
    status = order.status_at(at) or PENDING
    market = MARKETPLACES[order.marketplace_id]
    priced = was_paid(order, at)
    shows_address = status != PENDING
    place = person(order) if shows_address else None
    lines = []
    for index, item in enumerate(order.items):
        shipped = status == SHIPPED or (status == PARTIALLY_SHIPPED and index == 0)
        item_status = _ITEM_STATUS.get(status, "Shipped" if shipped else "Unshipped")
        line = dict.fromkeys(FLAT_FILE_COLUMNS, "")
        line.update(
            {
                "amazon-order-id": order.amazon_order_id,
                "merchant-order-id": order.seller_order_id or "",
                "purchase-date": _iso_offset(order.purchase_ts),
                "last-updated-date": _iso_offset(order.last_update_at(at) or order.purchase_ts),
                "order-status": _ORDER_STATUS.get(status, status),
                "fulfillment-channel": _CHANNEL[order.fulfillment_channel],
                "sales-channel": market.sales_channel,
                "ship-service-level": order.ship_service_level if status != PENDING else "",
                "product-name": item.product.title,
                "sku": item.product.sku,
                "asin": item.product.asin,
                "item-status": "Pending" if status == PENDING else item_status,
                "quantity": str(item.quantity),
                "is-business-order": "true" if order.is_business else "false",
                "signature-confirmation-recommended": "false",
            }
        )
        if priced:
            zero = "0.0"
            line.update(
                {
                    "currency": market.currency,
                    "item-price": f"{item.unit_price * item.quantity:.2f}",
                    "item-tax": zero,
                    "shipping-price": zero,
                    "shipping-tax": zero,
                    "gift-wrap-price": zero,
                    "gift-wrap-tax": zero,
                    "item-promotion-discount": zero,
                    "ship-promotion-discount": zero,
                }
            )
        if place is not None:
            line.update(
                {
                    "ship-city": place.city,
                    "ship-state": place.state,
                    "ship-postal-code": place.postal_code,
                    "ship-country": market.country_code,
                }
            )
        lines.append(line)
    return lines


def flat_file(orders: list[Order], at: float) -> bytes:
    rows = ["\t".join(FLAT_FILE_COLUMNS)]
    for order in orders:
        for line in flat_file_lines(order, at):
            rows.append("\t".join(line[c].replace("\t", " ") for c in FLAT_FILE_COLUMNS))
    return ("\n".join(rows) + "\n").encode("utf-8")


def error_document(message: str) -> bytes:
    return json.dumps({"errorDetails": message}).encode()
