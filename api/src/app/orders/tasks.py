"""Jobs of the orders domain, and the orders dataset's registration with the sync engine.

`sync.refresh_order(tenant_id, connection_id, amazon_order_id)`: one order again from Amazon,
sooner than the next delta (an ORDER_CHANGE notification named it); idempotent.
"""

from __future__ import annotations

import uuid

import structlog

from app.amazon_http.errors import NotFound, Throttled
from app.notifications.service import REFRESH_ORDER_ACTOR
from app.orders import sync as orders_sync
from app.orders.refresh import fetch_order, store_order
from app.sync.tasks import spapi_client
from app.tokens.errors import ReauthorizationRequired
from app.worker.actor import Reschedule, task
from app.worker.context import task_session

log = structlog.get_logger("app.orders")

__all__ = ["orders_sync", "refresh_order"]


# Default queue: a burst of changes (a seller shipping a thousand orders) must not hold up what
# users start by hand (high); the shared limiter paces the getOrder calls.
@task(REFRESH_ORDER_ACTOR, queue="default", max_retries=5, time_limit_s=120)
async def refresh_order(tenant_id: str, connection_id: str, amazon_order_id: str) -> None:
    """One order again from Amazon (an ORDER_CHANGE notification named it); idempotent."""
    try:
        client = await spapi_client(connection_id)
        mapped = await fetch_order(client, amazon_order_id, uuid.UUID(tenant_id), uuid.UUID(connection_id))
    except Throttled as exc:
        raise Reschedule(max(exc.retry_after, 0.2), "throttled") from None
    except (NotFound, ReauthorizationRequired, LookupError) as exc:
        # The order is not (yet) visible, or the connection is gone or needs re-authorizing: the
        # delta (the safety net) catches up once it can.
        log.info("sync.refresh_skipped", amazon_order_id=amazon_order_id, reason=type(exc).__name__)
        return
    async with task_session() as session:
        counts = await store_order(session, mapped)
    log.info(
        "sync.order_refreshed",
        connection_id=connection_id,
        amazon_order_id=amazon_order_id,
        inserted=counts.inserted,
        updated=counts.updated,
    )
