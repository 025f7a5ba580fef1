"""Orders API v0 (deprecated by Amazon, still served).

Operations: getOrders, getOrder, getOrderBuyerInfo, getOrderAddress, getOrderItems, getOrderItemsBuyerInfo.

Responses use the ``{"payload": ...}`` wrapper (errors: ``{"errors": [...]}``). Restricted data: getOrders,
getOrder and getOrderItems accept an RDT and return buyer info / full shipping address only for the
``dataElements`` it grants; getOrderAddress, getOrderBuyerInfo and getOrderItemsBuyerInfo answer 403
without an RDT covering their path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.datastructures import QueryParams

from amazon_emulator.apis import _orders_query as q
from amazon_emulator.apis._orders_v0_shapes import (
    ADDRESS_STATUSES,
    buyer_info,
    full_address,
    order_items_v0,
    order_v0,
    person,
)
from amazon_emulator.auth import Caller, sp_operation
from amazon_emulator.clock import iso_ts
from amazon_emulator.data.models import Order, Seller
from amazon_emulator.errors import SpApiError, unauthorized
from amazon_emulator.state import EmulatorState, get_state

router = APIRouter(tags=["Orders v0"])

DAY = 86400.0
ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")
V0_STATUSES = {"PendingAvailability", "Pending", "Unshipped", "PartiallyShipped", "Shipped",
               "InvoiceUnconfirmed", "Canceled", "Unfulfillable"}  # fmt: skip
DATE_NAMES = ("CreatedAfter", "CreatedBefore", "LastUpdatedAfter", "LastUpdatedBefore")

GetOrders = Annotated[Caller, Depends(sp_operation("ordersV0.getOrders", rdt=True))]
GetOrder = Annotated[Caller, Depends(sp_operation("ordersV0.getOrder", rdt=True))]
GetOrderBuyerInfo = Annotated[Caller, Depends(sp_operation("ordersV0.getOrderBuyerInfo", rdt=True))]
GetOrderAddress = Annotated[Caller, Depends(sp_operation("ordersV0.getOrderAddress", rdt=True))]
GetOrderItems = Annotated[Caller, Depends(sp_operation("ordersV0.getOrderItems", rdt=True))]
GetOrderItemsBuyerInfo = Annotated[Caller, Depends(sp_operation("ordersV0.getOrderItemsBuyerInfo", rdt=True))]


def _seller(state: EmulatorState, caller: Caller) -> Seller:
    seller = state.seller(caller.require_seller())
    if seller is None:
        raise unauthorized("")
    return seller


def _granted(request: Request, caller: Caller, *, required: bool) -> frozenset[str]:
    """Data elements an RDT grants for this call; 403 if an RDT is used (or required) but misses it."""
    if caller.rdt is None:
        if required:
            raise unauthorized("")
        return frozenset()
    resource = caller.rdt.find(request.method, request.url.path)
    if resource is None:
        raise unauthorized("")
    return resource.data_elements


def _order(state: EmulatorState, seller: Seller, order_id: str) -> Order:
    if not ORDER_ID.match(order_id):
        raise q.bad("Invalid AmazonOrderId: it must be in 3-7-7 format.", "Invalid Input")
    order = seller.orders_by_id.get(order_id)
    now = state.clock.time()
    if order is None or not q.visible(order, now):
        raise SpApiError(404, "NotFound", "The requested order was not found.", "")
    return order


def _filters(request: Request, seller: Seller) -> q.OrderFilter:
    params = request.query_params
    markets = q.list_param(params, "MarketplaceIds", 50)
    if not markets:
        raise q.bad("Missing required parameter: MarketplaceIds.")
    unknown = [m for m in markets if m not in seller.marketplace_ids()]
    if unknown:
        raise q.bad(f"Invalid MarketplaceIds: {', '.join(unknown)}.")
    statuses = q.list_param(params, "OrderStatuses")
    if statuses and any(s not in V0_STATUSES for s in statuses):
        raise q.bad("Invalid OrderStatuses value.")
    channels = q.list_param(params, "FulfillmentChannels")
    if channels and any(c not in ("AFN", "MFN") for c in channels):
        raise q.bad("Invalid FulfillmentChannels value.")
    payments = q.list_param(params, "PaymentMethods")
    if payments and any(p not in ("COD", "CVS", "Other") for p in payments):
        raise q.bad("Invalid PaymentMethods value.")
    order_ids = q.list_param(params, "AmazonOrderIds", 50)
    if order_ids and any(not ORDER_ID.match(o) for o in order_ids):
        raise q.bad("AmazonOrderIds must be in 3-7-7 format.")
    seller_order_id = params.get("SellerOrderId") or None
    if seller_order_id is not None:
        clash = [n for n in ("FulfillmentChannels", "OrderStatuses", "PaymentMethods", "LastUpdatedAfter",
                             "LastUpdatedBefore", "BuyerEmail") if params.get(n)]  # fmt: skip
        if clash:
            raise q.bad(f"{', '.join(clash)} cannot be set when SellerOrderId is set.")
    flt = q.OrderFilter(
        marketplace_ids=set(markets),
        statuses=set(statuses) if statuses else None,
        channels=set(channels) if channels else None,
        payment_methods=set(payments) if payments else None,
        seller_order_id=seller_order_id,
        order_ids=set(order_ids) if order_ids else None,
        predicates=_rare_filters(params),
    )
    email = params.get("BuyerEmail")
    if email:
        flt.buyer_email = email
    return flt


@router.get("/orders/v0/orders")
async def get_orders(request: Request, caller: GetOrders) -> dict[str, Any]:
    """getOrders: orders created or updated in a window, 100 per page at most, ``NextToken`` pagination."""
    state = get_state(request)
    seller = _seller(state, caller)
    granted = _granted(request, caller, required=False)
    params = request.query_params
    now = state.clock.time()
    size = q.int_param(params, "MaxResultsPerPage", 100, 1, 100)
    token = params.get("NextToken")
    flt = _filters(request, seller)
    if token:
        # NextToken keeps the original filters; the resent ones are not re-validated (the 2-minute rule would
        # otherwise reject a later page of the same search).
        cursor = q.load_cursor(state, token, seller.selling_partner_id, "ordersV0", "NextToken")
    else:
        window = q.date_window(params, now, DATE_NAMES)
        ids = q.search(seller, window, flt, now)
        if flt.buyer_email:
            ids = [i for i in ids if person(seller.orders_by_id[i]).email == flt.buyer_email]
        cursor = q.Cursor(seller.selling_partner_id, "ordersV0", ids, 0, window)
    page_ids, next_token = q.page(state, cursor, size)
    payload: dict[str, Any] = {"Orders": [order_v0(seller.orders_by_id[i], now, granted) for i in page_ids]}
    if next_token:
        payload["NextToken"] = next_token
    key = "LastUpdatedBefore" if cursor.window.by_update else "CreatedBefore"
    payload[key] = iso_ts(cursor.window.before)
    return {"payload": payload}


@router.get("/orders/v0/orders/{orderId}")
async def get_order(orderId: str, request: Request, caller: GetOrder) -> dict[str, Any]:
    state = get_state(request)
    seller = _seller(state, caller)
    granted = _granted(request, caller, required=False)
    order = _order(state, seller, orderId)
    return {"payload": order_v0(order, state.clock.time(), granted)}


@router.get("/orders/v0/orders/{orderId}/buyerInfo")
async def get_order_buyer_info(orderId: str, request: Request, caller: GetOrderBuyerInfo) -> dict[str, Any]:
    state = get_state(request)
    seller = _seller(state, caller)
    _granted(request, caller, required=True)
    order = _order(state, seller, orderId)
    return {"payload": {"AmazonOrderId": order.amazon_order_id, **buyer_info(order, person(order))}}


@router.get("/orders/v0/orders/{orderId}/address")
async def get_order_address(orderId: str, request: Request, caller: GetOrderAddress) -> dict[str, Any]:
    state = get_state(request)
    seller = _seller(state, caller)
    _granted(request, caller, required=True)
    order = _order(state, seller, orderId)
    payload: dict[str, Any] = {"AmazonOrderId": order.amazon_order_id}
    if (order.status_at(state.clock.time()) or "") in ADDRESS_STATUSES:
        p = person(order)
        payload["ShippingAddress"] = full_address(p)
        if p.company:
            payload["BuyerCompanyName"] = p.company
    return {"payload": payload}


@router.get("/orders/v0/orders/{orderId}/orderItems")
async def get_order_items(orderId: str, request: Request, caller: GetOrderItems) -> dict[str, Any]:
    state = get_state(request)
    seller = _seller(state, caller)
    _granted(request, caller, required=False)
    order = _order(state, seller, orderId)
    if request.query_params.get("NextToken"):
        # Every emulated order fits in one page, so any NextToken is one we never issued.
        raise q.bad("Invalid NextToken.")
    return {"payload": {"OrderItems": order_items_v0(order, state.clock.time()), "AmazonOrderId": orderId}}


@router.get("/orders/v0/orders/{orderId}/orderItems/buyerInfo")
async def get_order_items_buyer_info(
    orderId: str, request: Request, caller: GetOrderItemsBuyerInfo
) -> dict[str, Any]:
    state = get_state(request)
    seller = _seller(state, caller)
    _granted(request, caller, required=True)
    order = _order(state, seller, orderId)
    items = [{"OrderItemId": item.order_item_id} for item in order.items]
    return {"payload": {"OrderItems": items, "AmazonOrderId": orderId}}


EASY_SHIP = {"PendingSchedule", "PendingPickUp", "PendingDropOff", "LabelCanceled", "PickedUp", "DroppedOff",
             "AtOriginFC", "AtDestinationFC", "Delivered", "RejectedByBuyer", "Undeliverable",
             "ReturningToSeller", "ReturnedToSeller", "Lost", "OutForDelivery", "Damaged"}  # fmt: skip
INVOICE_STATUSES = {"NotRequired", "NotFound", "Processing", "Errored", "Accepted"}
DELIVERY_FILTERS = {
    "EarliestDeliveryDateAfter": (3 * DAY, True),
    "EarliestDeliveryDateBefore": (3 * DAY, False),
    "LatestDeliveryDateAfter": (7 * DAY, True),
    "LatestDeliveryDateBefore": (7 * DAY, False),
}


def _never(order: Order) -> bool:
    return False


def _delivery_predicate(offset: float, bound: float, after: bool) -> Callable[[Order], bool]:
    # Only seller-fulfilled orders carry delivery dates (purchase + 3 / + 7 days).
    def predicate(order: Order) -> bool:
        if order.fulfillment_channel != "MFN":
            return False
        when = order.purchase_ts + offset
        return when >= bound if after else when <= bound

    return predicate


def _rare_filters(params: QueryParams) -> list[Callable[[Order], bool]]:
    """Filters on features no emulated order has (Easy Ship, in-store pickup, ...) and delivery dates."""
    predicates: list[Callable[[Order], bool]] = []
    easy_ship = q.list_param(params, "EasyShipShipmentStatuses")
    if easy_ship:
        if any(s not in EASY_SHIP for s in easy_ship):
            raise q.bad("Invalid EasyShipShipmentStatuses value.")
        predicates.append(_never)
    invoices = q.list_param(params, "ElectronicInvoiceStatuses")
    if invoices:
        if any(s not in INVOICE_STATUSES for s in invoices):
            raise q.bad("Invalid ElectronicInvoiceStatuses value.")
        if "NotRequired" not in invoices:
            predicates.append(_never)
    ispu = params.get("IsISPU")
    if ispu is not None and ispu != "":
        if ispu.lower() not in ("true", "false"):
            raise q.bad("IsISPU must be true or false.")
        if ispu.lower() == "true":
            predicates.append(_never)
    if params.get("StoreChainStoreId") or params.get("ActualFulfillmentSupplySourceId"):
        predicates.append(_never)
    for name, (offset, after) in DELIVERY_FILTERS.items():
        bound = q.time_param(params, name)
        if bound is not None:
            predicates.append(_delivery_predicate(offset, bound, after))
    return predicates
