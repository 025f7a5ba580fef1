"""Amazon order payloads -> row dicts for `orders` and `order_items` (pure functions, no I/O).

Three sources meet in the same two tables:

* Orders API 2026-01-01 (`searchOrders` / `getOrder`): items come with each order.
* Orders API v0 (`getOrders` / `getOrder`, then `getOrderItems`).
* Flat-file order reports (`GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL` and
  `..._BY_ORDER_DATE_GENERAL`): tab-separated, one line per item, used by the backfill.

One vocabulary whatever the source (the same as `app.spapi.operations.orders`): order status in
the 2026 spelling (`SHIPPED`, `CANCELLED`, ...), fulfillment channel `AFN` / `MFN`, money as
`Decimal`, times timezone-aware UTC. `item_price` is the price of the whole line (unit price x
quantity), as v0's `ItemPrice` and the report's `item-price` are; 2026 gives a unit price, which is
multiplied here.

PII never leaves this module: `raw` is Amazon's payload minus every buyer field (names, e-mails,
address lines, phone numbers, tax registrations, gift messages, customization data, free-text
cancel reasons). Only the coarse destination (city, state, postal code, country) becomes columns,
as the data model allows. Report lines are kept through an allow-list of non-PII columns, so a
column Amazon adds later is dropped until someone decides it is safe.

Item lines from every source are keyed by `item_line_key()` (see its docstring): the report line
and the API item of the same SKU in the same order get the same `line_key` and meet on
`ON CONFLICT (tenant_id, order_id, line_key)` in the repository.

Order totals from reports: reports carry no order total, so one is computed the way Amazon's
`OrderTotal` adds up what the buyer is charged: for every line whose item-status is not
Cancelled, item-price + item-tax + shipping-price + shipping-tax + gift-wrap-price + gift-wrap-tax
- |item-promotion-discount| - |ship-promotion-discount|. It is NULL when no line has a price (a
Pending order: Amazon publishes no money before payment is authorised). The next Orders API
refresh of that order (a newer `last_update_date`, or the same one: the API wins ties) replaces it
with Amazon's own figure.
"""

from __future__ import annotations

import csv
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.orders.models import item_line_key
from app.orders.pii import scrub
from app.orders.vocabulary import CHANNEL, MARKETPLACE_BY_SALES_CHANNEL, STATUS_FROM_REPORT, STATUS_FROM_V0

OrderRow = dict[str, Any]
ItemRow = dict[str, Any]

# ---------------------------------------------------------------------------------------------
# Small parsers
# ---------------------------------------------------------------------------------------------


def parse_time(value: Any) -> datetime:
    """ISO-8601 (with `Z`, an offset, or naive = UTC) -> aware UTC datetime."""
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


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


def _money(value: Any, amount_key: str, currency_key: str) -> tuple[Decimal | None, str | None]:
    if not isinstance(value, Mapping):
        return None, None
    return decimal_or_none(value.get(amount_key)), value.get(currency_key) or None


def _bool(value: Any) -> bool | None:
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


