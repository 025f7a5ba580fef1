"""Reports use cases: ask for a report (checked against the catalogue, recorded, then run by the
worker), list them, one report's status and stored document, recurring schedules. Services never
commit: the request's (or the job's) unit of work does, and the `reports.run_report` jobs buffered
here are sent only after that commit, so the worker always finds the row.

Which API runs a report is decided once, here: the tenant's `use_data_kiosk` flag (falling back to
FEATURE_USE_DATA_KIOSK) and a Data Kiosk equivalent in the catalogue make it a Data Kiosk query;
the routes and the answer's shape do not change, only `via`.
"""

from __future__ import annotations

import base64
import calendar
import json
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.datakiosk.repository import DataKioskRepository
from app.documents.storage import DocumentStorage, delete_files
from app.kit.errors import AppError, NotFound
from app.reports.catalogue import CATALOGUE, ReportKind
from app.reports.models import Report, ReportDocument, ReportSchedule
from app.reports.repository import ReportFilters, ReportRepository
from app.reports.rows_repository import delete_rows_for_connection
from app.reports.schemas import (
    ReportCreate,
    ReportKindOut,
    ReportOut,
    ReportsPage,
    ScheduleCreate,
    ScheduleOut,
    StoredDocumentOut,
)
from app.settings import Settings
from app.tenants.service import flag_enabled
from app.worker.enqueue import enqueue_job

RUN_REPORT_ACTOR = "reports.run_report"
# Requests without dates cover this many days (or the type's limit when smaller).
DEFAULT_RANGE_DAYS = 7
PERIOD_DAYS = {"day": 1, "week": 7, "month": 30}
# Amazon lists reports of the last 90 days at most.
SETTLEMENT_HISTORY = timedelta(days=90)


class InvalidReportRequest(AppError):
    status_code = 422
    code = "invalid_report_request"


class InvalidCursor(AppError):
    status_code = 400
    code = "invalid_cursor"


