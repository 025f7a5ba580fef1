"""Per-process resources for actors: one engine, one Redis client, one HTTP client.

Dramatiq's AsyncIO middleware runs every async actor of a worker process on one event loop, so the
resources are created lazily on that loop and reused by every job the process runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.db.session import create_engine, create_sessionmaker, unit_of_work
from app.kit.redis import create_redis
from app.settings import get_settings


class WorkerResources:
    def __init__(self) -> None:
        self._engine: AsyncEngine | None = None
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None
        self._redis: aioredis.Redis | None = None

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        if self._sessionmaker is None:
            settings = get_settings()
            self._engine = create_engine(settings, pool_size=settings.sync.sync_max_workers + 2)
            self._sessionmaker = create_sessionmaker(self._engine)
        return self._sessionmaker

    @property
    def redis(self) -> aioredis.Redis:
        if self._redis is None:
            self._redis = create_redis(get_settings().redis.redis_url)
        return self._redis

    async def close(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
        if self._redis is not None:
            await self._redis.aclose()
        self._engine = self._sessionmaker = self._redis = None


resources = WorkerResources()


@asynccontextmanager
async def task_session() -> AsyncIterator[AsyncSession]:
    """The unit of work of one job: commits at the end, then sends the jobs it enqueued."""
    async with unit_of_work(resources.sessionmaker) as session:
        yield session