def _int(value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _status(value: Any, table: Mapping[str, str]) -> str:
    text = str(value or "").strip()
    if not text:
        return "PENDING"
    return table.get(text) or text.upper().replace(" - ", "_").replace(" ", "_")


def _cut(value: Any, length: int) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text[:length] if text else None


def _line_keys(items: Sequence[tuple[str | None, str | None, str | None]]) -> list[str]:
    """`item_line_key` for each (sku, asin, order_item_id), numbering repeats within one order."""
    seen: Counter[str] = Counter()
    keys = []
    for sku, asin, item_id in items:
        base = item_line_key(sku, asin, item_id)
        seen[base] += 1
        keys.append(item_line_key(sku, asin, item_id, seen[base]))
    return keys


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


def _order_row(tenant_id: uuid.UUID, connection_id: uuid.UUID, **values: Any) -> OrderRow:
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


def _item_row(order: OrderRow, line_key: str, **values: Any) -> ItemRow:
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


# ---------------------------------------------------------------------------------------------
# Orders API 2026-01-01
# ---------------------------------------------------------------------------------------------


def order_rows_from_2026(
    orders_payload: Iterable[Mapping[str, Any]] | Mapping[str, Any],
    tenant_id: uuid.UUID,
    connection_id: uuid.UUID,
) -> MappedOrders:
    """Rows from 2026-01-01 orders: a searchOrders body (`{"orders": [...]}`), a getOrder body
    (`{"order": {...}}`) or a list of order objects (e.g. `[o.raw for o in page.orders]`)."""
    if isinstance(orders_payload, Mapping):
        if "orders" in orders_payload:
            orders: Iterable[Mapping[str, Any]] = orders_payload.get("orders") or []
        elif "order" in orders_payload:
            orders = [orders_payload["order"]]
        else:
            orders = [orders_payload]
    else:
        orders = orders_payload
    out = MappedOrders()
    for order in orders:
        out.extend(_from_2026(order, tenant_id, connection_id))
    return out


def _from_2026(raw: Mapping[str, Any], tenant_id: uuid.UUID, connection_id: uuid.UUID) -> MappedOrders:
    fulfillment = raw.get("fulfillment") or {}
    channel = raw.get("salesChannel") or {}
    total, currency = _money((raw.get("proceeds") or {}).get("grandTotal"), "amount", "currencyCode")
    address = (raw.get("recipient") or {}).get("deliveryAddress") or {}
    programs = [str(p) for p in raw.get("programs") or []]
    associated = raw.get("associatedOrders") or []
    items_raw: list[Mapping[str, Any]] = list(raw.get("orderItems") or [])
    shipped = unshipped = 0
    for item in items_raw:
        item_fulfillment = item.get("fulfillment") or {}
        shipped += _int(item_fulfillment.get("quantityFulfilled")) or 0
        unshipped += _int(item_fulfillment.get("quantityUnfulfilled")) or 0
    order = _order_row(
        tenant_id,
        connection_id,
        marketplace_id=_cut(channel.get("marketplaceId"), 30) or "",
        amazon_order_id=str(raw["orderId"]),
        purchase_date=parse_time(raw["createdTime"]),
        last_update_date=parse_time(raw["lastUpdatedTime"]),
        order_status=_status(fulfillment.get("fulfillmentStatus"), {}),
        fulfillment_channel=CHANNEL.get(
            str(fulfillment.get("fulfilledBy")), _cut(fulfillment.get("fulfilledBy"), 20)
        ),
        sales_channel=_cut(channel.get("marketplaceName") or channel.get("channelName"), 100),
        order_type=_cut(next((p for p in programs if p in ("PREORDER", "BACK_ORDER")), None), 50),
        is_business_order=("AMAZON_BUSINESS" in programs) if programs else None,
        is_prime=("PRIME" in programs) if programs else None,
        is_replacement_order=any(a.get("associationType") == "REPLACEMENT_ORIGINAL_ID" for a in associated)
        if associated
        else None,
        currency=currency,
        order_total=total,
        number_of_items_shipped=shipped if items_raw and fulfillment else None,
        number_of_items_unshipped=unshipped if items_raw and fulfillment else None,
        ship_service_level=_cut(fulfillment.get("fulfillmentServiceLevel"), 100),
        ship_city=_cut(address.get("city"), 100),
        ship_state_or_region=_cut(address.get("stateOrRegion"), 100),
        ship_postal_code=_cut(address.get("postalCode"), 20),
        ship_country_code=_cut(address.get("countryCode"), 2),
        source="api",
        raw=scrub({k: v for k, v in raw.items() if k != "orderItems"}),
    )
    out = MappedOrders(orders=[order])
    products = [item.get("product") or {} for item in items_raw]
    keys = _line_keys(
        [
            (p.get("sellerSku"), p.get("asin"), item.get("orderItemId"))
            for p, item in zip(products, items_raw, strict=True)
        ]
    )
    for item, product, key in zip(items_raw, products, keys, strict=True):
        quantity = _int(item.get("quantityOrdered")) or 0
        unit, item_currency = _money((product.get("price") or {}).get("unitPrice"), "amount", "currencyCode")
        breakdown = {
            str(b.get("type")): _money(b.get("subtotal"), "amount", "currencyCode")[0]
            for b in (item.get("proceeds") or {}).get("breakdowns") or []
            if isinstance(b, Mapping)
        }
        out.items.append(
            _item_row(
                order,
                key,
                order_item_id=_cut(item.get("orderItemId"), 50),
                asin=_cut(product.get("asin"), 20),
                seller_sku=_cut(product.get("sellerSku"), 200),
                title=product.get("title"),
                quantity_ordered=quantity,
                quantity_shipped=_int((item.get("fulfillment") or {}).get("quantityFulfilled")),
                item_price=unit * quantity if unit is not None else breakdown.get("ITEM"),
                item_tax=breakdown.get("TAX"),
                shipping_price=breakdown.get("SHIPPING"),
                shipping_tax=None,
                promotion_discount=breakdown.get("DISCOUNT"),
                currency=item_currency or currency,
                raw=scrub(dict(item)),
            )
        )
    return out


# ---------------------------------------------------------------------------------------------
# Orders API v0
# ---------------------------------------------------------------------------------------------


def order_row_from_v0(order: Mapping[str, Any], tenant_id: uuid.UUID, connection_id: uuid.UUID) -> OrderRow:
    """One v0 `Order` object (getOrders `payload.Orders[]` or getOrder `payload`)."""
    total, currency = _money(order.get("OrderTotal"), "Amount", "CurrencyCode")
    address = order.get("ShippingAddress") or {}
    return _order_row(
        tenant_id,
        connection_id,
        marketplace_id=_cut(order.get("MarketplaceId"), 30) or "",
        amazon_order_id=str(order["AmazonOrderId"]),
        purchase_date=parse_time(order["PurchaseDate"]),
        last_update_date=parse_time(order["LastUpdateDate"]),
        order_status=_status(order.get("OrderStatus"), STATUS_FROM_V0),
        fulfillment_channel=CHANNEL.get(
            str(order.get("FulfillmentChannel")), _cut(order.get("FulfillmentChannel"), 20)
        ),
        sales_channel=_cut(order.get("SalesChannel"), 100),
        order_type=_cut(order.get("OrderType"), 50),
        is_business_order=_bool(order.get("IsBusinessOrder")),
        is_prime=_bool(order.get("IsPrime")),
        is_replacement_order=_bool(order.get("IsReplacementOrder")),
        currency=currency,
        order_total=total,
        number_of_items_shipped=_int(order.get("NumberOfItemsShipped")),
        number_of_items_unshipped=_int(order.get("NumberOfItemsUnshipped")),
        ship_service_level=_cut(order.get("ShipServiceLevel"), 100),
        ship_city=_cut(address.get("City"), 100),
        ship_state_or_region=_cut(address.get("StateOrRegion"), 100),
        ship_postal_code=_cut(address.get("PostalCode"), 20),
        ship_country_code=_cut(address.get("CountryCode"), 2),
        source="api",
        raw=scrub(dict(order)),
    )


def item_rows_from_v0(
    order_items: Mapping[str, Any] | Iterable[Mapping[str, Any]], order: OrderRow
) -> list[ItemRow]:
    """Item rows of one order from v0 getOrderItems: its `payload` (`{"AmazonOrderId",
    "OrderItems": [...]}`, every page concatenated) or the list of `OrderItem` objects. `order` is
    the row `order_row_from_v0` made for the same order (tenant, connection, version)."""
    if isinstance(order_items, Mapping):
        items = list(order_items.get("OrderItems") or [])
    else:
        items = list(order_items)
    keys = _line_keys([(i.get("SellerSKU"), i.get("ASIN"), i.get("OrderItemId")) for i in items])
    rows = []
    for item, key in zip(items, keys, strict=True):
        price, currency = _money(item.get("ItemPrice"), "Amount", "CurrencyCode")
        tax, tax_currency = _money(item.get("ItemTax"), "Amount", "CurrencyCode")
        ship, ship_currency = _money(item.get("ShippingPrice"), "Amount", "CurrencyCode")
        ship_tax, _ = _money(item.get("ShippingTax"), "Amount", "CurrencyCode")
        promo, _ = _money(item.get("PromotionDiscount"), "Amount", "CurrencyCode")
        rows.append(
            _item_row(
                order,
                key,
                order_item_id=_cut(item.get("OrderItemId"), 50),
                asin=_cut(item.get("ASIN"), 20),
                seller_sku=_cut(item.get("SellerSKU"), 200),
                title=item.get("Title"),
                quantity_ordered=_int(item.get("QuantityOrdered")) or 0,
                quantity_shipped=_int(item.get("QuantityShipped")),
                item_price=price,
                item_tax=tax,
                shipping_price=ship,
                shipping_tax=ship_tax,
                promotion_discount=promo,
                currency=currency or tax_currency or ship_currency or order.get("currency"),
                raw=scrub(dict(item)),
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Flat-file order reports
# ---------------------------------------------------------------------------------------------

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
    quantities = [_int(ln.get("quantity")) or 0 for ln in lines]
    shipped = [_int(ln.get("quantity-shipped")) for ln in lines]
    order = _order_row(
        tenant_id,
        connection_id,
        marketplace_id=marketplace_id or MARKETPLACE_BY_SALES_CHANNEL.get(sales_channel.lower(), ""),
        amazon_order_id=order_id,
        purchase_date=parse_time(head["purchase-date"]),
        last_update_date=parse_time(head.get("last-updated-date") or head["purchase-date"]),
        order_status=_status(head.get("order-status"), STATUS_FROM_REPORT),
        fulfillment_channel=CHANNEL.get((head.get("fulfillment-channel") or "").strip()),
        sales_channel=_cut(sales_channel, 100),
        is_business_order=_bool(head.get("is-business-order")),
        is_prime=_bool(head.get("is-prime")),
        is_replacement_order=_bool(head.get("is-replacement-order")),
        currency=currency[:3] if currency else None,
        order_total=_report_total(lines),
        number_of_items_shipped=sum(s or 0 for s in shipped) if any(s is not None for s in shipped) else None,
        number_of_items_unshipped=sum(q - (s or 0) for q, s in zip(quantities, shipped, strict=True))
        if any(s is not None for s in shipped)
        else None,
        ship_service_level=_cut(head.get("ship-service-level"), 100),
        ship_city=_cut(head.get("ship-city"), 100),
        ship_state_or_region=_cut(head.get("ship-state"), 100),
        ship_postal_code=_cut(head.get("ship-postal-code"), 20),
        ship_country_code=_cut(head.get("ship-country"), 2),
        source="report",
        raw={c: head[c] for c in REPORT_ORDER_COLUMNS if head.get(c) not in (None, "")},
    )
    out = MappedOrders(orders=[order])
    keys = _line_keys([(ln.get("sku") or None, ln.get("asin") or None, None) for ln in lines])
    for line, key, quantity, shipped_qty in zip(lines, keys, quantities, shipped, strict=True):
        promo = [v for c in ("item-promotion-discount",) if (v := decimal_or_none(line.get(c))) is not None]
        line_currency = (line.get("currency") or "").strip() or order["currency"]
        out.items.append(
            _item_row(
                order,
                key,
                asin=_cut(line.get("asin"), 20),
                seller_sku=_cut(line.get("sku"), 200),
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
