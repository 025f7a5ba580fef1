"""Sync actors and the scheduler's tick handler.

* The scheduler leader calls `sync_tick` every tick: claim due rows fairly, enqueue `sync.run`.
* `sync.run(state_id, tenant_id, claim)`: one run of one row (of whichever dataset) by the holder of
  its claim, under a Redis lock. Throttled runs are parked: a short wait re-sends the same message
  with a delay (the claim is kept), a longer one releases the claim with `next_run_at` in the
  future. When a run ends it dispatches again, so the next due row starts without waiting for a tick.
* `sync.connection_onboarded(connection_id, tenant_id)`: a new connection's backfill starts by itself.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

import app.sync.lifecycle  # noqa: F401  (the sync engine's subscribers to connection events)
from app.connections.clients import AmazonClients, worker_amazon_clients
from app.settings import get_settings
from app.sync import dataset as datasets
from app.sync import observe
from app.sync.locks import RunLock
from app.sync.planner import error_retry_delay
from app.sync.repository import ClaimLost, SyncRepository
from app.sync.run import Outcome, SyncRun, describe_error, utcnow
from app.sync.service import ONBOARDED_ACTOR, RUN_ACTOR, connection_onboarded, dispatch_due
from app.tokens.errors import ReauthorizationRequired
from app.worker.actor import Reschedule, task
from app.worker.context import resources, task_session
from app.worker.scheduler import on_tick

log = structlog.get_logger("app.sync")

# A throttled run waits in the broker (claim kept) up to this long; longer waits go back to the
# scheduler so the worker slot serves another seller meanwhile.
KEEP_CLAIM_MAX_S = 5.0


def amazon_clients() -> AmazonClients:
    """The worker's Amazon clients, their HTTP client counting each run's calls (`observe`)."""
    clients = worker_amazon_clients()
    observe.install(clients.transport.http)
    return clients


async def _client(provider: str, connection_id: str) -> Any:
    # Workers never wait for a rate-limit slot: the run is parked and rescheduled instead.
    if provider == "amazon_ads":
        return await amazon_clients().ads(connection_id, max_wait_s=0.0)
    return await amazon_clients().spapi(connection_id, max_wait_s=0.0)


@asynccontextmanager
async def _uow() -> AsyncIterator[AsyncSession]:
    async with task_session() as session:
        yield session


@on_tick
async def sync_tick() -> None:
    async with task_session() as session:
        await dispatch_due(session, get_settings())


@task(ONBOARDED_ACTOR, queue="high", max_retries=5, time_limit_s=120)
async def on_connection_onboarded(connection_id: str, tenant_id: str) -> None:
    async with task_session() as session:
        rows = await connection_onboarded(session, uuid.UUID(tenant_id), uuid.UUID(connection_id))
        await dispatch_due(session, get_settings())
    log.info("sync.onboarded", connection_id=connection_id, rows=rows)


@task(RUN_ACTOR, queue="default", max_retries=3, time_limit_s=3600)
async def run_sync(state_id: str, tenant_id: str, claim: str) -> None:
    settings = get_settings()
    sid = uuid.UUID(state_id)
    lock = RunLock(resources.redis, state_id, claim, settings.redis.redis_lock_ttl_sec)
    if not await lock.acquire():
        log.info("sync.run_skipped_locked", state_id=state_id)
        return
    # The run's two lines bracket the time it holds the row's lock: an operator sees how long runs
    # take and how they end, and two runs of one row at once would show as overlapping brackets.
    started = time.perf_counter()
    ended = "crashed"
    log.info("sync.run_started", state_id=state_id, claim=claim)

    async def heartbeat() -> None:
        await lock.extend()

    run = SyncRun(
        uow=_uow,
        clients=_client,
        datasets=datasets.get,
        settings=settings,
        state_id=sid,
        claim=claim,
        heartbeat=heartbeat,
    )
    reschedule: float | None = None
    try:
        try:
            outcome = await run.execute()
        except ClaimLost:
            # Another claim holds the row now (this one went stale, or the row was paused): its run
            # goes on from what was committed; nothing of this one is written or released.
            log.warning("sync.claim_lost", state_id=state_id, claim=claim)
            outcome = Outcome("stale", utcnow())
        except ReauthorizationRequired:
            outcome = Outcome("reauth", utcnow() + timedelta(days=1), error="the seller must re-authorize")
            # The windows in flight end here too: left `running`, their job rows would read as
            # stuck work for as long as the seller takes to re-authorize (days, or never).
            await _fail_open_jobs(run, outcome.error or "reauth")
        except Exception as exc:
            log.exception("sync.run_failed", state_id=state_id)
            retry_s = error_retry_delay(await _count_failure(state_id))
            outcome = Outcome("error", utcnow() + timedelta(seconds=retry_s), error=describe_error(exc))
            await _fail_open_jobs(run, outcome.error or "error")
        ended = outcome.kind
        if outcome.kind == "stale":
            return
        if outcome.kind == "throttled" and outcome.delay_s <= KEEP_CLAIM_MAX_S:
            async with task_session() as session:
                await SyncRepository(session).touch_claim(sid, claim, utcnow())
            reschedule = outcome.delay_s
            return
        if outcome.kind == "done":
            await _forget_failures(state_id)
        async with task_session() as session:
            repo = SyncRepository(session)
            status = "error" if outcome.kind in ("error", "reauth") else "idle"
            await repo.release(
                sid,
                claim,
                next_run_at=outcome.next_run_at,
                status=status,
                error=outcome.error,
                success_at=utcnow() if outcome.kind == "done" else None,
            )
            # The freed slot goes to the next due row at once (same transaction: it sees the release).
            await dispatch_due(session, settings)
    finally:
        log.info(
            "sync.run_finished",
            state_id=state_id,
            outcome=ended,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        await lock.release()
        if reschedule is not None:
            raise Reschedule(reschedule, "throttled")


# Consecutive unexpected failures per row, for the retry backoff (`planner.error_retry_delay`).
# Losing the count (Redis restarted) only restarts the backoff.
_FAILURES_TTL_S = 24 * 3600


def _failures_key(state_id: str) -> str:
    return f"spapi-saas:sync:failures:{state_id}"


async def _count_failure(state_id: str) -> int:
    """Record one more failure of the row; returns how many in a row (1 when Redis cannot say)."""
    key = _failures_key(state_id)
    try:
        async with resources.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, _FAILURES_TTL_S)
            count, _ = await pipe.execute()
        return int(count)
    except Exception:
        log.warning("sync.failure_count_unavailable", state_id=state_id)
        return 1


async def _forget_failures(state_id: str) -> None:
    """A run went through: the next failure starts the backoff again."""
    try:
        await resources.redis.delete(_failures_key(state_id))
    except Exception:
        log.warning("sync.failure_count_unavailable", state_id=state_id)  # it expires by itself


async def _fail_open_jobs(run: SyncRun, error: str) -> None:
    """Close the job rows of the windows in flight with the error (the cursors stay for a retry)."""
    for key in ("delta", "backfill", "backfill_pages"):
        cursor = run.extra.get(key)
        if cursor and cursor.get("job_id"):
            try:
                async with task_session() as session:
                    await SyncRepository(session).finish_job(
                        uuid.UUID(cursor["job_id"]), now=utcnow(), error=error
                    )
            except Exception:
                log.exception("sync.job_close_failed")
