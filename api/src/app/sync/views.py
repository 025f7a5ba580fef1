"""Read models of the sync status API (what the panel's sync card shows)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.service import list_connections, scope_label
from app.notifications import service as notifications
from app.settings import Settings
from app.sync import dataset as datasets
from app.sync import planner
from app.sync.models import Job, SyncState
from app.sync.repository import SyncRepository
from app.sync.run import utcnow
from app.sync.run_backfill import plan_finish, planned_progress
from app.sync.schemas import (
    BackfillOut,
    DeltaOut,
    JobOut,
    LiveUpdatesOut,
    MarketplaceSyncOut,
    Phase,
    SyncStatusOut,
    WatermarkOut,
)


def job_out(job: Job) -> JobOut:
    duration = (
        (job.finished_at - job.started_at).total_seconds() if job.finished_at and job.started_at else None
    )
    return JobOut(
        id=job.id,
        connection_id=job.connection_id,
        marketplace_id=job.marketplace_id,
        kind=job.kind,
        status=job.status,
        window_start=job.window_start,
        window_end=job.window_end,
        pages=job.pages,
        orders_seen=job.orders_seen,
        orders_inserted=job.orders_inserted,
        orders_updated=job.orders_updated,
        items=job.items,
        throttled_429=job.throttled_429,
        retries=job.retries,
        request_ids=list(job.request_ids or [])[-10:],
        error=job.error,
        started_at=job.started_at,
        finished_at=job.finished_at,
        duration_s=duration,
    )


def _time(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def backfill_path(extra: dict[str, object]) -> str:
    """How the backfill reads now: "report", "api", or both at once ("report+api")."""
    documents = extra.get("backfill")
    by_document = documents.get("path") if isinstance(documents, dict) else None
    if extra.get("backfill_pages"):
        return "report+api" if by_document == "report" else "api"
    return str(by_document or ("api" if extra.get("reports") == "unavailable" else "report"))


def _phase(state: SyncState) -> Phase:
    if state.status == "paused":
        return "paused"
    if state.status == "error":
        return "error"
    if state.backfill_from is None:
        return "waiting"
    if state.backfill_completed_at is None:
        return "backfill"
    return "up_to_date"


async def sync_status(
    session: AsyncSession, settings: Settings, tenant_id: uuid.UUID, connection_id: uuid.UUID | None
) -> SyncStatusOut:
    repo = SyncRepository(session)
    now = utcnow()
    states = await repo.states(tenant_id, connection_id)
    counts: dict[str, dict[tuple[uuid.UUID, str], int]] = {}
    for entity in sorted({s.entity for s in states}):
        counts[entity] = await datasets.get(entity).stored_rows(session, tenant_id, connection_id)
    last = {
        (j.connection_id, j.marketplace_id, j.entity, j.kind): j
        for j in await repo.last_jobs_by_state(tenant_id, connection_id)
    }
    # The rows in the order the tenant's connections are listed (sellers first), then by marketplace
    # or profile, then by dataset: a profile's rows stay together, in the same place on every poll.
    listed = await list_connections(session, tenant_id)
    profiles = {p.profile_id: p for _, connection_profiles in listed for p in connection_profiles}
    connection_rank = {connection.id: i for i, (connection, _) in enumerate(listed)}
    labels = {state.id: scope_label(state.marketplace_id, profiles) for state in states}
    states.sort(
        key=lambda s: (
            connection_rank.get(s.connection_id, len(listed)),
            labels[s.id],
            datasets.rank(s.entity),
        )
    )
    out: list[MarketplaceSyncOut] = []
    for state in states:
        dataset = datasets.get(state.entity)
        interval = dataset.delta_every(settings)
        extra = state.extra or {}
        progress = planner.backfill_progress(
            state.backfill_from, state.backfill_to, state.backfill_done_until
        )
        plan = extra.get("plan")
        if plan:
            progress = planned_progress(plan, extra.get("backfill_pages"))
        if state.backfill_completed_at is not None:
            progress = 1.0
        # The planned finish when the backfill runs on a plan (re-made as windows close); else a
        # straight line from what was done so far.
        eta = plan_finish(extra) if plan else planner.backfill_eta(state.backfill_started_at, progress, now)
        if state.backfill_completed_at is not None:
            eta = None
        # A job row of no entity (written before jobs had one) counts for the row of its marketplace.
        last_delta = last.get((state.connection_id, state.marketplace_id, state.entity, "delta")) or last.get(
            (state.connection_id, state.marketplace_id, None, "delta")
        )
        last_delta_at = _time(extra.get("last_delta_at"))
        next_delta = (
            planner.delta_due_at(last_delta_at, interval, now, _time(extra.get("next_delta_at")))
            if state.backfill_completed_at is not None
            else None
        )
        out.append(
            MarketplaceSyncOut(
                state_id=state.id,
                connection_id=state.connection_id,
                marketplace_id=state.marketplace_id,
                scope_label=labels[state.id],
                entity=state.entity,
                label=dataset.label,
                phase=_phase(state),
                status=state.status,
                orders=counts[state.entity].get((state.connection_id, state.marketplace_id), 0),
                last_error=state.last_error,
                last_success_at=state.last_success_at,
                backfill=BackfillOut(
                    progress=round(progress, 4),
                    backfill_from=state.backfill_from,
                    backfill_to=state.backfill_to,
                    done_until=state.backfill_done_until,
                    started_at=state.backfill_started_at,
                    completed_at=state.backfill_completed_at,
                    eta=eta,
                    path=backfill_path(extra),
                ),
                delta=DeltaOut(
                    interval_minutes=interval.total_seconds() / 60,
                    watermark=state.last_updated_after,
                    last_run_at=last_delta_at,
                    next_run_at=next_delta,
                    last_job=job_out(last_delta) if last_delta else None,
                ),
            )
        )
    jobs = await repo.recent_jobs(tenant_id, connection_id, limit=15)
    return SyncStatusOut(
        tenant_id=tenant_id,
        connection_id=connection_id,
        generated_at=now,
        marketplaces=out,
        recent_jobs=[job_out(j) for j in jobs],
        live_updates=[
            LiveUpdatesOut(
                connection_id=sub.connection_id,
                notification_type=sub.notification_type,
                status=sub.status,
                last_error=sub.last_error,
                since=sub.updated_at,
            )
            for sub in await notifications.subscriptions(session, tenant_id, connection_id)
        ],
    )


async def watermarks(
    session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID | None
) -> list[WatermarkOut]:
    return [
        WatermarkOut(
            connection_id=s.connection_id,
            marketplace_id=s.marketplace_id,
            entity=s.entity,
            last_updated_after=s.last_updated_after,
            last_created_after=s.last_created_after,
            backfill_from=s.backfill_from,
            backfill_to=s.backfill_to,
            backfill_done_until=s.backfill_done_until,
            next_run_at=s.next_run_at,
        )
        for s in await SyncRepository(session).states(tenant_id, connection_id)
    ]
