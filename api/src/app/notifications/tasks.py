"""`notifications.subscribe_order_changes(connection_id, tenant_id)`: onboarding enqueues it so a
new seller's order changes arrive on the application's queue (when NOTIFICATIONS_SQS_QUEUE_URL is
set; without a queue the delta alone keeps orders fresh)."""

from __future__ import annotations

import asyncio
import uuid

import structlog

from app.amazon_http.lwa import SCOPE_NOTIFICATIONS
from app.connections.tasks import SUBSCRIBE_ACTOR
from app.notifications.consumer import queue_arn
from app.notifications.service import subscribe_order_changes
from app.settings import get_settings
from app.tokens.errors import ReauthorizationRequired
from app.tokens.service import TokenManager, build_token_manager, connection_ref
from app.worker.actor import task
from app.worker.context import resources, task_session

log = structlog.get_logger("app.notifications")

_manager: TokenManager | None = None


def _token_manager() -> TokenManager:
    global _manager
    if _manager is None:
        _manager = build_token_manager(
            get_settings(), redis=resources.redis, sessionmaker=resources.sessionmaker
        )
    return _manager


@task(SUBSCRIBE_ACTOR, queue="high", max_retries=5, time_limit_s=120)
async def subscribe_order_changes_task(connection_id: str, tenant_id: str) -> None:
    settings = get_settings()
    if not settings.notifications.notifications_sqs_queue_url:
        log.info("notifications.not_configured", connection_id=connection_id)
        return
    arn = await asyncio.to_thread(queue_arn, settings)
    async with task_session() as session:
        try:
            ref = await connection_ref(session, connection_id)
        except LookupError:
            log.info("notifications.connection_gone", connection_id=connection_id)
            return
    manager = _token_manager()
    try:
        async with task_session() as session:
            await subscribe_order_changes(
                session,
                tenant_id=uuid.UUID(tenant_id),
                connection_id=uuid.UUID(connection_id),
                region=ref.region,
                queue_arn=arn,
                application_api=manager.grantless_client(ref.region, SCOPE_NOTIFICATIONS).notifications,
                seller_api=manager.spapi_client(ref, max_wait_s=10.0).notifications,
            )
    except ReauthorizationRequired:
        log.info("notifications.needs_reauth", connection_id=connection_id)
