"""The report job's state machine: one call of `ReportRunner.run` moves a report one step and says
when to look again (seconds), or None when it is final. The actor (`reports.run_report`) re-enqueues
itself with that delay; a notification (REPORT_PROCESSING_FINISHED, DATA_KIOSK_QUERY_PROCESSING_FINISHED)
brings the next step forward.

Durability: the `reports` row exists (pending) before Amazon is called; the request itself goes
through `AsyncDocuments`, whose `amazon_documents` row is written before Amazon is asked. A crash
between Amazon's answer and our commit therefore ends in reuse (the identical request in flight is
found, at home or at Amazon), never in a second report burning the quota. Every step runs in its
own short unit of work; no transaction is held while Amazon answers or a file downloads.

Amazon's meanings are kept: CANCELLED usually means "no data for this range" (nothing to
download), FATAL comes with an error document (downloaded, kept, shown), an id Amazon forgot is asked
again. Throttling never fails a report: it retries later with a growing delay. Anything else Amazon
refuses ends the report in `error` with a sentence for the user (never a token or an URL).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

import structlog

from app.amazon_http.documents import DocumentExpired, fresh_document_bytes
from app.amazon_http.errors import AmazonError, ServerError, Throttled, TransportError
from app.amazon_http.jobs import AsyncDocumentSource
from app.amazon_http.transport import AmazonTransport
from app.datakiosk.repository import DataKioskRepository
from app.documents.service import AsyncDocuments, Document, DocumentRequest, UnitOfWork
from app.documents.storage import DocumentStorage
from app.reports.catalogue import LoadTarget, ReportKind, get_kind
from app.reports.models import Report
from app.reports.repository import FINAL, ReportRepository
from app.spapi.operations.datakiosk import DataKioskApi, QuerySpec, compact
from app.spapi.operations.reports import RESTRICTED_REPORT_TYPES, ReportsApi, ReportSpec
from app.sync.planner import document_poll_delay, error_retry_delay, throttle_delay
from app.tokens.errors import ReauthorizationRequired

log = structlog.get_logger("app.reports")

ERROR_DOCUMENT_MAX = 10_000
# Consecutive failed steps (5xx, network; throttled ones count too) before a report gives up with
# an error: about ten minutes of retries with `error_retry_delay`.
MAX_FAILURES = 14
# A throttled report waits at most this long before trying again.
THROTTLE_MAX_S = 600.0
# A polling message may run this much before the time its chain recorded.
EARLY = timedelta(seconds=2)
DATAKIOSK_CONTENT_TYPE = "application/x-ndjson"
# Report fields mirrored into the `datakiosk_queries` row of a Data Kiosk report.
_MIRRORED = {
    "status": "status",
    "processing_status": "processing_status",
    "document_id": "document_id",
    "amazon_report_id": "amazon_query_id",
    "error": "error",
    "rows_loaded": "row_count",
}

CANCELLED = {
    "report": "Amazon cancelled the report (CANCELLED): it had no data for this range and marketplace.",
    # Data Kiosk says "no data" with DONE and no document; CANCELLED is a cancellation.
    "datakiosk": "Data Kiosk cancelled the query (CANCELLED) before it finished; ask again.",
}
FATAL = {
    "report": "Amazon could not produce this report (FATAL). Its error document below says why.",
    "datakiosk": "Data Kiosk failed the query (FATAL). Its error document below says why.",
}
NO_DATA = "Data Kiosk found no data for this range: there is no document to download."


def utcnow() -> datetime:
    return datetime.now(UTC)


class ReportClient(Protocol):
    """What the job needs of an SP-API client (`app.spapi.SpApiClient`)."""

    transport: AmazonTransport

    @property
    def reports(self) -> ReportsApi: ...

    @property
    def data_kiosk(self) -> DataKioskApi: ...


ClientFor = Callable[[uuid.UUID], Awaitable[ReportClient]]


@dataclass(frozen=True)
class Snapshot:
    """The report row as one step reads it (no ORM object outlives its unit of work)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    report_type: str
    marketplace_ids: tuple[str, ...]
    data_start: datetime | None
    data_end: datetime | None
    options: dict[str, str]
    via: Literal["report", "datakiosk"]
    status: str
    document_record_id: uuid.UUID | None
    amazon_report_id: str | None
    attempts: int
    source: str = "user"
    document_id: str | None = None
    next_check_at: datetime | None = None

    @classmethod
    def of(cls, report: Report) -> Snapshot:
        return cls(
            report.id,
            report.tenant_id,
            report.connection_id,
            report.report_type,
            tuple(report.marketplace_ids or ()),
            report.data_start,
            report.data_end,
            dict(report.options or {}),
            "datakiosk" if report.via == "datakiosk" else "report",
            report.status,
            report.document_record_id,
            report.amazon_report_id,
            report.attempts,
            report.source,
            report.document_id,
            report.next_check_at,
        )


