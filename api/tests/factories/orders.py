"""Realistic Amazon payloads (shapes from the official models) full of PII that must never be stored,
and orders stored from them."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.orders.orders_api_mapping import order_rows_from_2026
from app.orders.repository import OrderRepository

PII_VALUES = (
    "Jane Q. Buyer",
    "jq8x2k@marketplace.amazon.com",
    "1 Infinite Loop",
    "Apartment 42",
    "Building C",
    "+1-206-555-0100",
    "Acme Buyer Corp",
    "PO-778899",
    "DE123456789",
    "Jane Legal GmbH",
    "Happy birthday Jane!",
    "https://custom.amazon.example/zip/123",
    "Changed my mind, Jane",
    "Receiver Name",
)


def order_2026(
    order_id: str = "113-0000001-0000001",
    *,
    updated: str = "2026-03-02T10:00:00Z",
    status: str = "SHIPPED",
    sku: str = "SKU-RED",
    price: str | None = "19.99",
) -> dict[str, Any]:
    unit = {"amount": price, "currencyCode": "USD"} if price is not None else None
    product: dict[str, Any] = {
        "asin": "B000RED001",
        "title": "Red mug",
        "sellerSku": sku,
        "condition": {"conditionType": "NEW"},
        "customization": {"customizedUrl": "https://custom.amazon.example/zip/123"},
    }
    if unit:
        product["price"] = {"unitPrice": unit}
    order: dict[str, Any] = {
        "orderId": order_id,
        "orderAliases": [{"aliasId": "S-1", "aliasType": "SELLER_ORDER_ID"}],
        "createdTime": "2026-03-01T08:30:00Z",
        "lastUpdatedTime": updated,
        "programs": ["PRIME"],
        "salesChannel": {
            "channelName": "AMAZON",
            "marketplaceId": "ATVPDKIKX0DER",
            "marketplaceName": "Amazon.com",
        },
        "buyer": {
            "buyerName": "Jane Q. Buyer",
            "buyerEmail": "jq8x2k@marketplace.amazon.com",
            "buyerCompanyName": "Acme Buyer Corp",
            "buyerPurchaseOrderNumber": "PO-778899",
        },
        "recipient": {
            "deliveryAddress": {
                "name": "Receiver Name",
                "addressLine1": "1 Infinite Loop",
                "addressLine2": "Apartment 42",
                "addressLine3": "Building C",
                "city": "Seattle",
                "stateOrRegion": "WA",
                "postalCode": "98101",
                "countryCode": "US",
                "phone": "+1-206-555-0100",
                "addressType": "RESIDENTIAL",
            },
            "deliveryPreference": {"addressInstruction": "Leave at the door"},
        },
        "tax": {
            "taxRegistrations": [
                {
                    "entityType": "BUYER",
                    "legalName": "Jane Legal GmbH",
                    "taxRegistrationType": "VAT",
                    "taxRegistrationNumber": "DE123456789",
                }
            ]
        },
        "fulfillment": {
            "fulfillmentStatus": status,
            "fulfilledBy": "MERCHANT",
            "fulfillmentServiceLevel": "STANDARD",
        },
        "orderItems": [
            {
                "orderItemId": "11111111111111",
                "quantityOrdered": 2,
                "product": product,
                "fulfillment": {
                    "quantityFulfilled": 2 if status == "SHIPPED" else 0,
                    "quantityUnfulfilled": 0 if status == "SHIPPED" else 2,
                    "packing": {
                        "giftOption": {"giftMessage": "Happy birthday Jane!", "giftWrapLevel": "Classic"}
                    },
                },
                "cancellation": {
                    "cancellationRequest": {"requester": "BUYER", "cancelReason": "Changed my mind, Jane"}
                },
            }
        ],
    }
    if price is not None:
        order["proceeds"] = {"grandTotal": {"amount": "45.97", "currencyCode": "USD"}}
    return order


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def store_order(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    connection_id: uuid.UUID,
    order_id: str,
    *,
    purchased: datetime,
    lines: Sequence[tuple[str, str, Decimal, int]],
    status: str = "SHIPPED",
    marketplace_id: str = "ATVPDKIKX0DER",
    currency: str = "USD",
) -> None:
    """An order (2026-01-01 payload, mapped and upserted as the sync does) with one line per
    (asin, sku, unit price, quantity)."""
    order = order_2026(order_id, updated=_z(purchased), status=status)
    order["createdTime"] = _z(purchased)
    order["salesChannel"]["marketplaceId"] = marketplace_id
    order["proceeds"]["grandTotal"] = {
        "amount": str(sum(price * quantity for _, _, price, quantity in lines)),
        "currencyCode": currency,
    }
    template = order["orderItems"][0]
    order["orderItems"] = []
    for n, (asin, sku, price, quantity) in enumerate(lines):
        item = copy.deepcopy(template)
        item["orderItemId"] = f"{order_id}-{n}"
        item["quantityOrdered"] = quantity
        item["product"].update(
            asin=asin, sellerSku=sku, price={"unitPrice": {"amount": str(price), "currencyCode": currency}}
        )
        order["orderItems"].append(item)
    await OrderRepository(session).upsert(order_rows_from_2026([order], tenant_id, connection_id))


def order_v0(
    order_id: str = "113-0000002-0000002", *, updated: str = "2026-03-02T10:00:00Z"
) -> dict[str, Any]:
    return {
        "AmazonOrderId": order_id,
        "PurchaseDate": "2026-03-01T08:30:00Z",
        "LastUpdateDate": updated,
        "OrderStatus": "Shipped",
        "FulfillmentChannel": "MFN",
        "SalesChannel": "Amazon.com",
        "ShipServiceLevel": "Std US D2D Dom",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": "45.97"},
        "NumberOfItemsShipped": 2,
        "NumberOfItemsUnshipped": 0,
        "MarketplaceId": "ATVPDKIKX0DER",
        "OrderType": "StandardOrder",
        "IsBusinessOrder": False,
        "IsPrime": False,
        "IsReplacementOrder": False,
        "ShippingAddress": {
            "Name": "Receiver Name",
            "AddressLine1": "1 Infinite Loop",
            "AddressLine2": "Apartment 42",
            "AddressLine3": "Building C",
            "City": "Seattle",
            "StateOrRegion": "WA",
            "PostalCode": "98101",
            "CountryCode": "US",
            "Phone": "+1-206-555-0100",
        },
        "BuyerInfo": {
            "BuyerEmail": "jq8x2k@marketplace.amazon.com",
            "BuyerName": "Jane Q. Buyer",
            "PurchaseOrderNumber": "PO-778899",
            "BuyerTaxInfo": {
                "CompanyLegalName": "Jane Legal GmbH",
                "TaxClassifications": [{"Name": "VAT", "Value": "DE123456789"}],
            },
        },
        "BuyerTaxInformation": {
            "BuyerLegalCompanyName": "Acme Buyer Corp",
            "BuyerTaxRegistrationId": "DE123456789",
        },
    }


def items_v0(order_id: str = "113-0000002-0000002") -> dict[str, Any]:
    return {
        "AmazonOrderId": order_id,
        "OrderItems": [
            {
                "ASIN": "B000RED001",
                "SellerSKU": "SKU-RED",
                "OrderItemId": "22222222222222",
                "Title": "Red mug",
                "QuantityOrdered": 2,
                "QuantityShipped": 2,
                "ItemPrice": {"CurrencyCode": "USD", "Amount": "39.98"},
                "ItemTax": {"CurrencyCode": "USD", "Amount": "3.00"},
                "ShippingPrice": {"CurrencyCode": "USD", "Amount": "2.99"},
                "BuyerInfo": {
                    "GiftMessageText": "Happy birthday Jane!",
                    "BuyerCustomizedInfo": {"CustomizedURL": "https://custom.amazon.example/zip/123"},
                },
                "BuyerRequestedCancel": {
                    "IsBuyerRequestedCancel": "true",
                    "BuyerCancelReason": "Changed my mind, Jane",
                },
            }
        ],
    }


REPORT_HEADER = (
    "amazon-order-id\tmerchant-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
    "sales-channel\torder-channel\turl\tship-service-level\tproduct-name\tsku\tasin\titem-status\tquantity\t"
    "currency\titem-price\titem-tax\tshipping-price\tshipping-tax\tgift-wrap-price\tgift-wrap-tax\t"
    "item-promotion-discount\tship-promotion-discount\tship-city\tship-state\tship-postal-code\tship-country\t"
    "promotion-ids\tis-business-order\tpurchase-order-number\tprice-designation\tbuyer-email\tbuyer-name\t"
    "ship-address-1\tship-phone-number"
)


def report_line(
    order_id: str,
    *,
    sku: str = "SKU-RED",
    asin: str = "B000RED001",
    status: str = "Shipped",
    updated: str = "2026-03-02T10:00:00+00:00",
    price: str = "39.98",
    tax: str = "3.00",
    ship: str = "2.99",
    quantity: str = "2",
    item_status: str = "Shipped",
) -> str:
    return "\t".join(
        [
            order_id, "", "2026-03-01T08:30:00+00:00", updated, status, "Merchant", "Amazon.com", "", "",
            "Standard", "Red mug", sku, asin, item_status, quantity, "USD" if price else "", price, tax, ship,
            "", "", "", "", "", "Seattle", "WA", "98101", "US", "", "false", "PO-778899", "",
            "jq8x2k@marketplace.amazon.com", "Jane Q. Buyer", "1 Infinite Loop", "+1-206-555-0100",
        ]
    )  # fmt: skip
