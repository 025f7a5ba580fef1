"""Jobs of the orders domain, its subscribers, and the orders dataset's registration with the engine.

* `orders.refresh_order(tenant_id, connection_id, amazon_order_id, marketplace_id, changed_at)`:
  one order again from Amazon, sooner than the next delta; idempotent. Enqueued for an
  `OrderChangeNotified` (an ORDER_CHANGE notification named the order) unless the connection's
  getOrder plan cannot keep up: then the change is coalesced into a delta (`app.orders.coalesce`).
* Importing this module registers the orders dataset (`app.orders.sync`) with the sync engine.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.errors import NotFound, Throttled
from app.connections.clients import worker_amazon_clients
from app.connections.events import ConnectionDataDeletionDue
from app.kit.events import subscriber
from app.notifications.events import OrderChangeNotified
from app.orders import sync as orders_sync
from app.orders.coalesce import (
    COALESCE_WINDOW,
    ORDER_CHANGE_REFRESHES,
    CoalescingKey,
    RefreshBacklog,
    key_of,
)
from app.orders.refresh import fetch_order, store_order
from app.orders.service import delete_connection_orders, purge_address_cache
from app.settings import get_settings
from app.spapi.client import SpApiClient
from app.sync.planner import BEFORE_MARGIN
from app.sync.service import delta_covered_until, request_dataset_delta
from app.tokens.errors import ReauthorizationRequired
from app.worker.actor import Reschedule, task
from app.worker.context import resources, task_session
from app.worker.enqueue import enqueue_job
from app.worker.scheduler import on_tick

log = structlog.get_logger("app.orders")

REFRESH_ORDER_ACTOR = "orders.refresh_order"
# A delta asks Amazon up to BEFORE_MARGIN ago (whole seconds): due this long after a change, its
# window reaches the change, and the changes coalesced in the COALESCE_WINDOW after it.
_DELTA_REACHES_AFTER = BEFORE_MARGIN + timedelta(seconds=1) + COALESCE_WINDOW

__all__ = ["REFRESH_ORDER_ACTOR", "orders_sync", "refresh_order"]


def backlog() -> RefreshBacklog:
    return RefreshBacklog(resources.redis)


async def _request_delta(session: AsyncSession, key: CoalescingKey, oldest_change: datetime) -> int:
    """The connection's orders delta, due when Amazon's searches show `oldest_change` and the
    COALESCE_WINDOW after it (one searchOrders reads them all)."""
    due_at = max(datetime.now(UTC), oldest_change + _DELTA_REACHES_AFTER)
    return await request_dataset_delta(
        session, key.tenant_id, key.connection_id, orders_sync.ORDERS.name, key.marketplace, due_at
    )


@subscriber(OrderChangeNotified)
async def refresh_changed_order(session: AsyncSession, event: OrderChangeNotified) -> None:
    changed_at = event.changed_at or datetime.now(UTC)
    key = key_of(event.tenant_id, event.connection_id, event.marketplace_id)
    threshold = get_settings().notifications.order_refresh_coalesce_after
    refresh_id = uuid.uuid4().hex
    admitted = await backlog().admit(key, event.amazon_order_id, refresh_id, changed_at, threshold)
    tenant = str(event.tenant_id)
    if admitted.coalesced:
        ORDER_CHANGE_REFRESHES.labels("coalesced", tenant).inc()
        if admitted.first:
            await _request_delta(session, key, changed_at)
            log.info(
                "orders.refresh_coalesced",
                connection_id=str(event.connection_id),
                marketplace_id=event.marketplace_id,
                waiting_for_get_order=admitted.waiting,
                coalesced=admitted.coalesced_changes,
            )
        return
    ORDER_CHANGE_REFRESHES.labels("enqueued", tenant).inc()
    enqueue_job(
        session,
        REFRESH_ORDER_ACTOR,
        tenant_id=tenant,
        connection_id=str(event.connection_id),
        amazon_order_id=event.amazon_order_id,
        marketplace_id=event.marketplace_id,
        changed_at=changed_at.isoformat(),
        refresh_id=refresh_id,
    )


async def spapi_client(connection_id: str) -> SpApiClient:
    # Workers never wait for a rate-limit slot: a throttled refresh is rescheduled instead.
    return await worker_amazon_clients().spapi(connection_id, max_wait_s=0.0)


async def _left_to_delta(
    tenant: uuid.UUID,
    connection: uuid.UUID,
    amazon_order_id: str,
    marketplace_id: str | None,
    changed: datetime,
    refresh_id: str,
) -> str | None:
    """Why the refresh need not call getOrder ("deferred": a delta is coming for the connection's
    coalesced changes; "covered": a delta has read the change), or None."""
    if await backlog().defer(
        key_of(tenant, connection, marketplace_id), amazon_order_id, refresh_id, changed
    ):
        return "deferred"
    async with task_session() as session:
        covered = await delta_covered_until(
            session, tenant, connection, orders_sync.ORDERS.name, marketplace_id
        )
    return "covered" if covered is not None and covered >= changed else None


# Default queue: a burst of changes (a seller shipping a thousand orders) must not hold up what
# users start by hand (high); the shared limiter paces the getOrder calls.
@task(REFRESH_ORDER_ACTOR, queue="default", max_retries=5, time_limit_s=120)
async def refresh_order(
    tenant_id: str,
    connection_id: str,
    amazon_order_id: str,
    marketplace_id: str | None = None,
    changed_at: str | None = None,
    refresh_id: str | None = None,
) -> None:
    """One order again from Amazon (an ORDER_CHANGE notification named it); idempotent.
    `refresh_id` is this refresh's place in the connection's backlog (`app.orders.coalesce`)."""
    tenant, connection = uuid.UUID(tenant_id), uuid.UUID(connection_id)
    refresh = refresh_id or uuid.uuid4().hex  # a job sent before refreshes had ids counts nowhere
    if changed_at is not None:
        reason = await _left_to_delta(
            tenant, connection, amazon_order_id, marketplace_id, datetime.fromisoformat(changed_at), refresh
        )
        if reason is not None:
            await backlog().done(tenant, connection, refresh)
            ORDER_CHANGE_REFRESHES.labels(reason, tenant_id).inc()
            log.info("orders.refresh_left_to_delta", amazon_order_id=amazon_order_id, reason=reason)
            return
    try:
        client = await spapi_client(connection_id)
        mapped = await fetch_order(client, amazon_order_id, tenant, connection)
    except Throttled as exc:
        # Still waiting for getOrder: it keeps counting in the connection's backlog.
        raise Reschedule(max(exc.retry_after, 0.2), "throttled") from None
    except (NotFound, ReauthorizationRequired, LookupError) as exc:
        # The order is not (yet) visible, or the connection is gone or needs re-authorizing: the
        # delta (the safety net) catches up once it can.
        await backlog().done(tenant, connection, refresh)
        log.info("orders.refresh_skipped", amazon_order_id=amazon_order_id, reason=type(exc).__name__)
        return
    async with task_session() as session:
        counts = await store_order(session, mapped)
    await backlog().done(tenant, connection, refresh)
    log.info(
        "orders.order_refreshed",
        connection_id=connection_id,
        amazon_order_id=amazon_order_id,
        inserted=counts.inserted,
        updated=counts.updated,
    )


@on_tick
async def sweep_coalesced_changes() -> None:
    """Drop the coalesced changes a delta has read; for those left, make the delta due again (by
    the oldest: a change coalesced while a delta ran, a request lost with a crash)."""
    changes = backlog()
    for key in await changes.coalescing():
        async with task_session() as session:
            covered = await delta_covered_until(
                session, key.tenant_id, key.connection_id, orders_sync.ORDERS.name, key.marketplace
            )
            swept = await changes.sweep(key, covered)
            if swept.oldest is not None and not await _request_delta(session, key, swept.oldest):
                # No orders row of the connection any more (deleted or disconnected for good).
                await changes.forget(key)
        if swept.served:
            ORDER_CHANGE_REFRESHES.labels("served_by_delta", str(key.tenant_id)).inc(swept.served)
            log.info(
                "orders.coalesced_served",
                connection_id=str(key.connection_id),
                marketplace_id=key.marketplace,
                served=swept.served,
                remaining=swept.remaining,
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
