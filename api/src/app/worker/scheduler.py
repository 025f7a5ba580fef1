"""The scheduler process: one leader (a Redis lock) ticks every minute and enqueues what is due.

Several scheduler processes may run (a rolling deploy, an operator's mistake): only the holder of
the lock acts, and the lock expires by itself if the leader dies. The database stays the source of
truth for what is due, so a tick lost between leaders is made up by the next one.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import uuid
from collections.abc import Awaitable, Callable

import redis.asyncio as aioredis
import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.kit.locks import RedisLock
from app.kit.redis import create_redis
from app.settings import get_settings
from app.worker.broker import send_job, setup_broker

log = structlog.get_logger("app.scheduler")

LEADER_KEY = "spapi-saas:scheduler:leader"
LAST_TICK_KEY = "spapi-saas:scheduler:last_tick"

TickHandler = Callable[[], Awaitable[None]]
_tick_handlers: list[TickHandler] = []


def on_tick(handler: TickHandler) -> TickHandler:
    """Register work for the leader to do on every tick (the sync planner registers itself here)."""
    _tick_handlers.append(handler)
    return handler


class LeaderLock:
    """Leadership: the lock on LEADER_KEY, taken or renewed on every tick, released on shutdown."""

    def __init__(self, redis: aioredis.Redis, ttl_s: float) -> None:
        self.identity = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._lock = RedisLock(redis, LEADER_KEY, ttl_s=ttl_s, owner=self.identity)

    async def acquire_or_renew(self) -> bool:
        return await self._lock.acquire()

    async def release(self) -> None:
        await self._lock.release()


class Scheduler:
    def __init__(self, redis: aioredis.Redis, tick_seconds: float) -> None:
        self.lock = LeaderLock(redis, ttl_s=max(tick_seconds * 2.5, 5))
        self.redis = redis
        self.tick_seconds = tick_seconds
        self.was_leader = False

    async def tick(self) -> bool:
        """One tick; returns whether this process was the leader."""
        try:
            leader = await self.lock.acquire_or_renew()
        except Exception as exc:  # Redis down: nobody can lead, try again next tick
            log.error("scheduler_lock_unavailable", error=str(exc))
            return False
        if leader != self.was_leader:
            log.info("scheduler_leadership", leader=leader, identity=self.lock.identity)
            self.was_leader = leader
        if not leader:
            return False
        await self.redis.set(LAST_TICK_KEY, self.lock.identity)
        send_job("system.heartbeat", {"source": "scheduler"})
        for handler in _tick_handlers:
            try:
                await handler()
            except Exception:
                log.exception("tick_handler_failed", handler=getattr(handler, "__name__", repr(handler)))
        return True


async def run_scheduler(tick_seconds: float | None = None) -> None:
    settings = get_settings()
    setup_broker()
    seconds = tick_seconds or float(os.environ.get("SCHEDULER_TICK_SECONDS", "60"))
    redis = create_redis(settings.redis.redis_url)
    scheduler = Scheduler(redis, seconds)
    aps = AsyncIOScheduler(timezone="UTC")
    # No `next_run_time` argument: APScheduler would add the job paused (None) and never tick again.
    aps.add_job(scheduler.tick, "interval", seconds=seconds, max_instances=1, coalesce=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("scheduler_started", tick_seconds=seconds, identity=scheduler.lock.identity)
    await scheduler.tick()
    aps.start()
    await stop.wait()
    aps.shutdown(wait=False)
    await scheduler.lock.release()
    await redis.aclose()
    log.info("scheduler_stopped")
