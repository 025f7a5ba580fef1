"""Orders API 2026-01-01: ``searchOrders`` and ``getOrder``.

No payload wrapper: ``{orders, pagination?: {nextToken}, createdBefore | lastUpdatedBefore}`` and
``{order}``. Errors are an ``ErrorList``. PII comes through ``includedData`` (BUYER, RECIPIENT) under the
application's roles; RDTs are not used by this API. A ``paginationToken`` lives 24 Amazon hours and the other
parameters must match the first request, except ``maxResultsPerPage`` and ``includedData``.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import QueryParams

from amazon_emulator.apis import _orders_query as q
from amazon_emulator.apis._orders_2026_shapes import INCLUDED_DATA, STATUS_FROM_2026, order_2026
from amazon_emulator.auth import Caller, sp_operation
from amazon_emulator.clock import iso_ts
from amazon_emulator.data.models import Seller
from amazon_emulator.errors import SpApiError, unauthorized
from amazon_emulator.state import EmulatorState, get_state

router = APIRouter(tags=["Orders 2026-01-01"])

ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")
DATE_NAMES = ("createdAfter", "createdBefore", "lastUpdatedAfter", "lastUpdatedBefore")
FILTER_NAMES = (*DATE_NAMES, "fulfillmentStatuses", "marketplaceIds", "fulfilledBy")

SearchOrders = Annotated[Caller, Depends(sp_operation("orders2026.searchOrders"))]
GetOrder = Annotated[Caller, Depends(sp_operation("orders2026.getOrder"))]


def _seller(state: EmulatorState, caller: Caller) -> Seller:
    seller = state.seller(caller.require_seller())
    if seller is None:
        raise unauthorized("")
    return seller


def _included(params: QueryParams) -> frozenset[str]:
    values = q.list_param(params, "includedData") or []
    unknown = [v for v in values if v not in INCLUDED_DATA]
    if unknown:
        raise q.bad(f"Invalid includedData value(s): {', '.join(unknown)}.")
    return frozenset(values)


def _signature(params: QueryParams) -> tuple[tuple[str, str], ...]:
    out = []
    for name in FILTER_NAMES:
        values = q.list_param(params, name)
        if values:
            out.append((name, ",".join(sorted(values))))
    return tuple(out)


def _filters(params: QueryParams, seller: Seller) -> q.OrderFilter:
    markets = q.list_param(params, "marketplaceIds", 50) or seller.marketplace_ids()
    unknown = [m for m in markets if m not in seller.marketplace_ids()]
    if unknown:
        raise q.bad(f"Invalid marketplaceIds: {', '.join(unknown)}.")
    statuses = q.list_param(params, "fulfillmentStatuses")
    if statuses and any(s not in STATUS_FROM_2026 for s in statuses):
        raise q.bad("Invalid fulfillmentStatuses value.")
    fulfilled_by = q.list_param(params, "fulfilledBy")
    if fulfilled_by and any(f not in ("MERCHANT", "AMAZON") for f in fulfilled_by):
        raise q.bad("Invalid fulfilledBy value.")
    channels = {"AFN" if f == "AMAZON" else "MFN" for f in fulfilled_by} if fulfilled_by else None
    return q.OrderFilter(
        marketplace_ids=set(markets),
        statuses={STATUS_FROM_2026[s] for s in statuses} if statuses else None,
        channels=channels,
    )


@router.get("/orders/2026-01-01/orders")
async def search_orders(request: Request, caller: SearchOrders) -> dict[str, Any]:
    """searchOrders: orders created or updated in a window, with ``pagination.nextToken``."""
    state = get_state(request)
    seller = _seller(state, caller)
    params = request.query_params
    now = state.clock.time()
    size = q.int_param(params, "maxResultsPerPage", 100, 1, 100)
    included = _included(params)
    token = params.get("paginationToken")
    signature = _signature(params)
    if token:
        cursor = q.load_cursor(state, token, seller.selling_partner_id, "orders2026", "paginationToken")
        if signature != cursor.signature:
            raise q.bad(
                "All parameters except maxResultsPerPage and includedData must match the first request."
            )
    else:
        window = q.date_window(params, now, DATE_NAMES)
        ids = q.search(seller, window, _filters(params, seller), now)
        cursor = q.Cursor(seller.selling_partner_id, "orders2026", ids, 0, window, signature)
    page_ids, next_token = q.page(state, cursor, size)
    body: dict[str, Any] = {"orders": [order_2026(seller.orders_by_id[i], now, included) for i in page_ids]}
    if next_token:
        body["pagination"] = {"nextToken": next_token}
    key = "lastUpdatedBefore" if cursor.window.by_update else "createdBefore"
    body[key] = iso_ts(cursor.window.before)
    return body


@router.get("/orders/2026-01-01/orders/{orderId}")
async def get_order(orderId: str, request: Request, caller: GetOrder) -> dict[str, Any]:
    state = get_state(request)
    seller = _seller(state, caller)
    included = _included(request.query_params)
    # A malformed id is invalid input, as in Orders v0 (Amazon's sandbox: orderId=TEST_CASE_400 -> 400);
    # only a well-formed unknown id is 404.
    if not ORDER_ID.match(orderId):
        raise q.bad("Invalid orderId: it must be in 3-7-7 format.", "Invalid Input")
    now = state.clock.time()
    order = seller.orders_by_id.get(orderId)
    if order is None or not q.visible(order, now):
        raise SpApiError(404, "NotFound", "The requested order was not found.", "")
    return {"order": order_2026(order, now, included)}
