"""SP-API notifications: subscribing a seller to ORDER_CHANGE, and what an incoming message does.

* Destinations belong to the application (grantless calls), one per region and queue; a seller's
  subscription points at it (seller's token). Subscribing is idempotent: Amazon answers 409 when
  the destination or subscription exists, and the existing one is looked up instead.
* ORDER_CHANGE is announced as `OrderChangeNotified` for every active connection of the seller that
  covers the order's marketplace; the orders domain refreshes that order (`orders.refresh_order`:
  getOrder, no PII), so a change shows up in seconds, or, when getOrder's plan cannot keep up with
  a seller's changes, makes the connection's delta due instead (`app.orders.coalesce`); the
  15-minute delta stays as the safety net for anything a notification misses.
* REPORT_PROCESSING_FINISHED and DATA_KIOSK_QUERY_PROCESSING_FINISHED are announced as
  `ReportProcessingFinished`, FEED_PROCESSING_FINISHED as `FeedProcessingFinished`, for every
  active connection of the seller: the reports and feeds domains read the result at once.
* APPLICATION_OAUTH_CLIENT_NEW_SECRET stores the rotated client secret (see
  `app.tokens.client_secret`).

Envelopes come in two casings (ORDER_CHANGE: `NotificationType`/`Payload`; the others:
`notificationType`/`payload`): both are read. Services never commit; the caller's unit of work
does, then sends the jobs the subscribers enqueued.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.errors import Conflict
from app.kit.events import publish
from app.notifications.events import FeedProcessingFinished, OrderChangeNotified, ReportProcessingFinished
from app.notifications.models import NotificationSubscription
from app.notifications.repository import NotificationRepository
from app.spapi.operations.notifications import PAYLOAD_VERSIONS, NotificationsApi
from app.tokens.client_secret import NEW_SECRET_NOTIFICATION, store_new_client_secret

log = structlog.get_logger("app.notifications")

ORDER_CHANGE = "ORDER_CHANGE"
REPORT_FINISHED = "REPORT_PROCESSING_FINISHED"
QUERY_FINISHED = "DATA_KIOSK_QUERY_PROCESSING_FINISHED"
FEED_FINISHED = "FEED_PROCESSING_FINISHED"
# What a seller is subscribed to beside ORDER_CHANGE: the end of their reports, Data Kiosk queries
# and feeds, so a finished report or feed result is downloaded at once (polling stays as the
# safety net).
JOB_NOTIFICATIONS = (REPORT_FINISHED, QUERY_FINISHED, FEED_FINISHED)
_MERCHANT_PREFIX = "amzn1.merchant.o."
DESTINATION_NAME = "spapi-saas"


class InvalidNotification(ValueError):
    pass


def field(mapping: Any, name: str) -> Any:
    """`name` in either casing (`payload` / `Payload`); None when absent or not a mapping."""
    if not isinstance(mapping, dict):
        return None
    return mapping.get(name, mapping.get(name[:1].upper() + name[1:]))


@dataclass(frozen=True)
class OrderChange:
    seller_id: str
    amazon_order_id: str
    marketplace_id: str | None
    changed_at: datetime


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_order_change(message: dict[str, Any]) -> OrderChange:
    change = field(field(message, "payload"), "orderChangeNotification")
    seller_id, order_id = field(change, "sellerId"), field(change, "amazonOrderId")
    if not seller_id or not order_id:
        raise InvalidNotification("ORDER_CHANGE without SellerId or AmazonOrderId")
    marketplace = field(field(change, "summary"), "marketplaceId")
    # When the order changed: a delta whose window reaches it has read the change.
    changed_at = (
        _timestamp(field(field(change, "orderChangeTrigger"), "timeOfOrderChange"))
        or _timestamp(field(message, "eventTime"))
        or datetime.now(UTC)
    )
    return OrderChange(str(seller_id), str(order_id), str(marketplace) if marketplace else None, changed_at)


@dataclass(frozen=True)
class JobFinished:
    seller_id: str
    amazon_id: str
    kind: Literal["report", "datakiosk_query"]
    processing_status: str | None


def parse_job_finished(kind: str, message: dict[str, Any]) -> JobFinished:
    """REPORT_PROCESSING_FINISHED names the seller and the reportId; Data Kiosk's names the
    merchant account (`amzn1.merchant.o.<seller id>`) and the queryId."""
    payload = field(message, "payload")
    if kind == REPORT_FINISHED:
        body = field(payload, "reportProcessingFinishedNotification")
        seller, amazon_id = field(body, "sellerId"), field(body, "reportId")
        job: Literal["report", "datakiosk_query"] = "report"
    else:
        body = payload
        seller, amazon_id = field(body, "accountId"), field(body, "queryId")
        job = "datakiosk_query"
    if not seller or not amazon_id:
        raise InvalidNotification(f"{kind} without a seller or an id")
    seller = str(seller).removeprefix(_MERCHANT_PREFIX)
    status = field(body, "processingStatus")
    return JobFinished(seller, str(amazon_id), job, str(status) if status else None)


@dataclass(frozen=True)
class FeedFinished:
    seller_id: str
    feed_id: str
    feed_type: str | None
    processing_status: str | None


def parse_feed_finished(message: dict[str, Any]) -> FeedFinished:
    """FEED_PROCESSING_FINISHED names the seller (or, for vendors, the account) and the feedId."""
    body = field(field(message, "payload"), "feedProcessingFinishedNotification")
    seller = field(body, "sellerId") or field(body, "accountId")
    feed_id = field(body, "feedId")
    if not seller or not feed_id:
        raise InvalidNotification(f"{FEED_FINISHED} without a seller or a feedId")
    feed_type, status = field(body, "feedType"), field(body, "processingStatus")
    return FeedFinished(
        str(seller).removeprefix(_MERCHANT_PREFIX),
        str(feed_id),
        str(feed_type) if feed_type else None,
        str(status) if status else None,
    )


Outcome = Literal["refresh", "wake", "no_connection", "secret_stored", "ignored"]


async def handle_notification(
    session: AsyncSession, message: dict[str, Any], *, encryption_keys: list[str]
) -> Outcome:
    """Act on one notification. Raises InvalidNotification for a message that can never be handled
    (the consumer drops it); any other error leaves it on the queue to be delivered again."""
    kind = field(message, "notificationType")
    if kind == ORDER_CHANGE:
        change = parse_order_change(message)
        targets = await NotificationRepository(session).connections_of_seller(
            change.seller_id, change.marketplace_id
        )
        for tenant_id, connection_id in targets:
            await publish(
                session,
                OrderChangeNotified(
                    tenant_id, connection_id, change.amazon_order_id, change.marketplace_id, change.changed_at
                ),
            )
        log.info(
            "notification.order_change",
            amazon_order_id=change.amazon_order_id,
            marketplace_id=change.marketplace_id,
            connections=len(targets),
        )
        return "refresh" if targets else "no_connection"
    if kind == FEED_FINISHED:
        feed = parse_feed_finished(message)
        targets = await NotificationRepository(session).connections_of_seller(feed.seller_id, None)
        for tenant_id, connection_id in targets:
            await publish(
                session,
                FeedProcessingFinished(
                    tenant_id, connection_id, feed.feed_id, feed.feed_type, feed.processing_status
                ),
            )
        log.info("notification.feed_finished", feed_id=feed.feed_id, connections=len(targets))
        return "wake" if targets else "no_connection"
    if kind in (REPORT_FINISHED, QUERY_FINISHED):
        finished = parse_job_finished(kind, message)
        targets = await NotificationRepository(session).connections_of_seller(finished.seller_id, None)
        for tenant_id, connection_id in targets:
            await publish(
                session,
                ReportProcessingFinished(
                    tenant_id, connection_id, finished.amazon_id, finished.kind, finished.processing_status
                ),
            )
        log.info("notification.job_finished", kind=finished.kind, connections=len(targets))
        return "wake" if targets else "no_connection"
    if kind == NEW_SECRET_NOTIFICATION:
        try:
            await store_new_client_secret(session, encryption_keys, message)
        except ValueError as exc:
            raise InvalidNotification(str(exc)) from exc
        return "secret_stored"
    log.info("notification.ignored", notification_type=kind)
    return "ignored"


async def subscriptions(
    session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID | None = None
) -> list[NotificationSubscription]:
    """The tenant's notification subscriptions (of one connection), for the sync status page."""
    return await NotificationRepository(session).subscriptions(tenant_id, connection_id)


