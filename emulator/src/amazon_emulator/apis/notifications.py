"""Notifications API v1: destinations (grantless, per application), subscriptions (per seller) and delivery.

What is published:

* ``ORDER_CHANGE`` for admin activity (the events bus, at once) and for status changes that happen as time
  passes. The latter are found by a poll (``changes_between`` since the last poll): a background task polls
  every second under uvicorn, and ``POST /_emulator/notifications/poll`` polls on demand (in-process tests).
  An order change is published once (later changes of the same order at or before the last published one
  are skipped).
* ``REPORT_PROCESSING_FINISHED``, ``FEED_PROCESSING_FINISHED``, ``DATA_KIOSK_QUERY_PROCESSING_FINISHED`` when
  a job is seen finished (on any read of the job, or by the poll), to the subscriptions of the application
  that created the job.
* ``APPLICATION_OAUTH_CLIENT_NEW_SECRET`` (see :mod:`.applications`).

Extension (not Amazon): ``resourceSpecification: {"http": {"url": ...}}`` makes a destination that receives
each message by HTTP POST.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, FastAPI, Request

from amazon_emulator.apis import _notifications_publish as pub
from amazon_emulator.apis._pages import csv_param, load_token, save_token
from amazon_emulator.auth import GRANTLESS_NOTIFICATIONS, Caller, sp_operation
from amazon_emulator.data.activity import changes_between
from amazon_emulator.errors import SpApiError, invalid_input, not_found
from amazon_emulator.events import Event
from amazon_emulator.state import EmulatorState, get_state

log = logging.getLogger(__name__)
router = APIRouter(tags=["Notifications"])
admin = APIRouter(prefix="/_emulator/notifications", tags=["Emulator admin"])

JOB_TYPES = ("REPORT_PROCESSING_FINISHED", "FEED_PROCESSING_FINISHED", "DATA_KIOSK_QUERY_PROCESSING_FINISHED")
SUPPORTED_TYPES = ("ORDER_CHANGE", *JOB_TYPES)
EVENTBRIDGE_ONLY = (
    "BRANDED_ITEM_CONTENT_CHANGE", "ITEM_PRODUCT_TYPE_CHANGE", "LISTINGS_ITEM_STATUS_CHANGE",
    "LISTINGS_ITEM_ISSUES_CHANGE", "LISTINGS_ITEM_MFN_QUANTITY_CHANGE", "PRODUCT_TYPE_DEFINITIONS_CHANGE",
)  # fmt: skip
_SQS_ARN = re.compile(r"^arn:aws:sqs:\S+:\S+:\S+")
POLL_SECONDS = 1.0


def _op(name: str, grantless: bool = False) -> Any:
    scope = GRANTLESS_NOTIFICATIONS if grantless else None
    return Depends(sp_operation(f"notifications.{name}", grantless_scope=scope))


CreateDestination = Annotated[Caller, _op("createDestination", True)]
GetDestinations = Annotated[Caller, _op("getDestinations", True)]
GetDestination = Annotated[Caller, _op("getDestination", True)]
DeleteDestination = Annotated[Caller, _op("deleteDestination", True)]
CreateSubscription = Annotated[Caller, _op("createSubscription")]
GetSubscription = Annotated[Caller, _op("getSubscription")]
GetSubscriptions = Annotated[Caller, _op("getSubscriptions")]
GetSubscriptionById = Annotated[Caller, _op("getSubscriptionById", True)]
DeleteSubscriptionById = Annotated[Caller, _op("deleteSubscriptionById", True)]


@dataclass
class Store:
    destinations: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    # seller id -> epoch of the last ORDER_CHANGE poll; order id -> newest change time already published.
    watermarks: dict[str, float] = field(default_factory=dict)
    published: dict[str, float] = field(default_factory=dict)
    # application id -> destination id for APPLICATION_OAUTH_* (the Developer Console setting).
    rotation_destinations: dict[str, str] = field(default_factory=dict)
    publisher: pub.Publisher = field(default_factory=pub.Publisher)
    lock: threading.RLock = field(default_factory=threading.RLock)


def store(state: EmulatorState) -> Store:
    return state.extension("notifications", Store)


def _conflict(message: str) -> SpApiError:
    return SpApiError(409, "Conflict", message)


def deliver(
    state: EmulatorState, destination_id: str, notification_type: str, message: dict[str, Any]
) -> None:
    s = store(state)
    destination = s.destinations.get(destination_id)
    target = destination["resource"] if destination else {}
    s.publisher.send(pub.Delivery(notification_type, destination_id, target, message))


def _subscriptions(state: EmulatorState, seller_id: str, notification_type: str) -> list[dict[str, Any]]:
    with store(state).lock:
        return [
            sub
            for sub in store(state).subscriptions.values()
            if sub["seller"] == seller_id and sub["type"] == notification_type
        ]


def _publish_order(state: EmulatorState, seller_id: str, order_id: str, at: float) -> None:
    seller = state.seller(seller_id)
    order = seller.orders_by_id.get(order_id) if seller else None
    if order is None:
        return
    s = store(state)
    with s.lock:
        if s.published.get(order_id, float("-inf")) >= at:
            return
        s.published[order_id] = at
    now = state.clock.time()
    for sub in _subscriptions(state, seller_id, "ORDER_CHANGE"):
        event_filter = (sub.get("processingDirective") or {}).get("eventFilter") or {}
        markets = event_filter.get("marketplaceIds")
        kinds = event_filter.get("orderChangeTypes")
        if (markets and order.marketplace_id not in markets) or (kinds and "OrderStatusChange" not in kinds):
            continue
        meta = pub.metadata(sub["application"], sub["subscriptionId"], now)
        deliver(
            state, sub["destinationId"], "ORDER_CHANGE", pub.order_change(seller_id, order, at, meta, now)
        )


def _on_event(state: EmulatorState, event_type: str, event: Event) -> None:
    if event_type == "ORDER_CHANGE":
        _publish_order(state, event["selling_partner_id"], event["amazon_order_id"], event["event_ts"])
        return
    if event_type not in JOB_TYPES:
        return
    now = state.clock.time()
    payload = pub.job_payload(event_type, event)
    for sub in _subscriptions(state, event["selling_partner_id"], event_type):
        if sub["application"] != event.get("application_id"):
            continue
        meta = pub.metadata(sub["application"], sub["subscriptionId"], now)
        deliver(state, sub["destinationId"], event_type, pub.camel_envelope(event_type, payload, meta, now))


def poll(state: EmulatorState) -> int:
    """Publish what happened since the last poll: order changes by time passing, finished jobs."""
    from amazon_emulator.apis import datakiosk, feeds, reports

    reports.settle_jobs(state)
    feeds.settle_jobs(state)
    datakiosk.settle_jobs(state)
    s = store(state)
    now = state.clock.time()
    count = 0
    with s.lock:
        sellers = {sub["seller"] for sub in s.subscriptions.values() if sub["type"] == "ORDER_CHANGE"}
    for seller_id in sorted(sellers):
        seller = state.seller(seller_id)
        with s.lock:
            since = s.watermarks.get(seller_id, now)
            s.watermarks[seller_id] = now
        if seller is None:
            continue
        for when, order in changes_between(seller, since, now):
            _publish_order(state, seller_id, order.amazon_order_id, when)
            count += 1
    return count


async def _poller(state: EmulatorState) -> None:
    while True:
        await asyncio.sleep(POLL_SECONDS)
        try:
            poll(state)
        except Exception:
            log.exception("notifications poll failed")


def register(app: FastAPI) -> None:
    state: EmulatorState = app.state.emulator
    state.events.subscribe("*", lambda event_type, event: _on_event(state, event_type, event))
    state.add_background(_poller)
    app.include_router(router)
    app.include_router(admin)


# Destinations (grantless) --------------------------------------------------------------------------------


def _resource(spec: Any, application_id: str) -> dict[str, Any]:
    if not isinstance(spec, dict) or len(spec) != 1:
        raise invalid_input("resourceSpecification must name exactly one of sqs or eventBridge.")
    if "sqs" in spec:
        arn = (spec["sqs"] or {}).get("arn") if isinstance(spec["sqs"], dict) else None
        if not isinstance(arn, str) or len(arn) > 1000 or not _SQS_ARN.match(arn):
            raise invalid_input("Invalid SQS ARN.")
        return {"sqs": {"arn": arn}}
    if "eventBridge" in spec and isinstance(spec["eventBridge"], dict):
        region, account = spec["eventBridge"].get("region"), spec["eventBridge"].get("accountId")
        if not isinstance(region, str) or not isinstance(account, str):
            raise invalid_input("eventBridge needs region and accountId.")
        name = f"aws.partner/sellingpartnerapi.amazon.com/{account}/{application_id}"
        return {"eventBridge": {"name": name, "region": region, "accountId": account}}
    if "http" in spec and isinstance(spec["http"], dict) and isinstance(spec["http"].get("url"), str):
        return {"http": {"url": spec["http"]["url"]}}  # emulator extension
    raise invalid_input("resourceSpecification must name exactly one of sqs or eventBridge.")


def _public_destination(d: dict[str, Any]) -> dict[str, Any]:
    return {"name": d["name"], "destinationId": d["destinationId"], "resource": d["resource"]}


@router.post("/notifications/v1/destinations")
async def create_destination(
    request: Request, caller: CreateDestination, body: Annotated[Any, Body()] = None
) -> dict[str, Any]:
    state = get_state(request)
    if not isinstance(body, dict) or not isinstance(body.get("name"), str) or not body["name"]:
        raise invalid_input("name is required.")
    if len(body["name"]) > 256:
        raise invalid_input("name must be at most 256 characters.")
    resource = _resource(body.get("resourceSpecification"), caller.application_id)
    s = store(state)
    with s.lock:
        for d in s.destinations.values():
            if d["application"] == caller.application_id and d["resource"] == resource:
                raise _conflict("A destination with this resource already exists.")
        destination_id = (
            str(secrets.token_hex(4)) + "-" + str(secrets.token_hex(2)) + "-" + secrets.token_hex(6)
        )
        entry = {"application": caller.application_id, "name": body["name"], "destinationId": destination_id,
                 "resource": resource}  # fmt: skip
        s.destinations[destination_id] = entry
    return {"payload": _public_destination(entry)}


@router.get("/notifications/v1/destinations")
async def get_destinations(request: Request, caller: GetDestinations) -> dict[str, Any]:
    s = store(get_state(request))
    with s.lock:
        mine = [
            _public_destination(d)
            for d in s.destinations.values()
            if d["application"] == caller.application_id
        ]
    return {"payload": mine}


def _own_destination(request: Request, caller: Caller, destination_id: str) -> dict[str, Any]:
    d = store(get_state(request)).destinations.get(destination_id)
    if d is None or d["application"] != caller.application_id:
        raise not_found("Destination not found.")
    return d


@router.get("/notifications/v1/destinations/{destinationId}")
async def get_destination(destinationId: str, request: Request, caller: GetDestination) -> dict[str, Any]:
    return {"payload": _public_destination(_own_destination(request, caller, destinationId))}


@router.delete("/notifications/v1/destinations/{destinationId}")
async def delete_destination(
    destinationId: str, request: Request, caller: DeleteDestination
) -> dict[str, Any]:
    _own_destination(request, caller, destinationId)
    s = store(get_state(request))
    with s.lock:
        s.destinations.pop(destinationId, None)
    return {}


# Subscriptions (seller; by id: grantless) ------------------------------------------------------------------


def _check_type(notification_type: str) -> None:
    if notification_type in EVENTBRIDGE_ONLY:
        raise invalid_input(f"{notification_type} is delivered through EventBridge only.")
    if notification_type not in SUPPORTED_TYPES:
        raise invalid_input(f"Notification type {notification_type} is not supported by this emulator.")


def _public_subscription(sub: dict[str, Any]) -> dict[str, Any]:
    keys = ("subscriptionId", "payloadVersion", "destinationId", "processingDirective")
    return {k: sub[k] for k in keys if sub.get(k) is not None}


@router.post("/notifications/v1/subscriptions/{notificationType}")
async def create_subscription(
    notificationType: str, request: Request, caller: CreateSubscription, body: Annotated[Any, Body()] = None
) -> dict[str, Any]:
    seller_id = caller.require_seller()
    _check_type(notificationType)
    state = get_state(request)
    if not isinstance(body, dict) or not isinstance(body.get("payloadVersion"), str):
        raise invalid_input("payloadVersion is required.")
    directive = body.get("processingDirective")
    if directive is not None:
        if not isinstance(directive, dict) or (
            "eventFilter" in directive and "filterExpression" in directive
        ):
            raise invalid_input("processingDirective takes either eventFilter or filterExpression, not both.")
    s = store(state)
    with s.lock:
        destination = s.destinations.get(str(body.get("destinationId")))
        if destination is None or destination["application"] != caller.application_id:
            raise invalid_input("Invalid destinationId.")
        for sub in s.subscriptions.values():
            same = (sub["seller"], sub["application"], sub["type"]) == (
                seller_id,
                caller.application_id,
                notificationType,
            )
            if same:
                raise _conflict("A subscription for this notification type already exists.")
        sub = {
            "seller": seller_id,
            "application": caller.application_id,
            "type": notificationType,
            "subscriptionId": str(uuid.uuid4()),
            "payloadVersion": body["payloadVersion"],
            "destinationId": destination["destinationId"],
            "processingDirective": directive,
        }
        s.subscriptions[sub["subscriptionId"]] = sub
        if notificationType == "ORDER_CHANGE":
            s.watermarks.setdefault(seller_id, state.clock.time())
    return {"payload": _public_subscription(sub)}


@router.get("/notifications/v1/subscriptions/{notificationType}")
async def get_subscription(
    notificationType: str, request: Request, caller: GetSubscription
) -> dict[str, Any]:
    seller_id = caller.require_seller()
    _check_type(notificationType)
    for sub in _subscriptions(get_state(request), seller_id, notificationType):
        if sub["application"] == caller.application_id:
            return {"payload": _public_subscription(sub)}
    raise not_found("Subscription not found.")


@router.get("/notifications/v1/subscriptions")
async def get_subscriptions(request: Request, caller: GetSubscriptions) -> dict[str, Any]:
    seller_id = caller.require_seller()
    state = get_state(request)
    q = request.query_params
    token = q.get("nextToken")
    if token is not None:
        ids, size = load_token(state, token)
    else:
        types = csv_param(request, "notificationTypes")
        if not types or len(types) != 1:
            raise invalid_input("notificationTypes must contain exactly one notification type.")
        size = int(q.get("pageSize", "30")) if (q.get("pageSize") or "30").isdigit() else 0
        if not 30 <= size <= 100:
            raise invalid_input("pageSize must be between 30 and 100.")
        version = q.get("payloadVersion")
        ids = [
            sub["subscriptionId"]
            for sub in _subscriptions(state, seller_id, types[0])
            if sub["application"] == caller.application_id
            and (version is None or sub["payloadVersion"] == version)
        ]
    s = store(state)
    page = [_public_subscription(s.subscriptions[i]) for i in ids[:size] if i in s.subscriptions]
    payload: dict[str, Any] = {"subscriptions": page}
    if ids[size:]:
        payload["nextToken"] = save_token(state, (ids[size:], size))
    return {"payload": payload}


def _own_subscription(
    request: Request, caller: Caller, notification_type: str, subscription_id: str
) -> dict[str, Any]:
    sub = store(get_state(request)).subscriptions.get(subscription_id)
    if sub is None or sub["application"] != caller.application_id or sub["type"] != notification_type:
        raise not_found("Subscription not found.")
    return sub


@router.get("/notifications/v1/subscriptions/{notificationType}/{subscriptionId}")
async def get_subscription_by_id(
    notificationType: str, subscriptionId: str, request: Request, caller: GetSubscriptionById
) -> dict[str, Any]:
    return {
        "payload": _public_subscription(_own_subscription(request, caller, notificationType, subscriptionId))
    }


@router.delete("/notifications/v1/subscriptions/{notificationType}/{subscriptionId}")
async def delete_subscription_by_id(
    notificationType: str, subscriptionId: str, request: Request, caller: DeleteSubscriptionById
) -> dict[str, Any]:
    _own_subscription(request, caller, notificationType, subscriptionId)
    s = store(get_state(request))
    with s.lock:
        s.subscriptions.pop(subscriptionId, None)
    return {}


# Emulator admin -------------------------------------------------------------------------------------------


@admin.get("")
async def outbox(request: Request, notification_type: str | None = None) -> list[dict[str, Any]]:
    """Every message published (newest last) with its delivery status."""
    s = store(get_state(request))
    with s.publisher.lock:
        items = list(s.publisher.outbox)
    return [d.public() for d in items if notification_type in (None, d.notification_type)]


@admin.delete("")
async def clear_outbox(request: Request) -> dict[str, Any]:
    s = store(get_state(request))
    with s.publisher.lock:
        s.publisher.outbox.clear()
    return {"cleared": True}


@admin.post("/poll")
async def poll_now(request: Request, wait: bool = True) -> dict[str, Any]:
    """Publish order changes and finished jobs now; ``wait``: until delivery was attempted."""
    state = get_state(request)
    changes = poll(state)
    if wait:
        await asyncio.to_thread(store(state).publisher.flush)
    return {"order_changes": changes}


@admin.put("/rotation-destination")
async def set_rotation_destination(
    request: Request, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    """Where APPLICATION_OAUTH_* go for an application (Amazon: set in the Developer Console)."""
    s = store(get_state(request))
    application_id, destination_id = body.get("application_id"), body.get("destination_id")
    if destination_id not in s.destinations:
        from fastapi import HTTPException

        raise HTTPException(404, "unknown destination_id")
    s.rotation_destinations[str(application_id)] = str(destination_id)
    return {"application_id": application_id, "destination_id": destination_id}
