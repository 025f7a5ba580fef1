"""Orders 2026-01-01 JSON shapes (camelCase, no payload wrapper) built from the in-memory orders.

Always present: ids, times, aliases, programs, salesChannel and orderItems with their product. The
``includedData`` datasets add blocks: FULFILLMENT, PROCEEDS, BUYER, RECIPIENT, PACKAGES, CANCELLATION, PAYMENT
(TAX, EXPENSE, PROMOTION and FULFILLMENT_ORDERS exist in the model but the emulated orders have no such data).
Pending orders carry no prices or proceeds, as on Amazon.
"""

from __future__ import annotations

from typing import Any

from amazon_emulator.apis._orders_v0_shapes import person, was_paid
from amazon_emulator.clock import iso_ts
from amazon_emulator.data.marketplaces import MARKETPLACES
from amazon_emulator.data.models import CANCELED, PARTIALLY_SHIPPED, PENDING, SHIPPED, UNSHIPPED, Order

DAY = 86400.0
STATUS_2026 = {
    PENDING: "PENDING",
    UNSHIPPED: "UNSHIPPED",
    PARTIALLY_SHIPPED: "PARTIALLY_SHIPPED",
    SHIPPED: "SHIPPED",
    CANCELED: "CANCELLED",
    "PendingAvailability": "PENDING_AVAILABILITY",
    "Unfulfillable": "UNFULFILLABLE",
}
STATUS_FROM_2026 = {v: k for k, v in STATUS_2026.items()}
INCLUDED_DATA = ("BUYER", "RECIPIENT", "PROCEEDS", "EXPENSE", "PROMOTION", "CANCELLATION", "FULFILLMENT",
                 "PACKAGES", "TAX", "PAYMENT", "FULFILLMENT_ORDERS")  # fmt: skip
_LEVEL = {"Std US D2D Dom": "STANDARD", "Standard": "STANDARD", "Expedited": "EXPEDITED",
          "SecondDay": "SECOND_DAY", "NextDay": "NEXT_DAY"}  # fmt: skip
_CARRIERS = ("UPS", "USPS", "FedEx", "AMZN_US")


def money(amount: float, currency: str) -> dict[str, str]:
    return {"amount": f"{amount:.2f}", "currencyCode": currency}


def _window(start: float, end: float) -> dict[str, str]:
    return {"earliestDateTime": iso_ts(start), "latestDateTime": iso_ts(end)}


def _shipped_at(order: Order, now: float) -> float | None:
    for when, status in order.timeline:
        if when <= now and status in (PARTIALLY_SHIPPED, SHIPPED):
            return when
    return None


