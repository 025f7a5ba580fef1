"""Helpers of the feed job tests: a runner on the test's session and emulator with a clock the
test can move, stepping it to the end, the emulator's request log by operation."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.storage import DocumentStorage
from app.feeds.flow import FeedRunner
from app.feeds.models import Feed
from app.spapi import SpApiClient
from tests.amazon.support import request_log

UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncSession]]


class Clock:
    """Real time plus what the test skipped (the job's waits are not slept through)."""

    def __init__(self) -> None:
        self.skipped = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.skipped

    def skip(self, seconds: float) -> None:
        self.skipped += timedelta(seconds=seconds)


def runner(
    uow: UnitOfWork, sp_client: SpApiClient, storage: DocumentStorage, clock: Clock | None = None
) -> FeedRunner:
    async def client_for(connection_id: uuid.UUID) -> SpApiClient:
        return sp_client

    return FeedRunner(uow, client_for, storage, now=clock or Clock())


async def run_to_the_end(job: FeedRunner, feed: Feed, *, steps: int = 80) -> list[float]:
    delays = []
    for _ in range(steps):
        # As a notification's nudge: the test steps sooner than the recorded `next_check_at`.
        delay = await job.run(feed.tenant_id, feed.id, poll=False)
        if delay is None:
            return delays
        delays.append(delay)
        if isinstance(job.now, Clock):
            job.now.skip(delay)
        await asyncio.sleep(min(delay, 0.25))
    raise AssertionError("the feed never finished")


async def reload(session: AsyncSession, feed: Feed) -> Feed:
    # The job writes with UPDATE statements: read the row again.
    await session.refresh(feed)
    return feed


async def calls(emulator_http: httpx.AsyncClient, operation: str) -> int:
    """Calls of `operation` that Amazon answered with a success (a refused one made nothing)."""
    log = await request_log(emulator_http)
    return sum(1 for e in log if e.get("operation") == operation and int(e.get("status") or 0) < 300)
