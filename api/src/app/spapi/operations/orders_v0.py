"""Orders API v0 (deprecated by Amazon, retiring 2027-03-27): getOrders, getOrder, getOrderItems,
getOrderAddress and getOrderBuyerInfo (the last two with an RDT, the only restricted calls here)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from app.amazon_http.errors import request_id_of
from app.spapi.auth import RestrictedResource
from app.spapi.operations.orders import (
    AmazonOrder,
    BuyerInfo,
    OrderQuery,
    OrdersPage,
    ShippingAddress,
    without,
)
from app.spapi.operations.orders_vocabulary import V0_STATUS
from app.spapi.primitives import Operation, OrdersVersion, QueryValue, SpApiCaller, parse_time

GET_ORDERS = Operation("ordersV0", "getOrders", "GET", "/orders/v0/orders")
GET_ORDER = Operation("ordersV0", "getOrder", "GET", "/orders/v0/orders/{orderId}")
GET_ORDER_ITEMS = Operation("ordersV0", "getOrderItems", "GET", "/orders/v0/orders/{orderId}/orderItems")
GET_ORDER_ADDRESS = Operation("ordersV0", "getOrderAddress", "GET", "/orders/v0/orders/{orderId}/address")
GET_ORDER_BUYER_INFO = Operation(
    "ordersV0", "getOrderBuyerInfo", "GET", "/orders/v0/orders/{orderId}/buyerInfo"
)

# Restricted blocks: present only with an RDT, and never kept in `payload`.
_PII_KEYS = frozenset(
    {"ShippingAddress", "BuyerInfo", "BuyerTaxInformation", "DefaultShipFromLocationAddress"}
)
_ITEM_PII_KEYS = frozenset({"BuyerInfo", "BuyerRequestedCancel"})


def amazon_order_v0(raw: dict[str, Any]) -> AmazonOrder:
    return AmazonOrder(
        version="v0", amazon_order_id=str(raw["AmazonOrderId"]), payload=without(raw, _PII_KEYS)
    )


class OrdersV0Api:
    version: OrdersVersion = "v0"

    def __init__(self, client: SpApiCaller) -> None:
        self._client = client

    async def search(self, query: OrderQuery, *, page_token: str | None = None) -> AsyncIterator[OrdersPage]:
        params: dict[str, QueryValue] = {
            "MarketplaceIds": list(query.marketplace_ids),
            "CreatedAfter": query.created_after,
            "CreatedBefore": query.created_before,
            "LastUpdatedAfter": query.last_updated_after,
            "LastUpdatedBefore": query.last_updated_before,
            "OrderStatuses": [V0_STATUS[s] for s in query.statuses],
            "MaxResultsPerPage": query.max_results,
        }
        token = page_token
        while True:
            # v0 keeps the filters with NextToken (Amazon's own example resends them).
            response = await self._client.call(GET_ORDERS, params={**params, "NextToken": token})
            payload = response.json().get("payload") or {}
            token = payload.get("NextToken") or None
            yield OrdersPage(
                orders=[amazon_order_v0(o) for o in payload.get("Orders", [])],
                next_token=token,
                created_before=parse_time(payload["CreatedBefore"]) if payload.get("CreatedBefore") else None,
                last_updated_before=parse_time(payload["LastUpdatedBefore"])
                if payload.get("LastUpdatedBefore")
                else None,
                request_id=request_id_of(response),
            )
            if token is None:
                return

    async def get_order(self, order_id: str) -> AmazonOrder:
        body = await self._client.call_json(GET_ORDER, path_params={"orderId": order_id})
        return amazon_order_v0(body["payload"])

    async def get_items(self, order_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            body = await self._client.call_json(
                GET_ORDER_ITEMS, path_params={"orderId": order_id}, params={"NextToken": token}
            )
            payload = body.get("payload") or {}
            items.extend(without(i, _ITEM_PII_KEYS) for i in payload.get("OrderItems", []))
            token = payload.get("NextToken") or None
            if token is None:
                return items

    async def get_address(self, order_id: str) -> ShippingAddress | None:
        path = GET_ORDER_ADDRESS.render({"orderId": order_id})
        body = await self._client.call_json(
            GET_ORDER_ADDRESS,
            path_params={"orderId": order_id},
            restricted=[RestrictedResource.of("GET", path)],
        )
        address = (body.get("payload") or {}).get("ShippingAddress")
        if not address:
            return None
        return ShippingAddress(
            name=address.get("Name"),
            address_line1=address.get("AddressLine1"),
            address_line2=address.get("AddressLine2"),
            address_line3=address.get("AddressLine3"),
            city=address.get("City"),
            state_or_region=address.get("StateOrRegion"),
            postal_code=address.get("PostalCode"),
            country_code=address.get("CountryCode"),
            phone=address.get("Phone"),
            address_type=address.get("AddressType"),
        )

    async def get_buyer(self, order_id: str) -> BuyerInfo | None:
        path = GET_ORDER_BUYER_INFO.render({"orderId": order_id})
        body = await self._client.call_json(
            GET_ORDER_BUYER_INFO,
            path_params={"orderId": order_id},
            restricted=[RestrictedResource.of("GET", path)],
        )
        payload = body.get("payload")
        if not payload:
            return None
        return BuyerInfo(
            buyer_name=payload.get("BuyerName"),
            buyer_email=payload.get("BuyerEmail"),
            buyer_company_name=payload.get("BuyerCompanyName"),
            purchase_order_number=payload.get("PurchaseOrderNumber"),
        )
