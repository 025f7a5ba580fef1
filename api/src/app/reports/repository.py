"""All SQL of the reports domain: `reports`, `report_documents`, `report_schedules` (and the reads of
the connection and tenant rows the reports service checks requests against). Every query is
tenant-scoped, but the worker's lookups by Amazon id, which then carry the row's tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import Connection
from app.reports.models import Report, ReportDocument, ReportSchedule
from app.tenants.models import Tenant

# Sorts a settlement without a period (never seen from Amazon) first.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

FINAL = ("done", "cancelled", "fatal", "error")


@dataclass(frozen=True)
class ReportFilters:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID | None = None
    report_type: str | None = None
    status: str | None = None


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # Reads of other domains' rows (checks only) ------------------------------------------------

    async def connection(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> Connection | None:
        statement = select(Connection).where(
            Connection.tenant_id == tenant_id, Connection.id == connection_id
        )
        return (await self.session.execute(statement)).scalars().first()

    async def tenant(self, tenant_id: uuid.UUID) -> Tenant | None:
        return await self.session.get(Tenant, tenant_id)

    async def active_seller_connections(self) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """(tenant_id, connection_id) of every active SP-API connection (settlement discovery)."""
        statement = select(Connection.tenant_id, Connection.id).where(
            Connection.provider == "amazon_sp", Connection.status == "active"
        )
        return [(row[0], row[1]) for row in (await self.session.execute(statement)).all()]

    # reports -----------------------------------------------------------------------------------

    async def add(self, **values: Any) -> Report:
        report = Report(**values)
        self.session.add(report)
        await self.session.flush()
        return report

    async def get(self, tenant_id: uuid.UUID, report_id: uuid.UUID) -> Report | None:
        statement = select(Report).where(Report.tenant_id == tenant_id, Report.id == report_id)
        return (await self.session.execute(statement)).scalars().first()

    async def page(
        self, filters: ReportFilters, *, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[Report]:
        """Newest first; keyset on (created_at, id)."""
        statement = select(Report).where(Report.tenant_id == filters.tenant_id)
        if filters.connection_id is not None:
            statement = statement.where(Report.connection_id == filters.connection_id)
        if filters.report_type:
            statement = statement.where(Report.report_type == filters.report_type)
        if filters.status:
            statement = statement.where(Report.status == filters.status)
        if after is not None:
            created, report_id = after
            statement = statement.where(
                or_(Report.created_at < created, and_(Report.created_at == created, Report.id < report_id))
            )
        statement = statement.order_by(Report.created_at.desc(), Report.id.desc()).limit(limit)
        return list((await self.session.execute(statement)).scalars())

    async def by_amazon_id(self, connection_ids: Sequence[uuid.UUID], amazon_id: str) -> list[Report]:
        """Unfinished reports following Amazon's job `amazon_id` (a notification named it)."""
        if not connection_ids:
            return []
        statement = select(Report).where(
            Report.connection_id.in_(list(connection_ids)),
            Report.amazon_report_id == amazon_id,
            Report.status.not_in(FINAL),
        )
        return list((await self.session.execute(statement)).scalars())

    async def update(self, tenant_id: uuid.UUID, report_id: uuid.UUID, **values: Any) -> None:
        values.setdefault("updated_at", func.now())
        await self.session.execute(
            update(Report).where(Report.tenant_id == tenant_id, Report.id == report_id).values(**values)
        )

    async def claim_overdue(self, now: datetime, overdue_before: datetime, limit: int = 200) -> list[Report]:
        """In-flight reports whose next step should have run before `overdue_before` (never run:
        by their creation), now due at `now` (the revived step runs at once; a later tick picks
        them again only if that step is lost too)."""
        due = func.coalesce(Report.next_check_at, Report.created_at)
        statement = (
            select(Report)
            .where(Report.status.in_(("pending", "processing")), due < overdue_before)
            .order_by(due)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        reports = list((await self.session.execute(statement)).scalars())
        if reports:
            await self.session.execute(
                update(Report).where(Report.id.in_([r.id for r in reports])).values(next_check_at=now)
            )
        return reports

    async def add_settlements(self, rows: Sequence[dict[str, Any]]) -> list[uuid.UUID]:
        """Insert settlement reports not seen before (one row per Amazon report); the new ids.

        One listing records many at once; their creation times are a microsecond apart in the order
        of their periods, so the reports list (newest first) shows the newest period first instead
        of the order of random ids."""
        if not rows:
            return []
        ordered = sorted(rows, key=lambda row: (row.get("data_end") or _EPOCH, row["amazon_report_id"]))
        values = [
            {
                "id": uuid.uuid4(),
                **row,
                "source": "settlement",
                "created_at": func.now() + timedelta(microseconds=i),
            }
            for i, row in enumerate(ordered)
        ]
        statement = (
            insert(Report)
            .values(values)
            .on_conflict_do_nothing(
                index_elements=["tenant_id", "connection_id", "amazon_report_id"],
                index_where=Report.source == "settlement",
            )
            .returning(Report.id)
        )
        return [row[0] for row in (await self.session.execute(statement)).all()]

    async def latest_settlement_end(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> datetime | None:
        statement = select(func.max(Report.data_end)).where(
            Report.tenant_id == tenant_id,
            Report.connection_id == connection_id,
            Report.source == "settlement",
        )
        return (await self.session.execute(statement)).scalar()

    # report_documents --------------------------------------------------------------------------

    async def document_of(self, tenant_id: uuid.UUID, report_id: uuid.UUID) -> ReportDocument | None:
        statement = (
            select(ReportDocument)
            .where(ReportDocument.tenant_id == tenant_id, ReportDocument.report_id == report_id)
            .order_by(ReportDocument.created_at.desc())
        )
        return (await self.session.execute(statement)).scalars().first()

    async def documents_of(
        self, tenant_id: uuid.UUID, report_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, ReportDocument]:
        if not report_ids:
            return {}
        statement = select(ReportDocument).where(
            ReportDocument.tenant_id == tenant_id, ReportDocument.report_id.in_(list(report_ids))
        )
        return {d.report_id: d for d in (await self.session.execute(statement)).scalars()}

    async def save_document(self, **values: Any) -> None:
        """The stored file of a report; idempotent (a re-run after a crash writes the same row)."""
        statement = insert(ReportDocument).values(id=uuid.uuid4(), **values)
        statement = statement.on_conflict_do_update(
            index_elements=["tenant_id", "report_id", "amazon_document_id"],
            set_={
                key: statement.excluded[key]
                for key in ("storage_key", "content_type", "compression", "size_bytes", "file_name", "sha256")
            },
        )
        await self.session.execute(statement)

    async def set_document_rows(self, tenant_id: uuid.UUID, report_id: uuid.UUID, rows: int) -> None:
        await self.session.execute(
            update(ReportDocument)
            .where(ReportDocument.tenant_id == tenant_id, ReportDocument.report_id == report_id)
            .values(row_count=rows)
        )

    # report_schedules --------------------------------------------------------------------------

    async def add_schedule(self, **values: Any) -> ReportSchedule:
        schedule = ReportSchedule(**values)
        self.session.add(schedule)
        await self.session.flush()
        return schedule

    async def schedules(self, tenant_id: uuid.UUID) -> list[ReportSchedule]:
        statement = (
            select(ReportSchedule)
            .where(ReportSchedule.tenant_id == tenant_id)
            .order_by(ReportSchedule.created_at.desc(), ReportSchedule.id.desc())
        )
        return list((await self.session.execute(statement)).scalars())

    async def delete_schedule(self, tenant_id: uuid.UUID, schedule_id: uuid.UUID) -> bool:
        result = await self.session.execute(
            delete(ReportSchedule)
            .where(ReportSchedule.tenant_id == tenant_id, ReportSchedule.id == schedule_id)
            .returning(ReportSchedule.id)
        )
        return result.first() is not None

    async def claim_due_schedules(self, now: datetime, limit: int = 100) -> list[ReportSchedule]:
        """Due schedules, locked for this transaction (another scheduler skips them)."""
        statement = (
            select(ReportSchedule)
            .where(ReportSchedule.next_run_at <= now)
            .order_by(ReportSchedule.next_run_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list((await self.session.execute(statement)).scalars())

    async def advance_schedule(
        self, schedule_id: uuid.UUID, next_run_at: datetime, last_report_id: uuid.UUID
    ) -> None:
        await self.session.execute(
            update(ReportSchedule)
            .where(ReportSchedule.id == schedule_id)
            .values(next_run_at=next_run_at, last_report_id=last_report_id, updated_at=func.now())
        )

    async def delete_for_connection(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> list[str]:
        """The connection's reports, their documents and schedules (retention); returns the storage
        keys of the stored report files."""
        keys = await self.session.scalars(
            select(ReportDocument.storage_key)
            .join(Report, Report.id == ReportDocument.report_id)
            .where(Report.tenant_id == tenant_id, Report.connection_id == connection_id)
        )
        storage_keys = list(keys)
        await self.session.execute(
            delete(ReportSchedule).where(
                ReportSchedule.tenant_id == tenant_id, ReportSchedule.connection_id == connection_id
            )
        )
        # Report documents go with their report (ON DELETE CASCADE of the reports domain's own key).
        await self.session.execute(
            delete(Report).where(Report.tenant_id == tenant_id, Report.connection_id == connection_id)
        )
        return storage_keys