async def unsubscribed_sellers(session: AsyncSession) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """(tenant_id, connection_id) of every active seller connection without an ORDER_CHANGE
    subscription (connected before the queue was configured, or whose subscription failed)."""
    return await NotificationRepository(session).connections_without(ORDER_CHANGE)


async def subscribe_order_changes(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    connection_id: uuid.UUID,
    region: str,
    queue_arn: str,
    application_api: NotificationsApi,
    seller_api: NotificationsApi,
    notification_type: str = ORDER_CHANGE,
) -> str:
    """Make sure the application's destination for `queue_arn` exists in the region and the seller
    is subscribed to `notification_type` (ORDER_CHANGE by default) there; record both. Returns the
    subscription id."""
    repo = NotificationRepository(session)
    destination = await repo.destination(region, queue_arn)
    if destination is None:
        try:
            created = await application_api.create_sqs_destination(DESTINATION_NAME, queue_arn)
            destination_id = created.destination_id
        except Conflict:
            existing = await application_api.get_destinations()
            ids = [
                d.destination_id for d in existing if (d.resource.get("sqs") or {}).get("arn") == queue_arn
            ]
            if not ids:
                raise
            destination_id = ids[0]
        destination = await repo.add_destination(
            destination_id=destination_id, region=region, name=DESTINATION_NAME, sqs_arn=queue_arn
        )
    version = PAYLOAD_VERSIONS[notification_type]
    try:
        subscription = await seller_api.create_subscription(notification_type, destination.destination_id)
    except Conflict:
        # Subscribed before (say, by an earlier connection of this seller): Amazon keeps one.
        subscription = await seller_api.get_subscription(notification_type, payload_version=version)
    await repo.save_subscription(
        tenant_id=tenant_id,
        connection_id=connection_id,
        notification_type=notification_type,
        subscription_id=subscription.subscription_id,
        destination_id=subscription.destination_id,
        payload_version=subscription.payload_version,
        status="active",
    )
    log.info(
        "notification.subscribed",
        connection_id=str(connection_id),
        notification_type=notification_type,
        subscription_id=subscription.subscription_id,
    )
    return subscription.subscription_id


async def delete_connection_subscriptions(
    session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID
) -> None:
    """Retention: the connection's subscription records."""
    await NotificationRepository(session).delete_for_connection(tenant_id, connection_id)
