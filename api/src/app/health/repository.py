"""The reads of the operator's view: a tenant's recent failures, and the sync freshness of every
connection for the metrics. Reads only (the tables belong to `sync` and `connections`)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import Connection
from app.sync.models import Job, SyncState


class FreshnessRow(NamedTuple):
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    entity: str
    # The stalest of the dataset's rows (marketplaces, profiles): its last success, or when the row
    # was made if it never succeeded.
    fresh_since: datetime
    oldest_due: datetime | None
    due: int


class DatasetStateRow(NamedTuple):
    tenant_id: uuid.UUID
    entity: str
    status: str
    backfilling: bool
    # Its last success, or when the row was made if it never succeeded.
    fresh_since: datetime


class HealthRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def recent_failures(
        self, tenant_id: uuid.UUID, since: datetime, per_connection: int = 5
    ) -> list[Job]:
        """The latest failed jobs of each of the tenant's connections since `since`."""
        ranked = (
            select(
                Job.id,
                func.row_number()
                .over(partition_by=Job.connection_id, order_by=Job.created_at.desc())
                .label("rank"),
            )
            .where(
                Job.tenant_id == tenant_id,
                Job.connection_id.is_not(None),
                Job.status == "error",
                Job.created_at >= since,
            )
            .subquery()
        )
        statement = (
            select(Job)
            .join(ranked, ranked.c.id == Job.id)
            .where(ranked.c.rank <= per_connection)
            .order_by(Job.created_at.desc())
        )
        return list((await self.session.execute(statement)).scalars())

    async def freshness(self, now: datetime, limit: int, timeout_ms: int) -> list[FreshnessRow]:
        """One row per (connection, dataset) of every tenant whose sync is not paused, for the
        metrics: one statement, at most `limit` rows (those with the oldest due work first) and at
        most `timeout_ms` of the database's time, so a scrape stays cheap."""
        await self.session.execute(text(f"SET LOCAL statement_timeout = {int(timeout_ms)}"))
        due = and_(SyncState.next_run_at <= now, SyncState.claimed_at.is_(None))
        oldest_due = func.min(SyncState.next_run_at).filter(due)
        statement = (
            select(
                SyncState.tenant_id,
                SyncState.connection_id,
                SyncState.entity,
                func.min(func.coalesce(SyncState.last_success_at, SyncState.created_at)),
                oldest_due,
                func.count().filter(due),
            )
            .join(Connection, Connection.id == SyncState.connection_id)
            .where(SyncState.status != "paused", Connection.status != "revoked")
            .group_by(SyncState.tenant_id, SyncState.connection_id, SyncState.entity)
            .order_by(oldest_due.asc().nulls_last(), SyncState.connection_id, SyncState.entity)
            .limit(limit)
        )
        return [FreshnessRow(*row) for row in (await self.session.execute(statement)).all()]

    async def connection_counts(self, tenant_ids: list[uuid.UUID]) -> list[tuple[uuid.UUID, str, str, int]]:
        """(tenant, provider, status, connections) of the tenants' connections not revoked."""
        statement = (
            select(Connection.tenant_id, Connection.provider, Connection.status, func.count())
            .where(Connection.tenant_id.in_(tenant_ids), Connection.status != "revoked")
            .group_by(Connection.tenant_id, Connection.provider, Connection.status)
        )
        return [(t, p, s, n) for t, p, s, n in (await self.session.execute(statement)).all()]

    async def dataset_states(self, tenant_ids: list[uuid.UUID]) -> list[DatasetStateRow]:
        """Every sync row of the tenants' connections not revoked: a few per marketplace or profile."""
        statement = (
            select(
                SyncState.tenant_id,
                SyncState.entity,
                SyncState.status,
                SyncState.backfill_completed_at.is_(None),
                func.coalesce(SyncState.last_success_at, SyncState.created_at),
            )
            .join(Connection, Connection.id == SyncState.connection_id)
            .where(SyncState.tenant_id.in_(tenant_ids), Connection.status != "revoked")
        )
        return [DatasetStateRow(*row) for row in (await self.session.execute(statement)).all()]