class NoDocument(AppError):
    status_code = 409
    code = "no_document"


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime | None) -> datetime | None:
    """A time without an offset is read as UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def start_of_day(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(UTC).date(), time.min, UTC)


def last_second_before(moment: datetime) -> datetime:
    return moment - timedelta(seconds=1)


def encode_cursor(created_at: datetime, report_id: uuid.UUID) -> str:
    raw = json.dumps([created_at.isoformat(), str(report_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        when, report_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(str(when)), uuid.UUID(str(report_id))
    except Exception as exc:
        raise InvalidCursor("the cursor is not one this API returned") from exc


def add_period(moment: datetime, every: str) -> datetime:
    if every == "day":
        return moment + timedelta(days=1)
    if every == "week":
        return moment + timedelta(days=7)
    month = moment.month % 12 + 1
    year = moment.year + (1 if month == 1 else 0)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def kind_out(kind: ReportKind) -> ReportKindOut:
    return ReportKindOut(
        report_type=kind.report_type,
        title=kind.title,
        description=kind.description,
        requestable=kind.requestable,
        needs_dates=kind.needs_dates,
        max_range_days=kind.max_range_days,
        max_age_days=kind.max_age_days,
        single_marketplace=kind.single_marketplace,
        datakiosk_dataset=kind.datakiosk.dataset if kind.datakiosk else None,
        tables=list(kind.tables),
        has_rows=kind.loader is not None and bool(kind.tables),
    )


def report_out(report: Report, document: ReportDocument | None) -> ReportOut:
    kind = CATALOGUE.get(report.report_type)
    stored = None
    if document is not None:
        stored = StoredDocumentOut(
            file_name=document.file_name or document.storage_key.rsplit("/", 1)[-1],
            content_type=document.content_type or "application/octet-stream",
            size_bytes=document.size_bytes or 0,
            sha256=document.sha256 or "",
        )
    return ReportOut(
        id=report.id,
        connection_id=report.connection_id,
        report_type=report.report_type,
        title=kind.title if kind else report.report_type,
        marketplace_ids=list(report.marketplace_ids or []),
        data_start=report.data_start,
        data_end=report.data_end,
        options=dict(report.options or {}),
        status=report.status,
        processing_status=report.processing_status,
        via=report.via,
        source=report.source,
        amazon_id=report.amazon_report_id,
        error=report.error,
        error_document=report.error_document,
        document=stored,
        rows_loaded=report.rows_loaded,
        schedule_id=report.schedule_id,
        created_at=report.created_at,
        updated_at=report.updated_at,
        finished_at=report.finished_at,
    )


class ReportsService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = ReportRepository(session)

    # Asking for reports ------------------------------------------------------------------------

    def catalogue(self) -> list[ReportKindOut]:
        return [kind_out(kind) for kind in CATALOGUE.values()]

    async def create(
        self,
        tenant_id: uuid.UUID,
        body: ReportCreate,
        *,
        user_id: uuid.UUID | None,
        source: str = "user",
        schedule_id: uuid.UUID | None = None,
    ) -> ReportOut:
        """Check the request, record it (pending) and enqueue its job for after the commit."""
        kind = self._kind(body.report_type)
        marketplaces = await self._marketplaces(tenant_id, body.connection_id, kind, body.marketplace_ids)
        start, end = self._window(kind, as_utc(body.data_start_time), as_utc(body.data_end_time))
        options = {**kind.report_options, **(body.report_options or {})}
        tenant = await self.repo.tenant(tenant_id)
        use_datakiosk = (
            tenant is not None
            and kind.datakiosk is not None
            and flag_enabled(tenant, self.settings, "use_data_kiosk")
        )
        report = await self.repo.add(
            tenant_id=tenant_id,
            connection_id=body.connection_id,
            report_type=kind.report_type,
            marketplace_ids=marketplaces,
            data_start=start,
            data_end=end,
            options=options,
            status="pending",
            via="datakiosk" if use_datakiosk else "report",
            source=source,
            schedule_id=schedule_id,
            requested_by_user_id=user_id,
        )
        enqueue_job(self.session, RUN_REPORT_ACTOR, report_id=str(report.id), tenant_id=str(tenant_id))
        await self.session.refresh(report)
        return report_out(report, None)

    def _kind(self, report_type: str) -> ReportKind:
        kind = CATALOGUE.get(report_type)
        if kind is None:
            raise InvalidReportRequest(
                f"Unknown report type {report_type!r}: GET /api/reports/catalogue lists the supported ones."
            )
        if not kind.requestable:
            raise InvalidReportRequest(
                f"{kind.title} ({report_type}) cannot be requested: Amazon produces it on its own "
                "schedule, and it is loaded as it appears."
            )
        return kind

    async def _marketplaces(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID, kind: ReportKind, requested: list[str]
    ) -> list[str]:
        connection = await self.repo.connection(tenant_id, connection_id)
        if connection is None:
            raise NotFound("connection not found")
        if connection.provider != "amazon_sp":
            raise InvalidReportRequest(
                "Reports come from a Seller Central (SP-API) connection, not an Ads one."
            )
        if connection.status != "active":
            raise InvalidReportRequest(
                f"The connection is {connection.status}: reconnect it before asking for reports."
            )
        marketplaces = list(dict.fromkeys(requested))
        unknown = [m for m in marketplaces if m not in (connection.marketplaces or [])]
        if unknown:
            raise InvalidReportRequest(
                f"Marketplace {', '.join(unknown)} is not one of this connection's "
                f"({', '.join(connection.marketplaces or []) or 'none'})."
            )
        if kind.single_marketplace and len(marketplaces) > 1:
            raise InvalidReportRequest(f"{kind.title} is asked for one marketplace at a time.")
        return marketplaces

    def _window(
        self, kind: ReportKind, start: datetime | None, end: datetime | None
    ) -> tuple[datetime | None, datetime | None]:
        if not kind.needs_dates:
            if start is not None or end is not None:
                raise InvalidReportRequest(f"{kind.title} is a snapshot of today: it takes no dates.")
            return None, None
        now = utcnow()
        span = min(DEFAULT_RANGE_DAYS, kind.max_range_days or DEFAULT_RANGE_DAYS)
        # Default: whole days up to yesterday (Amazon includes the end's day in daily reports).
        end = end or last_second_before(start_of_day(now))
        start = start or start_of_day(end) - timedelta(days=span - 1)
        if start >= end:
            raise InvalidReportRequest("dataStartTime must be before dataEndTime.")
        if end > now + timedelta(minutes=5):
            raise InvalidReportRequest("dataEndTime must not be in the future.")
        if kind.max_range_days is not None and end - start > timedelta(days=kind.max_range_days):
            raise InvalidReportRequest(
                f"{kind.title} covers at most {kind.max_range_days} days per request "
                f"(asked: {(end - start).total_seconds() / 86400:.1f})."
            )
        if kind.max_age_days is not None and start < now - timedelta(days=kind.max_age_days):
            raise InvalidReportRequest(
                f"{kind.title} reaches back at most {kind.max_age_days} days (dataStartTime is older)."
            )
        return start, end

    # Reading -----------------------------------------------------------------------------------

    async def list_reports(self, filters: ReportFilters, *, cursor: str | None, limit: int) -> ReportsPage:
        after = decode_cursor(cursor) if cursor else None
        rows = await self.repo.page(filters, after=after, limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        documents = await self.repo.documents_of(filters.tenant_id, [r.id for r in rows])
        return ReportsPage(
            reports=[report_out(r, documents.get(r.id)) for r in rows],
            next_cursor=encode_cursor(rows[-1].created_at, rows[-1].id) if more and rows else None,
        )

    async def get(self, tenant_id: uuid.UUID, report_id: uuid.UUID) -> ReportOut:
        report = await self.repo.get(tenant_id, report_id)
        if report is None:
            raise NotFound("report not found")
        return report_out(report, await self.repo.document_of(tenant_id, report_id))

    async def stored_document(self, tenant_id: uuid.UUID, report_id: uuid.UUID) -> ReportDocument:
        """The stored file's record; 409 with the reason while there is none."""
        report = await self.repo.get(tenant_id, report_id)
        if report is None:
            raise NotFound("report not found")
        document = await self.repo.document_of(tenant_id, report_id)
        if document is None:
            reasons = {
                "pending": "the report has not been asked of Amazon yet",
                "processing": "Amazon is still processing the report",
                "cancelled": "Amazon cancelled the report (no data), so there is no document",
                "fatal": "Amazon failed the report; its error document is in the report's error_document",
                "error": "the report failed before a document was downloaded",
                "done": "the report finished without a document (no data)",
            }
            raise NoDocument(f"No document yet: {reasons.get(report.status, report.status)}.")
        return document

    # Schedules ---------------------------------------------------------------------------------

    async def create_schedule(
        self, tenant_id: uuid.UUID, body: ScheduleCreate, *, user_id: uuid.UUID | None
    ) -> ScheduleOut:
        kind = self._kind(body.report_type)
        marketplaces = await self._marketplaces(tenant_id, body.connection_id, kind, body.marketplace_ids)
        range_days = None
        if kind.needs_dates:
            range_days = body.range_days or PERIOD_DAYS[body.every]
            if kind.max_range_days is not None and range_days > kind.max_range_days:
                raise InvalidReportRequest(
                    f"{kind.title} covers at most {kind.max_range_days} days per request."
                )
        elif body.range_days is not None:
            raise InvalidReportRequest(f"{kind.title} is a snapshot of today: it takes no range.")
        schedule = await self.repo.add_schedule(
            tenant_id=tenant_id,
            connection_id=body.connection_id,
            report_type=kind.report_type,
            marketplace_ids=marketplaces,
            options=dict(kind.report_options),
            every=body.every,
            range_days=range_days,
            # The first report comes with the scheduler's next tick.
            next_run_at=utcnow(),
            created_by_user_id=user_id,
        )
        await self.session.refresh(schedule)
        return ScheduleOut.model_validate(schedule)

    async def schedules(self, tenant_id: uuid.UUID) -> list[ScheduleOut]:
        return [ScheduleOut.model_validate(s) for s in await self.repo.schedules(tenant_id)]

    async def delete_schedule(self, tenant_id: uuid.UUID, schedule_id: uuid.UUID) -> None:
        if not await self.repo.delete_schedule(tenant_id, schedule_id):
            raise NotFound("schedule not found")

    async def run_due_schedules(self, now: datetime) -> int:
        """Create the report of every due schedule (the scheduler's tick); returns how many.

        A schedule whose request no longer holds (connection gone, marketplace dropped) moves on to
        its next period rather than failing every tick."""
        created = 0
        for schedule in await self.repo.claim_due_schedules(now):
            report_id = await self._scheduled_report(schedule, now)
            next_run = schedule.next_run_at
            while next_run <= now:
                next_run = add_period(next_run, schedule.every)
            await self.repo.advance_schedule(schedule.id, next_run, report_id or schedule.last_report_id)  # type: ignore[arg-type]
            created += report_id is not None
        return created

    async def _scheduled_report(self, schedule: ReportSchedule, now: datetime) -> uuid.UUID | None:
        kind = CATALOGUE.get(schedule.report_type)
        start = end = None
        if kind is not None and kind.needs_dates:
            # The whole days before the run's day.
            today = start_of_day(now)
            end = last_second_before(today)
            start = today - timedelta(days=schedule.range_days or PERIOD_DAYS[schedule.every])
        body = ReportCreate(
            connection_id=schedule.connection_id,
            report_type=schedule.report_type,
            marketplace_ids=list(schedule.marketplace_ids),
            data_start_time=start,
            data_end_time=end,
            report_options=dict(schedule.options or {}),
        )
        try:
            out = await self.create(
                schedule.tenant_id, body, user_id=None, source="schedule", schedule_id=schedule.id
            )
        except (InvalidReportRequest, NotFound):
            return None
        return out.id

    # Settlements and notifications (the worker) ------------------------------------------------

    async def add_settlements(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID, found: list[dict[str, Any]]
    ) -> list[uuid.UUID]:
        """Record settlement reports Amazon listed (new ones only) and enqueue their download."""
        rows = [{"tenant_id": tenant_id, "connection_id": connection_id, **values} for values in found]
        new = await self.repo.add_settlements(rows)
        for report_id in new:
            enqueue_job(self.session, RUN_REPORT_ACTOR, report_id=str(report_id), tenant_id=str(tenant_id))
        return new

    async def settlements_since(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID, now: datetime
    ) -> datetime:
        """Where the next settlement listing starts: settlement reports are created after the period
        they cover, so from the end of the last one seen (within Amazon's 90 days)."""
        latest = await self.repo.latest_settlement_end(tenant_id, connection_id)
        oldest = now - SETTLEMENT_HISTORY + timedelta(minutes=5)
        return max(oldest, latest or oldest)

    async def scan_settlements(self, actor: str) -> int:
        """Enqueue the settlement discovery of every active seller connection."""
        connections = await self.repo.active_seller_connections()
        for tenant_id, connection_id in connections:
            enqueue_job(self.session, actor, connection_id=str(connection_id), tenant_id=str(tenant_id))
        return len(connections)

    async def revive_overdue(self, now: datetime, grace_s: float) -> int:
        """Run again the in-flight reports whose next step is `grace_s` overdue; returns how many.

        The polling message of a report can be lost (a worker killed while holding it, a Redis
        restart): the row says when its next step was due, so the scheduler notices and sends a new
        one. A chain that was merely late ends itself when it sees the newer schedule."""
        reports = await self.repo.claim_overdue(now, now - timedelta(seconds=grace_s))
        for report in reports:
            enqueue_job(
                self.session, RUN_REPORT_ACTOR, report_id=str(report.id), tenant_id=str(report.tenant_id)
            )
        return len(reports)

    async def wake(self, connection_ids: list[uuid.UUID], amazon_id: str) -> int:
        """Amazon announced that job `amazon_id` finished: run its reports' next step now."""
        reports = await self.repo.by_amazon_id(connection_ids, amazon_id)
        for report in reports:
            enqueue_job(
                self.session,
                RUN_REPORT_ACTOR,
                report_id=str(report.id),
                tenant_id=str(report.tenant_id),
                poll=False,
            )
        return len(reports)


async def delete_connection_reports(
    session: AsyncSession, storage: DocumentStorage, tenant_id: uuid.UUID, connection_id: uuid.UUID
) -> None:
    """Retention: the connection's reports, schedules, report rows, Data Kiosk records and stored
    report files."""
    await DataKioskRepository(session).delete_for_connection(tenant_id, connection_id)
    await delete_rows_for_connection(session, tenant_id, connection_id)
    keys = await ReportRepository(session).delete_for_connection(tenant_id, connection_id)
    await delete_files(storage, keys)
