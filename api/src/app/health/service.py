"""The tenant's Health view: per connection, how fresh each dataset is, what failed lately, how
many Amazon calls it spent today, and whether it needs re-authorization."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.call_counts import DailyCallCounts, OperationCalls, utc_day
from app.connections.models import AdsProfile, Connection
from app.connections.service import list_connections, scope_label
from app.health.repository import HealthRepository
from app.health.schemas import (
    ConnectionHealthOut,
    DatasetFreshnessOut,
    FailureOut,
    OperationCallsOut,
    TenantAttentionOut,
    TenantHealthOut,
)
from app.settings import Settings
from app.sync import dataset as datasets
from app.sync.models import Job, SyncState
from app.sync.repository import SyncRepository
from app.tenants.service import tenants_of

# Data older than this many intervals is stale: the product promises a delta every interval, and
# one late run is not yet a problem.
STALE_AFTER_INTERVALS = 2
FAILURES_SINCE = timedelta(days=7)
FAILURES_PER_CONNECTION = 5


def is_stale(age_s: float, interval_s: float) -> bool:
    return age_s > STALE_AFTER_INTERVALS * interval_s


def _freshness(
    state: SyncState, settings: Settings, now: datetime, profiles: dict[str, AdsProfile]
) -> DatasetFreshnessOut:
    dataset = datasets.get(state.entity)
    interval_s = dataset.delta_every(settings).total_seconds()
    age_s = max(0.0, (now - (state.last_success_at or state.created_at)).total_seconds())
    return DatasetFreshnessOut(
        dataset=state.entity,
        label=dataset.label,
        scope_id=state.marketplace_id,
        scope_label=scope_label(state.marketplace_id, profiles),
        status=state.status,
        last_success_at=state.last_success_at,
        age_s=round(age_s, 1),
        interval_s=interval_s,
        # A paused row is not expected to be fresh (its connection was disconnected).
        stale=state.status != "paused" and is_stale(age_s, interval_s),
        last_error=state.last_error,
    )


def _failure(job: Job) -> FailureOut:
    return FailureOut(
        at=job.finished_at or job.created_at,
        type=job.type,
        kind=job.kind,
        dataset=job.entity,
        scope_id=job.marketplace_id,
        error=(job.error or "failed")[:500],
    )


def _connection(
    connection: Connection,
    states: list[SyncState],
    failures: list[Job],
    calls: list[OperationCalls],
    profiles: list[AdsProfile],
    settings: Settings,
    now: datetime,
) -> ConnectionHealthOut:
    by_profile = {p.profile_id: p for p in profiles}
    rows = [_freshness(s, settings, now, by_profile) for s in states]
    rows.sort(key=lambda row: (row.scope_label, datasets.rank(row.dataset)))
    return ConnectionHealthOut(
        id=connection.id,
        provider=connection.provider,
        region=connection.region,
        name=connection.display_name or connection.account_id,
        status=connection.status,
        needs_reauth=connection.status == "needs_reauth",
        last_error=connection.last_error,
        stale=any(row.stale for row in rows),
        datasets=rows,
        failures=[_failure(job) for job in failures],
        calls_today=[
            OperationCallsOut(service=r.service, operation=r.operation, calls=r.calls, throttled=r.throttled)
            for r in calls
        ],
    )


async def tenant_health(
    session: AsyncSession, calls: DailyCallCounts, settings: Settings, tenant_id: uuid.UUID, now: datetime
) -> TenantHealthOut:
    listed = [(c, p) for c, p in await list_connections(session, tenant_id) if c.status != "revoked"]
    states: dict[uuid.UUID, list[SyncState]] = {}
    for state in await SyncRepository(session).states(tenant_id):
        states.setdefault(state.connection_id, []).append(state)
    failures: dict[uuid.UUID | None, list[Job]] = {}
    repository = HealthRepository(session)
    for job in await repository.recent_failures(tenant_id, now - FAILURES_SINCE, FAILURES_PER_CONNECTION):
        failures.setdefault(job.connection_id, []).append(job)
    day = utc_day(now)
    counted = await calls.read([str(c.id) for c, _ in listed], day)
    connections = [
        _connection(
            c, states.get(c.id, []), failures.get(c.id, []), counted.get(str(c.id), []), p, settings, now
        )
        for c, p in listed
    ]
    return TenantHealthOut(
        tenant_id=tenant_id,
        generated_at=now,
        day=day,
        connections=connections,
        needs_reauthorization=[c.id for c in connections if c.needs_reauth],
    )


async def tenants_attention(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, now: datetime
) -> list[TenantAttentionOut]:
    """For each of the user's tenants (by name), what needs attention: the counts of its Health page
    without the detail, so an agency sees on one page which client to look at. Two statements
    whatever the number of tenants."""
    tenant_ids = [tenant.id for tenant, _ in await tenants_of(session, user_id)]
    if not tenant_ids:
        return []
    out = {
        t: TenantAttentionOut(
            tenant_id=t, sellers=0, ads_accounts=0, needs_reauth=0, backfilling=0, failing=0, stale=0
        )
        for t in tenant_ids
    }
    repository = HealthRepository(session)
    for tenant_id, provider, status, count in await repository.connection_counts(tenant_ids):
        summary = out[tenant_id]
        if provider == "amazon_ads":
            summary.ads_accounts += count
        else:
            summary.sellers += count
        if status == "needs_reauth":
            summary.needs_reauth += count
    for row in await repository.dataset_states(tenant_ids):
        summary = out[row.tenant_id]
        summary.backfilling += row.backfilling
        summary.failing += row.status == "error"
        # As `_freshness`: a paused row (its connection disconnected) is not expected to be fresh.
        interval_s = datasets.get(row.entity).delta_every(settings).total_seconds()
        age_s = max(0.0, (now - row.fresh_since).total_seconds())
        summary.stale += row.status != "paused" and is_stale(age_s, interval_s)
    return list(out.values())
