"""Orders v0 JSON shapes (PascalCase, Money amounts as strings) built from the in-memory orders."""

from __future__ import annotations

from typing import Any

from amazon_emulator.clock import iso_ts
from amazon_emulator.data.marketplaces import MARKETPLACES
from amazon_emulator.data.models import CANCELED, PARTIALLY_SHIPPED, PENDING, SHIPPED, UNSHIPPED, Order
from amazon_emulator.data.people import Person, person_for

DAY = 86400.0
ADDRESS_STATUSES = {UNSHIPPED, PARTIALLY_SHIPPED, SHIPPED, "InvoiceUnconfirmed"}
_CATEGORY = {"Std US D2D Dom": "Standard", "Standard": "Standard", "Expedited": "Expedited",
             "SecondDay": "SecondDay", "NextDay": "NextDay"}  # fmt: skip


def money(amount: float, currency: str) -> dict[str, str]:
    return {"CurrencyCode": currency, "Amount": f"{amount:.2f}"}


def currency_of(order: Order) -> str:
    return MARKETPLACES[order.marketplace_id].currency


def was_paid(order: Order, now: float) -> bool:
    """True once payment cleared (Amazon shows no prices while Pending, nor for orders cancelled unpaid)."""
    paid = order.paid_at()
    return paid is not None and paid <= now


def person(order: Order) -> Person:
    market = MARKETPLACES[order.marketplace_id]
    return person_for(order, market.country_code, market.domain)


def shipped_units(order: Order, status: str) -> tuple[int, int]:
    units = order.units()
    if status == SHIPPED:
        return units, 0
    if status == CANCELED:
        return 0, 0
    if status == PARTIALLY_SHIPPED:
        first = order.items[0].quantity
        return first, units - first
    return 0, units


def full_address(p: Person) -> dict[str, Any]:
    address: dict[str, Any] = {
        "Name": p.name,
        "AddressLine1": p.address_line1,
        "City": p.city,
        "StateOrRegion": p.state,
        "PostalCode": p.postal_code,
        "CountryCode": p.country_code,
        "Phone": p.phone,
        "AddressType": p.address_type,
    }
    if p.address_line2:
        address["AddressLine2"] = p.address_line2
    if p.company:
        address["CompanyName"] = p.company
    return address


def partial_address(p: Person) -> dict[str, Any]:
    """What getOrders/getOrder show without an RDT: no name, street or phone."""
    return {
        "City": p.city,
        "StateOrRegion": p.state,
        "PostalCode": p.postal_code,
        "CountryCode": p.country_code,
    }


def buyer_info(order: Order, p: Person) -> dict[str, Any]:
    info: dict[str, Any] = {"BuyerEmail": p.email, "BuyerName": p.name}
    if order.is_business:
        info["PurchaseOrderNumber"] = f"PO-{order.amazon_order_id[-7:]}"
    return info


def order_v0(order: Order, now: float, data_elements: frozenset[str] = frozenset()) -> dict[str, Any]:
    """An ``Order`` as seen at ``now``; ``data_elements`` from a covering RDT unlock PII."""
    status = order.status_at(now) or PENDING
    market = MARKETPLACES[order.marketplace_id]
    shipped, unshipped = shipped_units(order, status)
    t0 = order.purchase_ts
    body: dict[str, Any] = {
        "AmazonOrderId": order.amazon_order_id,
        "PurchaseDate": iso_ts(t0),
        "LastUpdateDate": iso_ts(order.last_update_at(now) or t0),
        "OrderStatus": status,
        "FulfillmentChannel": order.fulfillment_channel,
        "SalesChannel": market.sales_channel,
        "ShipServiceLevel": order.ship_service_level,
    }
    if order.seller_order_id:
        body["SellerOrderId"] = order.seller_order_id
    if was_paid(order, now):
        body["OrderTotal"] = money(order.order_total(), market.currency)
    body.update(
        {
            "NumberOfItemsShipped": shipped,
            "NumberOfItemsUnshipped": unshipped,
            "PaymentMethod": order.payment_method,
            "PaymentMethodDetails": ["Standard"],
            "MarketplaceId": order.marketplace_id,
            "ShipmentServiceLevelCategory": _CATEGORY.get(order.ship_service_level, "Standard"),
            "OrderType": "StandardOrder",
            "EarliestShipDate": iso_ts(t0 + DAY),
            "LatestShipDate": iso_ts(t0 + 2 * DAY),
            "IsBusinessOrder": order.is_business,
            "IsPrime": order.is_prime,
            "IsPremiumOrder": False,
            "IsGlobalExpressEnabled": False,
            "IsReplacementOrder": False,
            "IsSoldByAB": False,
            "IsISPU": False,
            "IsAccessPointOrder": False,
            "HasRegulatedItems": False,
        }
    )
    if order.fulfillment_channel == "MFN":
        body["EarliestDeliveryDate"] = iso_ts(t0 + 3 * DAY)
        body["LatestDeliveryDate"] = iso_ts(t0 + 7 * DAY)
    if status in ADDRESS_STATUSES:
        p = person(order)
        body["ShippingAddress"] = (
            full_address(p) if "shippingAddress" in data_elements else partial_address(p)
        )
    if "buyerInfo" in data_elements:
        body["BuyerInfo"] = buyer_info(order, person(order))
    return body


def order_items_v0(order: Order, now: float) -> list[dict[str, Any]]:
    """``OrderItem`` list; while Pending, pricing, taxes, shipping, gift and promotion data are left out."""
    status = order.status_at(now) or PENDING
    currency = currency_of(order)
    priced = was_paid(order, now)
    items = []
    for index, item in enumerate(order.items):
        shipped = item.quantity if status == SHIPPED or (status == PARTIALLY_SHIPPED and index == 0) else 0
        body: dict[str, Any] = {
            "ASIN": item.product.asin,
            "SellerSKU": item.product.sku,
            "OrderItemId": item.order_item_id,
            "Title": item.product.title,
            "QuantityOrdered": item.quantity,
            "QuantityShipped": shipped,
            "ProductInfo": {"NumberOfItems": "1"},
        }
        if priced:
            body.update(
                {
                    "ItemPrice": money(item.unit_price * item.quantity, currency),
                    "ItemTax": money(0, currency),
                    "ShippingPrice": money(0, currency),
                    "ShippingTax": money(0, currency),
                    "ShippingDiscount": money(0, currency),
                    "ShippingDiscountTax": money(0, currency),
                    "PromotionDiscount": money(0, currency),
                    "PromotionDiscountTax": money(0, currency),
                    "PromotionIds": [],
                    "IsGift": "false",
                }
            )
        body.update(
            {
                "ConditionId": "New",
                "ConditionSubtypeId": "New",
                "IsTransparency": False,
                "SerialNumberRequired": False,
            }
        )
        items.append(body)
    return items