def report_spec(report: Snapshot) -> ReportSpec:
    return ReportSpec(
        report.report_type, list(report.marketplace_ids), report.data_start, report.data_end, report.options
    )


def datakiosk_query(report: Snapshot, kind: ReportKind) -> str:
    assert kind.datakiosk is not None
    start = report.data_start or utcnow()
    end = report.data_end or start
    return compact(kind.datakiosk.query(report.marketplace_ids[0], start.date(), end.date()))


def request_key(report: Snapshot, kind: ReportKind) -> str:
    """Equal for identical requests of a connection: what `AsyncDocuments` reuses in flight."""
    if report.via == "datakiosk":
        return "dk:" + hashlib.sha256(datakiosk_query(report, kind).encode()).hexdigest()
    spec = report_spec(report)
    return json.dumps(spec.body(), sort_keys=True, separators=(",", ":"))


def storage_key(report: Snapshot, file_name: str) -> str:
    return f"{report.tenant_id}/reports/{report.id}/{file_name}"


class ReportRunner:
    def __init__(
        self,
        uow: UnitOfWork,
        client_for: ClientFor,
        storage: DocumentStorage,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.uow = uow
        self.client_for = client_for
        self.storage = storage
        self.now = now

    async def run(self, tenant_id: uuid.UUID, report_id: uuid.UUID, *, poll: bool = True) -> float | None:
        """One step; seconds until the next one (recorded as `next_check_at`), or None when the
        report is final, gone, or (`poll`) its next step belongs to another, later message."""
        async with self.uow() as session:
            row = await ReportRepository(session).get(tenant_id, report_id)
            report = None if row is None else Snapshot.of(row)
        if report is None or report.status in FINAL:
            return None
        if poll and report.next_check_at is not None and report.next_check_at > self.now() + EARLY:
            # A second polling chain (revived while the first was only late): this one ends here.
            return None
        delay = await self._step(report)
        if delay is not None:
            await self._save(report, next_check_at=self.now() + timedelta(seconds=delay))
        return delay

    async def _step(self, report: Snapshot) -> float | None:
        try:
            kind = get_kind(report.report_type)
        except KeyError:
            await self._finish(
                report, "error", error=f"The report type {report.report_type} is not supported."
            )
            return None
        try:
            client = await self.client_for(report.connection_id)
        except LookupError:
            await self._finish(
                report, "error", error="The Amazon connection of this report no longer exists."
            )
            return None
        try:
            return await self._advance(report, kind, client)
        except Throttled as exc:
            # Never a reason to fail: Amazon's quota frees up; wait longer each time in a row.
            delay = min(
                THROTTLE_MAX_S, max(throttle_delay(exc.retry_after), error_retry_delay(report.attempts + 1))
            )
            await self._save(report, attempts=report.attempts + 1)
            log.info("reports.throttled", report_id=str(report.id), delay_s=round(delay, 2))
            return delay
        except ReauthorizationRequired:
            await self._finish(report, "error", error="The Amazon connection needs to be re-authorized.")
        except (ServerError, TransportError, DocumentExpired) as exc:
            return await self._retry(report, f"Amazon kept failing ({type(exc).__name__})")
        except AmazonError as exc:
            await self._finish(report, "error", error=_refusal(report, exc))
        except Exception as exc:
            # A bug or our own infrastructure (database, storage): retried a bounded number of times,
            # so the scheduler's sweep never revives a report forever.
            log.exception("reports.step_failed", report_id=str(report.id))
            return await self._retry(report, f"The report failed on our side ({type(exc).__name__})")
        return None

    async def _retry(self, report: Snapshot, reason: str) -> float | None:
        if report.attempts + 1 >= MAX_FAILURES:
            await self._finish(report, "error", error=f"{reason}; please ask again later.")
            return None
        await self._save(report, attempts=report.attempts + 1)
        log.info("reports.retry", report_id=str(report.id), reason=reason)
        return error_retry_delay(report.attempts + 1)

    # Steps -------------------------------------------------------------------------------------

    async def _advance(self, report: Snapshot, kind: ReportKind, client: ReportClient) -> float | None:
        if report.source == "settlement":
            await self._settlement(report, kind, client)
            return None
        documents = AsyncDocuments(self.uow, report.tenant_id, report.connection_id, job_id=None)
        source, request = self._request(report, kind, client)
        document = None
        if report.document_record_id is not None:
            document = await documents.find(report.document_record_id)
        if document is None or document.state == "gone":
            # Reuses an identical request in flight (ours, or Amazon's after a crash) when there is one.
            document = await documents.request(source, request)
            await self._save(
                report,
                status="processing",
                document_record_id=document.id,
                amazon_report_id=document.amazon_id,
                processing_status=document.processing_status,
                attempts=0,
            )
        if document.in_flight:
            document = await documents.check(source, document)
            await self._save(
                report,
                status="processing",
                processing_status=document.processing_status,
                document_id=document.document_id,
                attempts=0,
            )
        if document.state == "gone":
            # Amazon forgot the id: ask again on the next step.
            await self._save(report, document_record_id=None, amazon_report_id=None, processing_status=None)
            return 0.5
        if document.in_flight:
            requested = document.requested_at or self.now()
            return document_poll_delay((self.now() - requested).total_seconds())
        if document.state == "cancelled":
            await self._finish(report, "cancelled", error=CANCELLED[report.via])
        elif document.state == "fatal":
            text = await self._error_document(report, client, document)
            await self._finish(report, "fatal", error=FATAL[report.via], error_document=text)
        elif document.document_id is None:
            # Data Kiosk answers DONE without a document when the query matched nothing.
            await self._finish(report, "done", error=NO_DATA, rows_loaded=0)
        else:
            rows = await self._store_and_load(report, kind, client, document)
            await self._finish(report, "done", rows_loaded=rows)
        return None

    async def _settlement(self, report: Snapshot, kind: ReportKind, client: ReportClient) -> None:
        """Amazon made the report on its own schedule and listed it DONE: only download and load."""
        if report.amazon_report_id is None or report.document_id is None:
            await self._finish(
                report, "error", error="Amazon listed this settlement report without a document."
            )
            return None
        done = Document(uuid.uuid4(), report.amazon_report_id, "done", "DONE", report.document_id)
        rows = await self._store_and_load(report, kind, client, done)
        await self._finish(report, "done", rows_loaded=rows)

    def _request(
        self, report: Snapshot, kind: ReportKind, client: ReportClient
    ) -> tuple[AsyncDocumentSource[Any], DocumentRequest[Any]]:
        key = request_key(report, kind)
        if report.via == "datakiosk":
            query = datakiosk_query(report, kind)
            return client.data_kiosk, DocumentRequest(
                "datakiosk_query", key, {"query": query}, QuerySpec(query)
            )
        spec = report_spec(report)
        return client.reports, DocumentRequest("report", key, spec.body(), spec)

    def _download(self, report: Snapshot, client: ReportClient, document_id: str) -> AsyncIterator[bytes]:
        """The document's bytes through a fresh pre-signed URL (fetched again once if it expired)."""
        if report.via == "datakiosk":

            async def fresh_url() -> str:
                return (await client.data_kiosk.get_document(document_id)).document_url

        else:
            restricted = report.report_type in RESTRICTED_REPORT_TYPES

            async def fresh_url() -> str:
                return (await client.reports.get_report_document(document_id, restricted=restricted)).url

        return fresh_document_bytes(client.transport.http, fresh_url)

    async def _error_document(self, report: Snapshot, client: ReportClient, document: Document) -> str | None:
        if document.document_id is None:
            return None
        collected = bytearray()
        chunks = self._download(report, client, document.document_id)
        try:
            async for chunk in chunks:
                collected += chunk
                if len(collected) >= ERROR_DOCUMENT_MAX:
                    break
        finally:
            await chunks.aclose()  # type: ignore[attr-defined]
        return bytes(collected[:ERROR_DOCUMENT_MAX]).decode("utf-8", errors="replace")

    async def _store_and_load(
        self, report: Snapshot, kind: ReportKind, client: ReportClient, document: Document
    ) -> int | None:
        assert document.document_id is not None and document.amazon_id is not None
        async with self.uow() as session:
            stored = await ReportRepository(session).document_of(report.tenant_id, report.id)
            key = stored.storage_key if stored is not None else None
            stored_id = stored.amazon_document_id if stored is not None else None
        if key is None or stored_id != document.document_id:
            # Not stored yet (or a crash came before the row): download again; the write replaces.
            extension = "jsonl" if report.via == "datakiosk" else kind.file_extension
            content_type = DATAKIOSK_CONTENT_TYPE if report.via == "datakiosk" else kind.content_type
            file_name = f"{report.report_type}_{document.amazon_id}.{extension}"
            key = storage_key(report, file_name)
            written = await self.storage.write(key, self._download(report, client, document.document_id))
            async with self.uow() as session:
                await ReportRepository(session).save_document(
                    tenant_id=report.tenant_id,
                    report_id=report.id,
                    amazon_document_id=document.document_id,
                    storage_key=key,
                    content_type=content_type,
                    compression=None,
                    size_bytes=written.size_bytes,
                    file_name=file_name,
                    sha256=written.sha256,
                )
                if report.via == "datakiosk":
                    await DataKioskRepository(session).record(
                        report.tenant_id,
                        report.connection_id,
                        report.id,
                        datakiosk_query(report, kind),
                        storage_key=key,
                        size_bytes=written.size_bytes,
                    )
            log.info("reports.document_stored", report_id=str(report.id), size_bytes=written.size_bytes)
        if kind.loader is None:
            return None
        target = LoadTarget(
            tenant_id=report.tenant_id,
            connection_id=report.connection_id,
            report_id=report.id,
            marketplace_ids=report.marketplace_ids,
            data_start=report.data_start,
            data_end=report.data_end,
        )
        rows = await kind.loader.load(self.uow, target, self.storage.read(key), report.via)
        async with self.uow() as session:
            await ReportRepository(session).set_document_rows(report.tenant_id, report.id, rows)
        return rows

    # Writes ------------------------------------------------------------------------------------

    async def _save(self, report: Snapshot, **values: Any) -> None:
        async with self.uow() as session:
            await ReportRepository(session).update(report.tenant_id, report.id, **values)
            if report.via == "datakiosk":
                await self._record_query(session, report, values)

    async def _finish(self, report: Snapshot, status: str, **values: Any) -> None:
        await self._save(report, status=status, finished_at=self.now(), next_check_at=None, **values)
        log.info("reports.finished", report_id=str(report.id), status=status, via=report.via)

    @staticmethod
    async def _record_query(session: Any, report: Snapshot, values: dict[str, Any]) -> None:
        """Mirror the report's Amazon side into its `datakiosk_queries` row."""
        changed = {_MIRRORED[k]: v for k, v in values.items() if k in _MIRRORED}
        if not changed:
            return
        try:
            kind = get_kind(report.report_type)
            query = datakiosk_query(report, kind) if kind.datakiosk is not None else ""
        except KeyError:
            query = ""
        await DataKioskRepository(session).record(
            report.tenant_id, report.connection_id, report.id, query, **changed
        )


def _refusal(report: Snapshot, exc: AmazonError) -> str:
    api = "Data Kiosk" if report.via == "datakiosk" else "Amazon"
    details = "; ".join(e.message for e in exc.errors if e.message)[:500]
    return f"{api} refused the request" + (f": {details}" if details else f" (HTTP {exc.status}).")
