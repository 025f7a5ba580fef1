"""Per-process resources for actors: one engine, one Redis client, one HTTP client, and what the
domains build on them once per process (`shared`: the Amazon clients).

Dramatiq's AsyncIO middleware runs every async actor of a worker process on one event loop, so the
resources are created lazily on that loop and reused by every job the process runs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast

import httpx
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.amazon_http.transport import amazon_timeout, create_http_client
from app.db.session import create_engine, create_sessionmaker, unit_of_work
from app.kit.redis import create_redis
from app.settings import get_settings

T = TypeVar("T")


class WorkerResources:
    def __init__(self) -> None:
        self._engine: AsyncEngine | None = None
        self._sessionmaker: async_sessionmaker[AsyncSession] | None = None
        self._redis: aioredis.Redis | None = None
        self._http: httpx.AsyncClient | None = None
        self._shared: dict[Callable[[WorkerResources], Any], Any] = {}

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

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None or self._http.is_closed:
            read_s = get_settings().spapi.amazon_read_timeout_sec
            self._http = create_http_client(timeout=amazon_timeout(read_s))
        return self._http

    def shared(self, build: Callable[[WorkerResources], T]) -> T:
        """What `build(self)` returns, built on first use and then kept for the process: a domain's
        per-process collaborators made of these resources (the worker layer knows no domain)."""
        if build not in self._shared:
            self._shared[build] = build(self)
        return cast(T, self._shared[build])

    async def close(self) -> None:
        self._shared.clear()
        if self._http is not None:
            await self._http.aclose()
        if self._engine is not None:
            await self._engine.dispose()
        if self._redis is not None:
            await self._redis.aclose()
        self._engine = self._sessionmaker = self._redis = self._http = None


resources = WorkerResources()


@asynccontextmanager
async def task_session() -> AsyncIterator[AsyncSession]:
    """The unit of work of one job: commits at the end, then sends the jobs it enqueued."""
    async with unit_of_work(resources.sessionmaker) as session:
        yield session
