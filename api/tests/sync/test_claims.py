"""One run per row: concurrent dispatchers never claim a row twice, stale claims are taken over,
SYNC_MAX_WORKERS bounds the claims, and the Redis lock refuses a second owner."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis.asyncio as aioredis
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker
from app.settings import Settings, SyncSettings
from app.sync.locks import RunLock
from app.sync.models import SyncState
from app.sync.service import RUN_ACTOR, dispatch_due
from app.worker.enqueue import buffered_jobs, discard_buffered_jobs
from tests.sync.support import make_connection

pytestmark = pytest.mark.usefixtures("clean_state")


async def _rows(engine: AsyncEngine, sellers: int, marketplaces: int) -> None:
    for n in range(sellers):
        await make_connection(
            engine,
            seller_id=f"A{uuid.uuid4().hex[:10].upper()}{n}",
            marketplaces=[f"M{i}" for i in range(marketplaces)],
            refresh_token="unused",
            encryption_keys=["dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0="],
        )


async def _dispatch(engine: AsyncEngine, settings: Settings) -> list[str]:
    async with create_sessionmaker(engine)() as session:
        await dispatch_due(session, settings)
        claimed = [str(j.kwargs["state_id"]) for j in buffered_jobs(session) if j.actor_name == RUN_ACTOR]
        discard_buffered_jobs(session)
        await session.commit()
    return claimed


async def test_concurrent_dispatchers_never_claim_a_row_twice(engine: AsyncEngine) -> None:
    await _rows(engine, 6, 2)
    settings = Settings(sync=SyncSettings(sync_max_workers=50))
    results = await asyncio.gather(*(_dispatch(engine, settings) for _ in range(4)))
    claimed = [sid for result in results for sid in result]
    assert len(claimed) == len(set(claimed)) == 12


async def test_capacity_and_fairness_across_sellers(engine: AsyncEngine) -> None:
    await _rows(engine, 3, 2)
    settings = Settings(sync=SyncSettings(sync_max_workers=3))
    first = await _dispatch(engine, settings)
    assert len(first) == 3
    async with create_sessionmaker(engine)() as session:
        rows = {str(s.id): s.connection_id for s in (await session.execute(select(SyncState))).scalars()}
    assert len({rows[sid] for sid in first}) == 3  # one row of each seller first
    assert await _dispatch(engine, settings) == []  # every slot is taken


async def test_a_stale_claim_is_taken_over(engine: AsyncEngine) -> None:
    await _rows(engine, 1, 1)
    settings = Settings(sync=SyncSettings(sync_max_workers=2))
    assert len(await _dispatch(engine, settings)) == 1
    assert await _dispatch(engine, settings) == []
    async with create_sessionmaker(engine)() as session:
        old = datetime.now(UTC) - timedelta(seconds=settings.redis.redis_lock_ttl_sec + 5)
        await session.execute(update(SyncState).values(claimed_at=old))
        await session.commit()
    assert len(await _dispatch(engine, settings)) == 1


async def test_the_lock_has_one_owner(redis_client: aioredis.Redis) -> None:
    sid = uuid.uuid4().hex
    first = RunLock(redis_client, sid, "a", ttl_s=0.3)
    second = RunLock(redis_client, sid, "b", ttl_s=0.3)
    assert await first.acquire()
    assert await first.acquire()  # the same owner again (a rescheduled message)
    assert not await second.acquire()
    await second.release()  # not the owner: no effect
    assert not await second.acquire()
    await asyncio.sleep(0.4)  # the TTL frees the lock of a dead worker
    assert await second.acquire()
    await second.release()
    assert await first.acquire()
