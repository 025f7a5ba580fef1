"""Jobs of the notifications domain.

`notifications.subscribe_order_changes(connection_id, tenant_id)` subscribes a seller to
ORDER_CHANGE (then REPORT_PROCESSING_FINISHED, DATA_KIOSK_QUERY_PROCESSING_FINISHED and
FEED_PROCESSING_FINISHED) on the
application's queue (when NOTIFICATIONS_SQS_QUEUE_URL is set; without a queue
the delta alone keeps orders fresh). It is enqueued when a seller authorizes us (a subscriber of
`ConnectionAuthorized`) and, for sellers who have none, when the consumer starts.
"""

from __future__ import annotations

import asyncio
import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.errors import AmazonError
from app.amazon_http.lwa import SCOPE_NOTIFICATIONS
from app.connections.clients import worker_amazon_clients
from app.connections.events import ConnectionAuthorized, ConnectionDataDeletionDue
from app.kit.events import subscriber
from app.notifications.service import (
    JOB_NOTIFICATIONS,
    ORDER_CHANGE,
    delete_connection_subscriptions,
    subscribe_order_changes,
    unsubscribed_sellers,
)
from app.notifications.sqs import queue_arn
from app.settings import get_settings
from app.tokens.errors import ReauthorizationRequired
from app.worker.actor import task
from app.worker.context import task_session
from app.worker.enqueue import enqueue_job

log = structlog.get_logger("app.notifications")

SUBSCRIBE_ACTOR = "notifications.subscribe_order_changes"


def enqueue_subscribe_order_changes(
    session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID
) -> None:
    """Subscribe the seller once the session commits."""
    enqueue_job(session, SUBSCRIBE_ACTOR, connection_id=str(connection_id), tenant_id=str(tenant_id))


@subscriber(ConnectionAuthorized)
async def subscribe_authorized_seller(session: AsyncSession, event: ConnectionAuthorized) -> None:
    """A seller who authorizes us (again) gets their order changes by notification from then on;
    the first delta covers what came before."""
    if event.provider == "amazon_sp" and get_settings().notifications.notifications_sqs_queue_url:
        enqueue_subscribe_order_changes(session, event.tenant_id, event.connection_id)


async def subscribe_missing(session: AsyncSession) -> int:
    """Enqueue the subscription of every active seller connection that has none; returns how many."""
    missing = await unsubscribed_sellers(session)
    for tenant_id, connection_id in missing:
        enqueue_subscribe_order_changes(session, tenant_id, connection_id)
    return len(missing)


@task(SUBSCRIBE_ACTOR, queue="high", max_retries=5, time_limit_s=120)
async def subscribe_order_changes_task(connection_id: str, tenant_id: str) -> None:
    settings = get_settings()
    if not settings.notifications.notifications_sqs_queue_url:
        log.info("notifications.not_configured", connection_id=connection_id)
        return
    arn = await asyncio.to_thread(queue_arn, settings)
    clients = worker_amazon_clients()
    try:
        ref = await clients.ref(connection_id)
    except LookupError:
        log.info("notifications.connection_gone", connection_id=connection_id)
        return
    try:
        seller = await clients.spapi(connection_id, max_wait_s=10.0)

        async def subscribe(notification_type: str) -> None:
            async with task_session() as session:
                await subscribe_order_changes(
                    session,
                    tenant_id=uuid.UUID(tenant_id),
                    connection_id=uuid.UUID(connection_id),
                    region=ref.region,
                    queue_arn=arn,
                    application_api=clients.grantless(ref.region, SCOPE_NOTIFICATIONS).notifications,
                    seller_api=seller.notifications,
                    notification_type=notification_type,
                )

        await subscribe(ORDER_CHANGE)
        for notification_type in JOB_NOTIFICATIONS:
            # Best effort: without them a report or a feed is still polled to its end.
            try:
                await subscribe(notification_type)
            except AmazonError as exc:
                log.info(
                    "notifications.subscribe_failed",
                    connection_id=connection_id,
                    notification_type=notification_type,
                    error=type(exc).__name__,
                )
    except ReauthorizationRequired:
        log.info("notifications.needs_reauth", connection_id=connection_id)


@subscriber(ConnectionDataDeletionDue)
async def delete_subscriptions(session: AsyncSession, event: ConnectionDataDeletionDue) -> None:
    await delete_connection_subscriptions(session, event.tenant_id, event.connection_id)
