"""Orders API payloads (2026-01-01 and v0) -> `orders` / `order_items` rows: the one place an order
the Orders API answered is read (pure functions, no I/O).

* 2026-01-01 (`searchOrders` / `getOrder`): items come with each order; the item price is a unit
  price, multiplied here by the quantity (our `item_price` is the whole line's, as v0's is).
* v0 (`getOrders` / `getOrder`, then `getOrderItems` per order).

`raw` is Amazon's object through `scrub` (no buyer field at any depth; see `app.orders.pii`); the
only address fields kept as columns are the coarse destination ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.orders.pii import scrub
from app.orders.rows import (
    ItemRow,
    MappedOrders,
    OrderRow,
    bool_or_none,
    cut,
    fulfillment_channel,
    int_or_none,
    item_row,
    line_keys,
    money,
    order_row,
    order_status,
)
from app.spapi.operations.orders import AmazonOrder
from app.spapi.operations.orders_vocabulary import STATUS_FROM_V0
from app.spapi.primitives import parse_time


def rows_from_orders_api(
    orders: Iterable[AmazonOrder],
    tenant_id: uuid.UUID,
    connection_id: uuid.UUID,
    *,
    v0_items: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> MappedOrders:
    """Rows from the Orders API client's orders, whatever their version: a 2026-01-01 order carries
    its items; a v0 order takes them from `v0_items` (getOrderItems, by Amazon order id)."""
    out = MappedOrders()
    for order in orders:
        if order.version == "v0":
            if v0_items is None or order.amazon_order_id not in v0_items:
                raise ValueError(f"the items of v0 order {order.amazon_order_id} were not fetched")
            row = order_row_from_v0(order.payload, tenant_id, connection_id)
            out.orders.append(row)
            out.items.extend(item_rows_from_v0(v0_items[order.amazon_order_id], row))
        else:
            out.extend(_from_2026(order.payload, tenant_id, connection_id))
    return out


# ---------------------------------------------------------------------------------------------
# Orders API 2026-01-01
# ---------------------------------------------------------------------------------------------


def order_rows_from_2026(
    orders_payload: Iterable[Mapping[str, Any]] | Mapping[str, Any],
    tenant_id: uuid.UUID,
    connection_id: uuid.UUID,
) -> MappedOrders:
    """Rows from 2026-01-01 orders: a searchOrders body (`{"orders": [...]}`), a getOrder body
    (`{"order": {...}}`) or a list of order objects (e.g. `[o.payload for o in page.orders]`)."""
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
    total, currency = money((raw.get("proceeds") or {}).get("grandTotal"), "amount", "currencyCode")
    address = (raw.get("recipient") or {}).get("deliveryAddress") or {}
    programs = [str(p) for p in raw.get("programs") or []]
    associated = raw.get("associatedOrders") or []
    items_raw: list[Mapping[str, Any]] = list(raw.get("orderItems") or [])
    shipped = unshipped = 0
    for item in items_raw:
        item_fulfillment = item.get("fulfillment") or {}
        shipped += int_or_none(item_fulfillment.get("quantityFulfilled")) or 0
        unshipped += int_or_none(item_fulfillment.get("quantityUnfulfilled")) or 0
    order = order_row(
        tenant_id,
        connection_id,
        marketplace_id=cut(channel.get("marketplaceId"), 30) or "",
        amazon_order_id=str(raw["orderId"]),
        purchase_date=parse_time(raw["createdTime"]),
        last_update_date=parse_time(raw["lastUpdatedTime"]),
        order_status=order_status(fulfillment.get("fulfillmentStatus"), {}),
        fulfillment_channel=fulfillment_channel(fulfillment.get("fulfilledBy")),
        sales_channel=cut(channel.get("marketplaceName") or channel.get("channelName"), 100),
        order_type=cut(next((p for p in programs if p in ("PREORDER", "BACK_ORDER")), None), 50),
        is_business_order=("AMAZON_BUSINESS" in programs) if programs else None,
        is_prime=("PRIME" in programs) if programs else None,
        is_replacement_order=any(a.get("associationType") == "REPLACEMENT_ORIGINAL_ID" for a in associated)
        if associated
        else None,
        currency=currency,
        order_total=total,
        number_of_items_shipped=shipped if items_raw and fulfillment else None,
        number_of_items_unshipped=unshipped if items_raw and fulfillment else None,
        ship_service_level=cut(fulfillment.get("fulfillmentServiceLevel"), 100),
        ship_city=cut(address.get("city"), 100),
        ship_state_or_region=cut(address.get("stateOrRegion"), 100),
        ship_postal_code=cut(address.get("postalCode"), 20),
        ship_country_code=cut(address.get("countryCode"), 2),
        source="api",
        raw=scrub({k: v for k, v in raw.items() if k != "orderItems"}),
    )
    out = MappedOrders(orders=[order])
    products = [item.get("product") or {} for item in items_raw]
    keys = line_keys(
        [
            (p.get("sellerSku"), p.get("asin"), item.get("orderItemId"))
            for p, item in zip(products, items_raw, strict=True)
        ]
    )
    for item, product, key in zip(items_raw, products, keys, strict=True):
        quantity = int_or_none(item.get("quantityOrdered")) or 0
        unit, item_currency = money((product.get("price") or {}).get("unitPrice"), "amount", "currencyCode")
        breakdown = {
            str(b.get("type")): money(b.get("subtotal"), "amount", "currencyCode")[0]
            for b in (item.get("proceeds") or {}).get("breakdowns") or []
            if isinstance(b, Mapping)
        }
        out.items.append(
            item_row(
                order,
                key,
                order_item_id=cut(item.get("orderItemId"), 50),
                asin=cut(product.get("asin"), 20),
                seller_sku=cut(product.get("sellerSku"), 200),
                title=product.get("title"),
                quantity_ordered=quantity,
                quantity_shipped=int_or_none((item.get("fulfillment") or {}).get("quantityFulfilled")),
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
    total, currency = money(order.get("OrderTotal"), "Amount", "CurrencyCode")
    address = order.get("ShippingAddress") or {}
    return order_row(
        tenant_id,
        connection_id,
        marketplace_id=cut(order.get("MarketplaceId"), 30) or "",
        amazon_order_id=str(order["AmazonOrderId"]),
        purchase_date=parse_time(order["PurchaseDate"]),
        last_update_date=parse_time(order["LastUpdateDate"]),
        order_status=order_status(order.get("OrderStatus"), STATUS_FROM_V0),
        fulfillment_channel=fulfillment_channel(order.get("FulfillmentChannel")),
        sales_channel=cut(order.get("SalesChannel"), 100),
        order_type=cut(order.get("OrderType"), 50),
        is_business_order=bool_or_none(order.get("IsBusinessOrder")),
        is_prime=bool_or_none(order.get("IsPrime")),
        is_replacement_order=bool_or_none(order.get("IsReplacementOrder")),
        currency=currency,
        order_total=total,
        number_of_items_shipped=int_or_none(order.get("NumberOfItemsShipped")),
        number_of_items_unshipped=int_or_none(order.get("NumberOfItemsUnshipped")),
        ship_service_level=cut(order.get("ShipServiceLevel"), 100),
        ship_city=cut(address.get("City"), 100),
        ship_state_or_region=cut(address.get("StateOrRegion"), 100),
        ship_postal_code=cut(address.get("PostalCode"), 20),
        ship_country_code=cut(address.get("CountryCode"), 2),
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
    keys = line_keys([(i.get("SellerSKU"), i.get("ASIN"), i.get("OrderItemId")) for i in items])
    rows = []
    for item, key in zip(items, keys, strict=True):
        price, currency = money(item.get("ItemPrice"), "Amount", "CurrencyCode")
        tax, tax_currency = money(item.get("ItemTax"), "Amount", "CurrencyCode")
        ship, ship_currency = money(item.get("ShippingPrice"), "Amount", "CurrencyCode")
        ship_tax, _ = money(item.get("ShippingTax"), "Amount", "CurrencyCode")
        promo, _ = money(item.get("PromotionDiscount"), "Amount", "CurrencyCode")
        rows.append(
            item_row(
                order,
                key,
                order_item_id=cut(item.get("OrderItemId"), 50),
                asin=cut(item.get("ASIN"), 20),
                seller_sku=cut(item.get("SellerSKU"), 200),
                title=item.get("Title"),
                quantity_ordered=int_or_none(item.get("QuantityOrdered")) or 0,
                quantity_shipped=int_or_none(item.get("QuantityShipped")),
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
