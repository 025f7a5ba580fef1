"""Jobs of the orders domain, its subscribers, and the orders dataset's registration with the engine.

* `orders.refresh_order(tenant_id, connection_id, amazon_order_id)`: one order again from Amazon,
  sooner than the next delta; idempotent. Enqueued for every `OrderChangeNotified` (an ORDER_CHANGE
  notification named the order).
* Importing this module registers the orders dataset (`app.orders.sync`) with the sync engine.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.errors import NotFound, Throttled
from app.connections.clients import worker_amazon_clients
from app.connections.events import ConnectionDataDeletionDue
from app.kit.events import subscriber
from app.notifications.events import OrderChangeNotified
from app.orders import sync as orders_sync
from app.orders.refresh import fetch_order, store_order
from app.orders.service import delete_connection_orders, purge_address_cache
from app.spapi.client import SpApiClient
from app.tokens.errors import ReauthorizationRequired
from app.worker.actor import Reschedule, task
from app.worker.context import task_session
from app.worker.enqueue import enqueue_job
from app.worker.scheduler import on_tick

log = structlog.get_logger("app.orders")

REFRESH_ORDER_ACTOR = "orders.refresh_order"

__all__ = ["REFRESH_ORDER_ACTOR", "orders_sync", "refresh_order"]


@subscriber(OrderChangeNotified)
async def refresh_changed_order(session: AsyncSession, event: OrderChangeNotified) -> None:
    enqueue_job(
        session,
        REFRESH_ORDER_ACTOR,
        tenant_id=str(event.tenant_id),
        connection_id=str(event.connection_id),
        amazon_order_id=event.amazon_order_id,
    )


async def spapi_client(connection_id: str) -> SpApiClient:
    # Workers never wait for a rate-limit slot: a throttled refresh is rescheduled instead.
    return await worker_amazon_clients().spapi(connection_id, max_wait_s=0.0)


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
        log.info("orders.refresh_skipped", amazon_order_id=amazon_order_id, reason=type(exc).__name__)
        return
    async with task_session() as session:
        counts = await store_order(session, mapped)
    log.info(
        "orders.order_refreshed",
        connection_id=connection_id,
        amazon_order_id=amazon_order_id,
        inserted=counts.inserted,
        updated=counts.updated,
    )


@subscriber(ConnectionDataDeletionDue)
async def delete_orders(session: AsyncSession, event: ConnectionDataDeletionDue) -> None:
    deleted = await delete_connection_orders(session, event.tenant_id, event.connection_id)
    log.info("orders.connection_data_deleted", connection_id=str(event.connection_id), orders=deleted)


@on_tick
async def purge_expired_addresses() -> None:
    """Buyer addresses cached under PII_CACHE_DAYS go when their days are over (also when the
    setting was lowered to 0 later: what is stored is purged all the same)."""
    async with task_session() as session:
        purged = await purge_address_cache(session, datetime.now(UTC))
    if purged:
        log.info("orders.address_cache_purged", purged=purged)
