"""Jobs of the feeds domain, its subscriber and its scheduler entry.

* `feeds.run_feed(feed_id, tenant_id, poll=True)`: the feed's next steps (`flow.FeedRunner`); while
  Amazon processes, it re-enqueues itself with `sync.planner.document_poll_delay`. Idempotent: a
  final feed is left alone, a step that runs twice finds the row's state and never creates a second
  feed at Amazon (see `flow.py`). `poll=False` is a notification's extra nudge: it never starts a
  second polling chain.
* Subscriber of `FeedProcessingFinished` (FEED_PROCESSING_FINISHED): runs the feed's next step at
  once (its processing report is read).
* Scheduler tick (`feeds_tick`): in-flight feeds whose next step is overdue by
  REPORT_REVIVE_GRACE_SECONDS (the same grace as reports: a message lost with a killed worker)
  get a new `feeds.run_feed`.

Amazon's usage plans hold across workers: every call goes through the SP-API client's Redis rate
limiter, and a worker never waits for a slot (`max_wait_s=0`): a throttled step is rescheduled.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.clients import worker_amazon_clients
from app.connections.events import ConnectionDataDeletionDue
from app.documents.storage import storage_from_settings
from app.feeds.flow import FeedClient, FeedRunner
from app.feeds.service import RUN_FEED_ACTOR, FeedsService, delete_connection_feeds
from app.kit.events import subscriber
from app.notifications.events import FeedProcessingFinished
from app.settings import get_settings
from app.worker.actor import task
from app.worker.context import task_session
from app.worker.scheduler import on_tick
from app.worker.steps import run_locked_step

log = structlog.get_logger("app.feeds")

__all__ = ["RUN_FEED_ACTOR", "run_feed"]


@asynccontextmanager
async def _uow() -> AsyncIterator[AsyncSession]:
    async with task_session() as session:
        yield session


async def _client(connection_id: uuid.UUID) -> FeedClient:
    # Workers never wait for a rate-limit slot: a throttled step is rescheduled instead.
    return await worker_amazon_clients().spapi(connection_id, max_wait_s=0.0)


@task(RUN_FEED_ACTOR, queue="high", max_retries=3, time_limit_s=3600)
async def run_feed(feed_id: str, tenant_id: str, poll: bool = True) -> None:
    # One step of a feed at a time, across workers (`worker/steps.py`).
    runner = FeedRunner(_uow, _client, storage_from_settings(get_settings()))
    await run_locked_step(
        f"spapi-saas:feeds:run:{feed_id}",
        lambda: runner.run(uuid.UUID(tenant_id), uuid.UUID(feed_id), poll=poll),
        poll=poll,
    )


@subscriber(FeedProcessingFinished)
async def wake_finished_feed(session: AsyncSession, event: FeedProcessingFinished) -> None:
    woken = await FeedsService(session, get_settings()).wake(
        event.tenant_id, event.connection_id, event.amazon_feed_id
    )
    log.info("feeds.notified", amazon_feed_id=event.amazon_feed_id, feeds=woken)


@on_tick
async def feeds_tick() -> None:
    now = datetime.now(UTC)
    settings = get_settings()
    async with task_session() as session:
        revived = await FeedsService(session, settings).revive_overdue(
            now, settings.documents.report_revive_grace_seconds
        )
    if revived:
        log.info("feeds.tick", revived=revived)


@subscriber(ConnectionDataDeletionDue)
async def delete_feeds(session: AsyncSession, event: ConnectionDataDeletionDue) -> None:
    storage = storage_from_settings(get_settings())
    await delete_connection_feeds(session, storage, event.tenant_id, event.connection_id)
