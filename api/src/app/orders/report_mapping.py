"""Flat-file order reports -> `orders` / `order_items` rows (pure functions, no I/O).

`GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL` and `..._BY_ORDER_DATE_GENERAL`:
tab-separated, one line per item, used by the backfill. Report lines carry no OrderItemId: they
meet the Orders API's items on `item_line_key` (see `app.orders.rows`).

PII: lines are kept in `raw` through an allow-list of non-PII columns, so a column Amazon adds
later is dropped until someone decides it is safe.

Order totals: reports carry no order total, so one is computed the way Amazon's `OrderTotal` adds
up what the buyer is charged: for every line whose item-status is not Cancelled, item-price +
item-tax + shipping-price + shipping-tax + gift-wrap-price + gift-wrap-tax
- |item-promotion-discount| - |ship-promotion-discount|. It is NULL when no line has a price (a
Pending order: Amazon publishes no money before payment is authorised). The next Orders API
refresh of that order (a newer `last_update_date`, or the same one: the API wins ties) replaces it
with Amazon's own figure.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from app.orders.rows import (
    MappedOrders,
    bool_or_none,
    cut,
    decimal_or_none,
    fulfillment_channel,
    int_or_none,
    item_row,
    line_keys,
    order_row,
    order_status,
)
from app.spapi.operations.orders_vocabulary import STATUS_FROM_REPORT
from app.spapi.primitives import parse_time

# Report `sales-channel` -> marketplace id (Amazon's "Marketplace IDs" page).
MARKETPLACE_BY_SALES_CHANNEL = {
    "amazon.com": "ATVPDKIKX0DER",
    "amazon.ca": "A2EUQ1WTGCTBG2",
    "amazon.com.mx": "A1AM78C64UM0Y8",
    "amazon.com.br": "A2Q3Y263D00KWC",
    "amazon.co.uk": "A1F83G8C2ARO7P",
    "amazon.de": "A1PA6795UKMFR9",
    "amazon.fr": "A13V1IB3VIYZZH",
    "amazon.it": "APJ6JRA9NG5V4",
    "amazon.es": "A1RKKUPIHCS9HS",
    "amazon.nl": "A1805IZSGTT6HS",
    "amazon.se": "A2NODRKZP88ZB9",
    "amazon.pl": "A1C3SOZRARQ6R3",
    "amazon.com.be": "AMEN7PMS3EDWL",
    "amazon.ie": "A28R8C7NBKEWEA",
    "amazon.com.tr": "A33AVAJ2PDY3EV",
    "amazon.ae": "A2VIGQ35RCS4UG",
    "amazon.sa": "A17E79C6D8DWNP",
    "amazon.eg": "ARBP9OOSHTCHU",
    "amazon.co.za": "AE08WJ6YKNBMC",
    "amazon.in": "A21TJRUUN4KGV",
    "amazon.co.jp": "A1VC38T7YXB528",
    "amazon.com.au": "A39IBJ37TRP1C6",
    "amazon.sg": "A19VAU5U5O7RUS",
}

# Columns kept in `raw` (everything else, e.g. buyer-email, buyer-name, ship-address-1,
# ship-phone-number, recipient-name, purchase-order-number, buyer-tax-registration-id, is dropped).
REPORT_ORDER_COLUMNS = (
    "amazon-order-id",
    "merchant-order-id",
    "purchase-date",
    "last-updated-date",
    "order-status",
    "fulfillment-channel",
    "sales-channel",
    "order-channel",
    "ship-service-level",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "is-business-order",
    "is-prime",
    "is-replacement-order",
    "price-designation",
)
REPORT_ITEM_COLUMNS = (
    "product-name",
    "sku",
    "asin",
    "item-status",
    "quantity",
    "quantity-shipped",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "gift-wrap-price",
    "gift-wrap-tax",
    "item-promotion-discount",
    "ship-promotion-discount",
    "promotion-ids",
    "is-iba",
)
_TOTAL_PLUS = ("item-price", "item-tax", "shipping-price", "shipping-tax", "gift-wrap-price", "gift-wrap-tax")
_TOTAL_MINUS = ("item-promotion-discount", "ship-promotion-discount")


def _report_lines(lines: Iterable[str] | Iterable[Mapping[str, str]]) -> Iterable[Mapping[str, str]]:
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None:
        return []
    if isinstance(first, Mapping):
        return [first, *iterator]  # type: ignore[list-item]
    text_lines = (line.rstrip("\r\n") for line in [first, *iterator] if isinstance(line, str))
    return csv.DictReader(text_lines, delimiter="\t", quoting=csv.QUOTE_NONE)


def rows_from_flat_file_report(
    lines: Iterable[str] | Iterable[Mapping[str, str]],
    tenant_id: uuid.UUID,
    connection_id: uuid.UUID,
    *,
    marketplace_id: str | None = None,
) -> MappedOrders:
    """Rows from a flat-file order report: its text lines (header first) or parsed dicts.

    `marketplace_id` is the report's marketplace (one per request in the backfill); when None it
    is derived from each line's `sales-channel` (e.g. "Amazon.com"). Lines of one order are
    grouped wherever they appear; when two versions of an order appear, the newest one is kept.
    """
    grouped: dict[str, list[Mapping[str, str]]] = {}
    for line in _report_lines(lines):
        order_id = (line.get("amazon-order-id") or "").strip()
        if not order_id:
            continue
        grouped.setdefault(order_id, []).append(line)
    out = MappedOrders()
    for order_id, order_lines in grouped.items():
        newest = max((ln.get("last-updated-date") or ln.get("purchase-date") or "") for ln in order_lines)
        current = [
            ln
            for ln in order_lines
            if (ln.get("last-updated-date") or ln.get("purchase-date") or "") == newest
        ]
        out.extend(_from_report(order_id, current, tenant_id, connection_id, marketplace_id))
    return out


def _report_total(lines: Sequence[Mapping[str, str]]) -> Decimal | None:
    total: Decimal | None = None
    for line in lines:
        if (line.get("item-status") or "").strip().lower() in ("cancelled", "canceled"):
            continue
        for column in _TOTAL_PLUS:
            value = decimal_or_none(line.get(column))
            if value is not None:
                total = (total or Decimal(0)) + value
        for column in _TOTAL_MINUS:
            value = decimal_or_none(line.get(column))
            if value is not None:
                total = (total or Decimal(0)) - abs(value)
    return total


def _from_report(
    order_id: str,
    lines: Sequence[Mapping[str, str]],
    tenant_id: uuid.UUID,
    connection_id: uuid.UUID,
    marketplace_id: str | None,
) -> MappedOrders:
    head = lines[0]
    sales_channel = (head.get("sales-channel") or "").strip()
    currency = next((c.strip() for ln in lines if (c := ln.get("currency") or "").strip()), None)
    quantities = [int_or_none(ln.get("quantity")) or 0 for ln in lines]
    shipped = [int_or_none(ln.get("quantity-shipped")) for ln in lines]
    order = order_row(
        tenant_id,
        connection_id,
        marketplace_id=marketplace_id or MARKETPLACE_BY_SALES_CHANNEL.get(sales_channel.lower(), ""),
        amazon_order_id=order_id,
        purchase_date=parse_time(head["purchase-date"]),
        last_update_date=parse_time(head.get("last-updated-date") or head["purchase-date"]),
        order_status=order_status(head.get("order-status"), STATUS_FROM_REPORT),
        fulfillment_channel=fulfillment_channel(head.get("fulfillment-channel")),
        sales_channel=cut(sales_channel, 100),
        is_business_order=bool_or_none(head.get("is-business-order")),
        is_prime=bool_or_none(head.get("is-prime")),
        is_replacement_order=bool_or_none(head.get("is-replacement-order")),
        currency=currency[:3] if currency else None,
        order_total=_report_total(lines),
        number_of_items_shipped=sum(s or 0 for s in shipped) if any(s is not None for s in shipped) else None,
        number_of_items_unshipped=sum(q - (s or 0) for q, s in zip(quantities, shipped, strict=True))
        if any(s is not None for s in shipped)
        else None,
        ship_service_level=cut(head.get("ship-service-level"), 100),
        ship_city=cut(head.get("ship-city"), 100),
        ship_state_or_region=cut(head.get("ship-state"), 100),
        ship_postal_code=cut(head.get("ship-postal-code"), 20),
        ship_country_code=cut(head.get("ship-country"), 2),
        source="report",
        raw={c: head[c] for c in REPORT_ORDER_COLUMNS if head.get(c) not in (None, "")},
    )
    out = MappedOrders(orders=[order])
    keys = line_keys([(ln.get("sku") or None, ln.get("asin") or None, None) for ln in lines])
    for line, key, quantity, shipped_qty in zip(lines, keys, quantities, shipped, strict=True):
        promo = [v for c in ("item-promotion-discount",) if (v := decimal_or_none(line.get(c))) is not None]
        line_currency = (line.get("currency") or "").strip() or order["currency"]
        out.items.append(
            item_row(
                order,
                key,
                asin=cut(line.get("asin"), 20),
                seller_sku=cut(line.get("sku"), 200),
                title=(line.get("product-name") or "").strip() or None,
                quantity_ordered=quantity,
                quantity_shipped=shipped_qty,
                item_price=decimal_or_none(line.get("item-price")),
                item_tax=decimal_or_none(line.get("item-tax")),
                shipping_price=decimal_or_none(line.get("shipping-price")),
                shipping_tax=decimal_or_none(line.get("shipping-tax")),
                promotion_discount=abs(promo[0]) if promo else None,
                currency=line_currency[:3] if line_currency else None,
                raw={c: line[c] for c in REPORT_ITEM_COLUMNS if line.get(c) not in (None, "")},
            )
        )
    return out
