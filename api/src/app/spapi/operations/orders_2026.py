"""Orders API 2026-01-01 (the default): searchOrders and getOrder. Items come with each order; PII
comes from `includedData=BUYER|RECIPIENT` under role-based access, so no RDT is ever minted here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from app.amazon_http.errors import request_id_of
from app.spapi.operations.orders import (
    AmazonOrder,
    BuyerInfo,
    OrderQuery,
    OrdersPage,
    ShippingAddress,
    without,
)
from app.spapi.primitives import Operation, OrdersVersion, QueryValue, SpApiCaller, parse_time

SEARCH_ORDERS = Operation("orders2026", "searchOrders", "GET", "/orders/2026-01-01/orders")
GET_ORDER = Operation("orders2026", "getOrder", "GET", "/orders/2026-01-01/orders/{orderId}")

_PII_KEYS = frozenset({"buyer", "recipient"})
# Non-PII blocks the sync stores: money and fulfillment details.
_SYNC_DATA = ["PROCEEDS", "FULFILLMENT"]


def amazon_order_2026(raw: dict[str, Any]) -> AmazonOrder:
    return AmazonOrder(
        version="2026-01-01", amazon_order_id=str(raw["orderId"]), payload=without(raw, _PII_KEYS)
    )


class Orders2026Api:
    version: OrdersVersion = "2026-01-01"

    def __init__(self, client: SpApiCaller) -> None:
        self._client = client

    async def search(self, query: OrderQuery, *, page_token: str | None = None) -> AsyncIterator[OrdersPage]:
        params: dict[str, QueryValue] = {
            "marketplaceIds": list(query.marketplace_ids),
            "createdAfter": query.created_after,
            "createdBefore": query.created_before,
            "lastUpdatedAfter": query.last_updated_after,
            "lastUpdatedBefore": query.last_updated_before,
            "fulfillmentStatuses": [s for s in query.statuses if s != "INVOICE_UNCONFIRMED"],
            "maxResultsPerPage": query.max_results,
            "includedData": _SYNC_DATA,
        }
        token = page_token
        while True:
            response = await self._client.call(SEARCH_ORDERS, params={**params, "paginationToken": token})
            body = response.json()
            token = (body.get("pagination") or {}).get("nextToken") or None
            yield OrdersPage(
                orders=[amazon_order_2026(o) for o in body.get("orders", [])],
                next_token=token,
                created_before=parse_time(body["createdBefore"]) if body.get("createdBefore") else None,
                last_updated_before=parse_time(body["lastUpdatedBefore"])
                if body.get("lastUpdatedBefore")
                else None,
                request_id=request_id_of(response),
            )
            if token is None:
                return

    async def get_order(self, order_id: str) -> AmazonOrder:
        body = await self._client.call_json(
            GET_ORDER, path_params={"orderId": order_id}, params={"includedData": _SYNC_DATA}
        )
        return amazon_order_2026(body["order"])

    async def get_items(self, order_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = (await self.get_order(order_id)).payload.get("orderItems") or []
        return items

    async def _get_pii(self, order_id: str, block: str) -> dict[str, Any]:
        body = await self._client.call_json(
            GET_ORDER, path_params={"orderId": order_id}, params={"includedData": [block]}
        )
        order: dict[str, Any] = body.get("order") or {}
        return order

    async def get_address(self, order_id: str) -> ShippingAddress | None:
        order = await self._get_pii(order_id, "RECIPIENT")
        address = (order.get("recipient") or {}).get("deliveryAddress")
        if not address:
            return None
        return ShippingAddress(
            name=address.get("name"),
            address_line1=address.get("addressLine1"),
            address_line2=address.get("addressLine2"),
            address_line3=address.get("addressLine3"),
            city=address.get("city"),
            state_or_region=address.get("stateOrRegion"),
            postal_code=address.get("postalCode"),
            country_code=address.get("countryCode"),
            phone=address.get("phone"),
            address_type=address.get("addressType"),
        )

    async def get_buyer(self, order_id: str) -> BuyerInfo | None:
        buyer = (await self._get_pii(order_id, "BUYER")).get("buyer")
        if not buyer:
            return None
        return BuyerInfo(
            buyer_name=buyer.get("buyerName"),
            buyer_email=buyer.get("buyerEmail"),
            buyer_company_name=buyer.get("buyerCompanyName"),
            purchase_order_number=buyer.get("buyerPurchaseOrderNumber"),
        )
