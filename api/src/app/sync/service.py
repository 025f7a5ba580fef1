"""The sync engine's use cases: dispatch (claim due rows fairly, enqueue one run each), a new
connection's rows, "run a delta now". One run of a row is `app.sync.run.SyncRun`; the datasets it
runs are registered in `app.sync.dataset`.

Services never commit: the caller's unit of work does, then sends the jobs enqueued here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import Settings
from app.sync import dataset as datasets
from app.sync import planner
from app.sync.dataset import Scope
from app.sync.repository import SyncRepository
from app.sync.run import delta_is_due, utcnow
from app.worker.enqueue import enqueue_job

log = structlog.get_logger("app.sync")

# The engine's actors (declared in `app.sync.tasks`, which imports this module): their names live
# here, where they are enqueued.
RUN_ACTOR = "sync.run"
ONBOARDED_ACTOR = "sync.connection_onboarded"


async def dispatch_due(session: AsyncSession, settings: Settings, now: datetime | None = None) -> int:
    """Claim the rows that are due (fairly, within SYNC_MAX_WORKERS) and enqueue one run each.
    The jobs are sent when the caller's unit of work commits."""
    now = now or utcnow()
    repo = SyncRepository(session)
    await repo.lock_dispatch()
    stale_before = now - timedelta(seconds=settings.redis.redis_lock_ttl_sec)
    busy = await repo.busy_connections(stale_before)
    capacity = settings.sync.sync_max_workers - len(busy)
    if capacity <= 0:
        return 0
    intervals = {d.name: d.delta_every(settings) for d in datasets.registered()}
    rows = await repo.due_rows(list(intervals), now, stale_before, limit=max(64, capacity * 8))
    candidates = [
        planner.Candidate(r.id, r.connection_id, r.next_run_at, delta_is_due(r, intervals[r.entity], now))
        for r in rows
    ]
    chosen = planner.plan_dispatch(candidates, capacity, frozenset(busy))
    sent = 0
    for candidate in chosen:
        owner = uuid.uuid4().hex
        for state_id, tenant_id in await repo.claim([candidate.state_id], owner, now, stale_before):
            enqueue_job(session, RUN_ACTOR, state_id=str(state_id), tenant_id=str(tenant_id), claim=owner)
            sent += 1
    if sent:
        log.info("sync.dispatched", runs=sent, capacity=capacity, due=len(rows))
    return sent


async def connection_onboarded(session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> int:
    """Give a new connection's rows their backfill range (each in its scope: an Ads profile's days
    are its own time zone's); the next dispatch starts them."""
    now = utcnow()
    repo = SyncRepository(session)
    known = {d.name for d in datasets.registered()}
    rows = 0
    for state_id, entity, marketplace_id in await repo.rows_to_start(tenant_id, connection_id, known):
        dataset = datasets.get(entity)
        scope = await dataset.describe_scope(session, Scope(tenant_id, connection_id, marketplace_id))
        window = dataset.backfill_range(scope, now)
        rows += await repo.init_backfill(state_id, window.start, window.end, now)
    return rows


async def request_delta(session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> int:
    return await SyncRepository(session).request_delta(tenant_id, utcnow(), connection_id=connection_id)


async def request_dataset_delta(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    connection_id: uuid.UUID,
    entity: str,
    marketplace_id: str | None,
    due_at: datetime,
) -> int:
    """Make the connection's rows of `entity` (of one marketplace, when given) due by `due_at` with
    their delta forced (a row due sooner keeps its time); returns how many. The next dispatch
    after `due_at` runs them."""
    return await SyncRepository(session).request_delta(
        tenant_id,
        utcnow(),
        connection_id=connection_id,
        entities=[entity],
        marketplace_id=marketplace_id,
        due_at=due_at,
    )


async def delta_covered_until(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    connection_id: uuid.UUID,
    entity: str,
    marketplace_id: str | None,
) -> datetime | None:
    """Up to when the connection's deltas of `entity` have read every change (of one marketplace,
    or of all of them when None: the earliest); None when there is no such row or no delta yet."""
    marks = await SyncRepository(session).delta_watermarks(tenant_id, connection_id, entity)
    if marketplace_id is not None:
        return marks.get(marketplace_id)
    if not marks or any(mark is None for mark in marks.values()):
        return None
    return min(mark for mark in marks.values() if mark is not None)


async def backfill_in_progress(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    connection_id: uuid.UUID,
    entity: str,
    begun_after: datetime,
) -> bool:
    """Whether the connection's backfill of `entity` still runs in some marketplace: a row not
    paused, its backfill not complete, and made after `begun_after` (so a backfill that never ends
    holds nothing up for ever). Work that would spend the same quotas waits for it."""
    return any(
        state.entity == entity
        and state.backfill_completed_at is None
        and state.status != "paused"
        and state.created_at > begun_after
        for state in await SyncRepository(session).states(tenant_id, connection_id)
    )


async def request_provider_delta(
    session: AsyncSession, tenant_id: uuid.UUID, provider: str, marketplace_id: str | None = None
) -> int:
    """Make the tenant's rows of every dataset of `provider` (of one marketplace or Ads profile, when
    given) due now with their delta forced; returns how many. The caller dispatches."""
    entities = [d.name for d in datasets.registered() if d.provider == provider]
    return await SyncRepository(session).request_delta(
        tenant_id, utcnow(), entities=entities, marketplace_id=marketplace_id
    )


async def connection_exists(session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> bool:
    return await SyncRepository(session).connection_exists(tenant_id, connection_id)


async def start_connection(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    connection_id: uuid.UUID,
    provider: str,
    marketplace_ids: Sequence[str],
) -> int:
    """A connection was authorized: one row per marketplace for each dataset of its provider, due
    now (rows a disconnect paused resume with their watermarks), then its backfill starts once the
    caller commits. Returns how many datasets it runs."""
    now = utcnow()
    names = [d.name for d in datasets.registered() if d.provider == provider]
    for name in names:
        await SyncRepository(session).ensure_rows(tenant_id, connection_id, marketplace_ids, name, now)
    if names:
        enqueue_job(session, ONBOARDED_ACTOR, connection_id=str(connection_id), tenant_id=str(tenant_id))
    return len(names)


async def pause_connection(session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> None:
    """The connection was disconnected: the scheduler skips its rows until it is authorized again."""
    await SyncRepository(session).pause_connection(tenant_id, connection_id)


async def delete_connection_sync(
    session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID
) -> None:
    """Retention: the connection's sync rows and job records."""
    await SyncRepository(session).delete_for_connection(tenant_id, connection_id)