def order_2026(order: Order, now: float, included: frozenset[str]) -> dict[str, Any]:
    """An ``Order`` as seen at ``now`` with the requested ``includedData`` blocks."""
    status = order.status_at(now) or PENDING
    market = MARKETPLACES[order.marketplace_id]
    currency = market.currency
    paid = was_paid(order, now)
    t0 = order.purchase_ts
    body: dict[str, Any] = {
        "orderId": order.amazon_order_id,
        "createdTime": iso_ts(t0),
        "lastUpdatedTime": iso_ts(order.last_update_at(now) or t0),
    }
    if order.seller_order_id:
        body["orderAliases"] = [{"aliasId": order.seller_order_id, "aliasType": "SELLER_ORDER_ID"}]
    programs = [p for p, on in (("PRIME", order.is_prime), ("AMAZON_BUSINESS", order.is_business)) if on]
    if programs:
        body["programs"] = programs
    body["salesChannel"] = {
        "channelName": "AMAZON",
        "marketplaceId": market.marketplace_id,
        "marketplaceName": market.name,
    }
    p = person(order) if included & {"BUYER", "RECIPIENT"} else None
    if "BUYER" in included and p is not None:
        buyer: dict[str, Any] = {"buyerName": p.name, "buyerEmail": p.email}
        if p.company:
            buyer["buyerCompanyName"] = p.company
            buyer["buyerPurchaseOrderNumber"] = f"PO-{order.amazon_order_id[-7:]}"
        body["buyer"] = buyer
    if "RECIPIENT" in included and p is not None and status != PENDING:
        address: dict[str, Any] = {"name": p.name}
        if p.company:
            address["companyName"] = p.company
        address["addressLine1"] = p.address_line1
        if p.address_line2:
            address["addressLine2"] = p.address_line2
        address.update({"city": p.city, "stateOrRegion": p.state, "postalCode": p.postal_code,
                        "countryCode": p.country_code, "phone": p.phone,
                        "addressType": p.address_type.upper()})  # fmt: skip
        body["recipient"] = {"deliveryAddress": address}
    if "PROCEEDS" in included and paid:
        total = order.order_total()
        body["proceeds"] = {
            "grandTotal": money(total, currency),
            "breakdowns": [{"type": "ITEM", "subtotal": money(total, currency)}],
        }
    if "PAYMENT" in included and paid:
        body["payment"] = {
            "paymentExecutions": [
                {"paymentMethod": "CreditCard", "paymentAmount": money(order.order_total(), currency)}
            ]
        }
    if "FULFILLMENT" in included:
        fulfillment: dict[str, Any] = {
            "fulfillmentStatus": STATUS_2026.get(status, "PENDING"),
            "fulfilledBy": "AMAZON" if order.fulfillment_channel == "AFN" else "MERCHANT",
            "fulfillmentServiceLevel": _LEVEL.get(order.ship_service_level, "STANDARD"),
            "shipByWindow": _window(t0 + DAY, t0 + 2 * DAY),
        }
        if order.fulfillment_channel == "MFN":
            fulfillment["deliverByWindow"] = _window(t0 + 3 * DAY, t0 + 7 * DAY)
        body["fulfillment"] = fulfillment
    body["orderItems"] = [
        _item(order, index, status, now, included, paid) for index in range(len(order.items))
    ]
    shipped_at = _shipped_at(order, now)
    if "PACKAGES" in included and shipped_at is not None:
        body["packages"] = [_package(order, status, shipped_at, now)]
    return body


def _item(
    order: Order, index: int, status: str, now: float, included: frozenset[str], paid: bool
) -> dict[str, Any]:
    item = order.items[index]
    currency = MARKETPLACES[order.marketplace_id].currency
    product: dict[str, Any] = {
        "asin": item.product.asin,
        "title": item.product.title,
        "sellerSku": item.product.sku,
        "condition": {"conditionType": "NEW", "conditionSubtype": "NEW"},
    }
    if paid:
        product["price"] = {"unitPrice": money(item.unit_price, currency)}
    body: dict[str, Any] = {
        "orderItemId": item.order_item_id,
        "quantityOrdered": item.quantity,
        "measurement": {"unit": "COUNT", "value": item.quantity},
        "product": product,
    }
    if "PROCEEDS" in included and paid:
        line = item.unit_price * item.quantity
        body["proceeds"] = {
            "proceedsTotal": money(line, currency),
            "breakdowns": [{"type": "ITEM", "subtotal": money(line, currency)}],
        }
    if "CANCELLATION" in included and status == CANCELED:
        body["cancellation"] = {"cancellationExecution": {"cancelledBy": "AMAZON" if not paid else "SELLER",
                                                          "cancelReason": "NO_INVENTORY" if paid
                                                          else "PAYMENT_NOT_AUTHORIZED"}}  # fmt: skip
    if "FULFILLMENT" in included:
        done = item.quantity if status == SHIPPED or (status == PARTIALLY_SHIPPED and index == 0) else 0
        pending = 0 if status == CANCELED else item.quantity - done
        body["fulfillment"] = {"quantityFulfilled": done, "quantityUnfulfilled": pending}
    return body


def _package(order: Order, status: str, shipped_at: float, now: float) -> dict[str, Any]:
    seed = int(order.amazon_order_id.replace("-", "")[-9:])
    delivered = now >= shipped_at + 3 * DAY
    shipped_lines = order.items if status == SHIPPED else order.items[:1]
    return {
        "packageReferenceId": f"{seed % 10**9:09d}",
        "createdTime": iso_ts(shipped_at - 3600),
        "packageStatus": {"status": "DELIVERED" if delivered else "IN_TRANSIT"},
        "carrier": _CARRIERS[seed % len(_CARRIERS)],
        "shipTime": iso_ts(shipped_at),
        "shippingService": "Standard Shipping",
        "trackingNumber": f"1Z{seed:016d}",
        "packageItems": [{"orderItemId": i.order_item_id, "quantity": i.quantity} for i in shipped_lines],
    }
