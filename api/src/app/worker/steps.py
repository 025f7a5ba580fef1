"""One step of a long-running Amazon job (a report, a feed) at a time, across every worker.

The actors of those jobs run a step, then re-enqueue themselves to look again later (a polling
chain). Two messages of one job can meet (a notification's nudge beside the chain, a revived step
beside a late one), so each step runs under a Redis lock per job. The lock has the short
REDIS_LOCK_TTL_SEC TTL and the running step keeps it alive: a worker killed mid-step frees its job
within seconds, while a step of any length (a download, an upload, a load) keeps it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from app.kit.locks import RedisLock
from app.settings import get_settings
from app.worker.actor import Reschedule
from app.worker.context import resources

log = structlog.get_logger("app.worker")

# A step that finds another one of the same job running (the lock) tries again this soon.
BUSY_RETRY_S = 5.0


async def _keep_alive(lock: RedisLock, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        if not await lock.extend():
            log.warning("worker.step_lock_lost", key=lock.key)
            return


async def run_locked_step(lock_key: str, step: Callable[[], Awaitable[float | None]], *, poll: bool) -> None:
    """Run `step` under the job's lock; it answers when to look again (seconds) or None when the
    job is final. With `poll`, the actor is rescheduled that much later (and a busy job is tried
    again soon: the polling chain must not end here); without it (a nudge), nothing is rescheduled."""
    ttl_s = float(get_settings().redis.redis_lock_ttl_sec)
    lock = RedisLock(resources.redis, lock_key, ttl_s=ttl_s)
    if not await lock.acquire():
        if poll:
            raise Reschedule(BUSY_RETRY_S, "busy")
        return
    keeper = asyncio.create_task(_keep_alive(lock, ttl_s / 3))
    try:
        delay = await step()
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
        await lock.release()
    if delay is not None and poll:
        raise Reschedule(delay, "polling")
