"""One run of one `sync_state` row, for whichever dataset the row is: the delta when it is due, then
one step of the backfill.

Transactions: the caller hands a `UnitOfWork` factory (the task layer's); a run opens one unit per
page (or per document batch) and never commits by itself. What a crash at any point leaves behind:
  * a page upserted and committed, with the cursor (`extra.delta.next_token` /
    `extra.backfill.next_token`) in the same transaction: the resumed run asks for the next page;
  * a crash before a commit: the page (or the document) is read again and upserted again, which
    changes nothing the second time (datasets upsert idempotently);
  * the watermark (`last_updated_after`, `backfill_done_until`) moves only in the transaction that
    closes the window, after every page of it committed.

Backfill windows are read through the dataset's document when it has one (an order report: a whole
window in one file, no per-order call), asked for through `app.documents` and up to
`documents_ahead` windows ahead, so Amazon makes them while this one loads. The window is read page
by page instead when the document ends CANCELLED (often "no data": one page confirms it) or FATAL,
and for every window when the seller cannot have documents at all (NotFound/Forbidden on creation:
`extra.reports = "unavailable"`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.errors import (
    AmazonError,
    Forbidden,
    InvalidInput,
    NotFound,
    ServerError,
    Throttled,
    TransportError,
)
from app.amazon_http.jobs import AsyncDocumentSource
from app.documents.service import AsyncDocuments, Document
from app.settings import Settings
from app.sync import planner
from app.sync.dataset import ClientFactory, Counts, Dataset, Page, Scope, WindowKind
from app.sync.models import SyncState
from app.sync.observe import CallStats, current_stats
from app.sync.repository import DueRow, SyncRepository
from app.tokens.errors import TokenServiceUnavailable

log = structlog.get_logger("app.sync")

UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncSession]]
Heartbeat = Callable[[], Awaitable[None]]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def delta_interval(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.sync.delta_sync_interval_minutes)


def delta_due(extra: dict[str, Any], interval: timedelta, now: datetime) -> datetime:
    return planner.delta_due_at(
        _time(extra.get("last_delta_at")), interval, now, _time(extra.get("next_delta_at"))
    )


def delta_is_due(state: SyncState | DueRow, interval: timedelta, now: datetime) -> bool:
    extra = state.extra or {}
    if extra.get("force_delta") or extra.get("delta"):
        return True
    if state.last_updated_after is None:
        return False
    return delta_due(extra, interval, now) <= now


@dataclass
class Outcome:
    kind: Literal["done", "throttled", "error", "stale", "reauth"]
    next_run_at: datetime
    delay_s: float = 0.0
    error: str | None = None


class _Stop(Exception):
    """Internal: a step was throttled; progress so far is committed."""

    def __init__(self, delay_s: float) -> None:
        super().__init__(f"throttled for {delay_s:.2f}s")
        self.delay_s = delay_s


class SyncRun:
    """One run of one sync_state row, by the holder of its claim."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        clients: ClientFactory,
        datasets: Callable[[str], Dataset[Any, Any]],
        settings: Settings,
        state_id: uuid.UUID,
        claim: str,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self.uow = uow
        self.clients = clients
        self.datasets = datasets
        self.settings = settings
        self.state_id = state_id
        self.claim = claim
        self.heartbeat = heartbeat
        self.stats = CallStats()
        self.state: SyncState | None = None
        self.extra: dict[str, Any] = {}

    @property
    def scope(self) -> Scope:
        assert self.state is not None
        return Scope(self.state.tenant_id, self.state.connection_id, self.state.marketplace_id)

    async def execute(self) -> Outcome:
        token = current_stats.set(self.stats)
        try:
            return await self._execute()
        finally:
            current_stats.reset(token)

    async def _execute(self) -> Outcome:
        now = utcnow()
        async with self.uow() as session:
            repo = SyncRepository(session)
            state = await repo.start_run(self.state_id, self.claim, now)
            if state is None:
                return Outcome("stale", now)
            # Detached: what is written below is mirrored on it instead of reading it again.
            session.expunge(state)
            dataset = self.datasets(state.entity)
            if state.backfill_from is None or state.backfill_to is None:
                window = planner.backfill_range(now, dataset.history)
                values: dict[str, Any] = {
                    "backfill_from": window.start,
                    "backfill_to": window.end,
                    "backfill_started_at": now,
                    "last_updated_after": state.last_updated_after or window.end,
                }
                await repo.save_progress(self.state_id, self.claim, **values)
                for key, value in values.items():
                    setattr(state, key, value)
        self.state = state
        self.extra = dict(state.extra or {})
        client = await self.clients(dataset.provider, str(state.connection_id))
        interval = delta_interval(self.settings)
        try:
            if delta_is_due(state, interval, now):
                await self._delta(dataset, client)
            poll = await self._backfill_step(dataset, client)
        except _Stop as stop:
            return Outcome("throttled", utcnow() + timedelta(seconds=stop.delay_s), stop.delay_s)
        now = utcnow()
        if poll is not None:
            # A document being made: come back when it may be done (parked like a throttled run).
            return Outcome("throttled", now + timedelta(seconds=poll), poll)
        if state.backfill_completed_at is None:
            return Outcome("done", now)
        return Outcome("done", delta_due(self.extra, interval, now))

    # -- helpers ------------------------------------------------------------------------------

    async def _beat(self) -> None:
        if self.heartbeat is not None:
            await self.heartbeat()

    async def _flush_stats(self, repo: SyncRepository, job_id: uuid.UUID, **counters: Any) -> None:
        calls = self.stats.take()
        await repo.add_to_job(
            job_id,
            throttled_429=calls.throttled,
            retries=calls.retries,
            request_ids=calls.request_ids,
            **counters,
        )

    async def _save(self, job_id: uuid.UUID | None = None, **counters: Any) -> None:
        """Commit the run's `extra` (and the calls counted so far on the job)."""
        async with self.uow() as session:
            repo = SyncRepository(session)
            if job_id is not None:
                await self._flush_stats(repo, job_id, **counters)
            await repo.save_progress(self.state_id, self.claim, extra=self.extra)

    async def _guard(self, job_id: uuid.UUID, call: Callable[[], Awaitable[Any]]) -> Any:
        """Run an Amazon step; on throttling (or a retryable failure handed back) record the counts
        and stop the run so the worker reschedules it."""
        try:
            return await call()
        except (Throttled, ServerError, TransportError, TokenServiceUnavailable) as exc:
            # LWA throttling or failing is as passing as Amazon's: parked, not failed (a failure
            # backs off exponentially, and a storm of them would stall the row for minutes).
            delay = planner.throttle_delay(exc.retry_after)
            async with self.uow() as session:
                await self._flush_stats(SyncRepository(session), job_id)
            log.info(
                "sync.parked",
                state_id=str(self.state_id),
                error=type(exc).__name__,
                delay_s=round(delay, 3),
                amzn_request_id=exc.request_id,
            )
            raise _Stop(delay) from None

    async def _open_window(
        self,
        dataset: Dataset[Any, Any],
        client: Any,
        kind: WindowKind,
        window: planner.Window,
        cursor: dict[str, Any],
        **payload: Any,
    ) -> uuid.UUID:
        """The window's job row and its cursor in `extra[kind]`, in one transaction."""
        assert self.state is not None
        async with self.uow() as session:
            repo = SyncRepository(session)
            job_id = await repo.create_job(
                tenant_id=self.state.tenant_id,
                connection_id=self.state.connection_id,
                entity=dataset.name,
                kind=kind,
                marketplace_id=self.state.marketplace_id,
                window_start=window.start,
                window_end=window.end,
                payload={**payload, **dataset.job_payload(client)},
                now=utcnow(),
            )
            self.extra[kind] = {**cursor, "job_id": str(job_id)}
            await repo.save_progress(self.state_id, self.claim, extra=self.extra)
        return job_id

    async def _pages(
        self,
        dataset: Dataset[Any, Any],
        client: Any,
        kind: WindowKind,
        window: planner.Window,
        cursor_key: str,
        job_id: uuid.UUID,
        on_last_page: Callable[[SyncRepository], Awaitable[None]] | None = None,
    ) -> bool:
        """Every page of the window from the saved cursor; each page committed with the next cursor.

        `on_last_page` closes the window in the last page's transaction instead of the cursor
        write (one transaction less per run); returns whether it ran."""
        cursor: dict[str, Any] = self.extra[cursor_key]
        token: str | None = cursor.get("next_token")
        pages: AsyncIterator[Page[Any]] = dataset.pages(client, self.scope, kind, window, token)
        first = True

        async def fetch_one() -> Page[Any] | None:
            return await anext(pages, None)

        while True:
            try:
                page = await self._guard(job_id, fetch_one)
            except InvalidInput:
                if not first or token is None:
                    raise
                # The saved page token expired: the window is read again from its first page.
                token = cursor["next_token"] = None
                pages = dataset.pages(client, self.scope, kind, window, None)
                continue
            first = False
            if page is None:
                return False
            token = cursor["next_token"] = page.next_token
            async with self.uow() as session:
                counts = await dataset.upsert(session, page.batch)
                repo = SyncRepository(session)
                await self._flush_stats(repo, job_id, pages=1, counts=counts)
                if token is None and on_last_page is not None:
                    await on_last_page(repo)
                else:
                    await repo.save_progress(self.state_id, self.claim, extra=self.extra, claimed_at=utcnow())
            await self._beat()
            if token is None:
                return on_last_page is not None

    # -- delta --------------------------------------------------------------------------------

    async def _delta(self, dataset: Dataset[Any, Any], client: Any) -> None:
        assert self.state is not None
        state = self.state
        now = utcnow()
        cursor = self.extra.get("delta")
        if cursor is None:
            interval = delta_interval(self.settings)
            slot = planner.next_delta_slot(delta_due(self.extra, interval, now), interval, now)
            watermark = state.last_updated_after or (state.backfill_to or now)
            window = planner.delta_window(watermark, now)
            if window is None:
                self.extra["last_delta_at"] = _iso(now)
                self.extra["next_delta_at"] = _iso(slot)
                self.extra.pop("force_delta", None)
                await self._save()
                return
            window_cursor = {
                "after": _iso(window.start),
                "before": _iso(window.end),
                "next_token": None,
                "next_slot": _iso(slot),
            }
            await self._open_window(dataset, client, "delta", window, window_cursor)
            cursor = self.extra["delta"]
        job_id = uuid.UUID(cursor["job_id"])
        after, before = _time(cursor["after"]), _time(cursor["before"])
        assert after is not None and before is not None
        next_slot = cursor.get("next_slot")

        async def close_window(repo: SyncRepository) -> None:
            finished = utcnow()
            self.extra.pop("delta", None)
            self.extra.pop("force_delta", None)
            self.extra["last_delta_at"] = _iso(finished)
            # Cursors written before slots existed have none: one interval from now, as before.
            self.extra["next_delta_at"] = next_slot or _iso(finished + delta_interval(self.settings))
            # The watermark moves in the transaction that closes the window, after every page.
            await repo.save_progress(self.state_id, self.claim, extra=self.extra, last_updated_after=before)
            await repo.finish_job(job_id, now=finished)

        window = planner.Window(after, before)
        if not await self._pages(
            dataset, client, "delta", window, "delta", job_id, on_last_page=close_window
        ):
            async with self.uow() as session:
                repo = SyncRepository(session)
                await self._flush_stats(repo, job_id)
                await close_window(repo)
        state.last_updated_after = before
        log.info("sync.delta_done", state_id=str(self.state_id), job_id=str(job_id), entity=dataset.name)

    # -- backfill -----------------------------------------------------------------------------

    async def _backfill_step(self, dataset: Dataset[Any, Any], client: Any) -> float | None:
        """One step of the backfill; returns a poll delay while the window's document is made."""
        assert self.state is not None
        state = self.state
        if state.backfill_completed_at is not None:
            return None
        assert state.backfill_from is not None and state.backfill_to is not None
        now = utcnow()
        source = dataset.document_source(client)
        cursor = self.extra.get("backfill")
        if cursor is None:
            window = planner.next_backfill_window(
                state.backfill_from, state.backfill_to, state.backfill_done_until, dataset.window
            )
            if window is None:
                async with self.uow() as session:
                    await SyncRepository(session).save_progress(
                        self.state_id, self.claim, backfill_completed_at=now
                    )
                state.backfill_completed_at = now
                return None
            path = "api" if source is None or self.extra.get("reports") == "unavailable" else "report"
            # Requests ahead were kept here before they became `amazon_documents` rows.
            self.extra.pop("ahead", None)
            window_cursor = {
                "start": _iso(window.start),
                "end": _iso(window.end),
                "path": path,
                "document": None,
                "next_token": None,
            }
            await self._open_window(dataset, client, "backfill", window, window_cursor, path=path)
            cursor = self.extra["backfill"]
        job_id = uuid.UUID(cursor["job_id"])
        start, end = _time(cursor["start"]), _time(cursor["end"])
        assert start is not None and end is not None
        window = planner.Window(start, end)
        if cursor["path"] == "report" and source is not None:
            poll = await self._document_step(dataset, source, cursor, job_id, window)
            if poll is not None:
                return poll
        if cursor["path"] == "api":
            await self._pages(dataset, client, "backfill", window, "backfill", job_id)
        finished = utcnow()
        self.extra.pop("backfill", None)
        complete = end >= state.backfill_to
        async with self.uow() as session:
            repo = SyncRepository(session)
            await self._flush_stats(repo, job_id)
            values: dict[str, Any] = {"extra": self.extra, "backfill_done_until": end}
            if complete:
                values["backfill_completed_at"] = finished
            await repo.save_progress(self.state_id, self.claim, **values)
            await repo.finish_job(job_id, now=finished, result={"path": cursor["path"]})
        state.backfill_done_until = end
        if complete:
            state.backfill_completed_at = finished
        log.info(
            "sync.backfill_window_done", state_id=str(self.state_id), job_id=str(job_id), path=cursor["path"]
        )
        return None

    async def _document_step(
        self,
        dataset: Dataset[Any, Any],
        source: AsyncDocumentSource[Any],
        cursor: dict[str, Any],
        job_id: uuid.UUID,
        window: planner.Window,
    ) -> float | None:
        """Ask for / check / load the window's document. Returns a poll delay while it is being
        made; switches the cursor to the API path when the document cannot serve the window."""
        scope = self.scope
        documents = AsyncDocuments(self.uow, scope.tenant_id, scope.connection_id, job_id=job_id)
        document = await documents.find(uuid.UUID(cursor["document"])) if cursor.get("document") else None
        if document is None or document.state == "gone":
            request = dataset.document_request(scope, window)
            try:
                # An identical request in flight (asked ahead by an earlier step) is reused.
                document = await self._guard(job_id, lambda: documents.request(source, request))
            except (NotFound, Forbidden) as exc:
                # No documents for this seller (or not served): the API reads every window.
                log.info("sync.reports_unavailable", state_id=str(self.state_id), error=type(exc).__name__)
                self.extra["reports"] = "unavailable"
                cursor["path"] = "api"
                await self._save(job_id)
                return None
            assert document is not None
            cursor["document"] = str(document.id)
            await self._save(job_id, amazon_ids={"reportId": document.amazon_id})
        await self._request_ahead(dataset, source, documents, job_id, window.end)
        checked: Document = await self._guard(job_id, lambda: documents.check(source, document))
        if checked.state == "gone":
            # Amazon keeps jobs for a while only (and a restarted emulator forgets them): ask
            # for the window again instead of failing on it forever.
            log.info("sync.report_gone", state_id=str(self.state_id), report_id=checked.amazon_id)
            cursor["document"] = None
            await self._save()
            return 0.0
        if checked.in_flight:
            age = (utcnow() - checked.requested_at).total_seconds() if checked.requested_at else 0.0
            return planner.document_poll_delay(age)
        if checked.state != "done" or checked.document_id is None:
            # CANCELLED ("no data" or refused) and FATAL: the API path reads the window instead.
            cursor["path"] = "api"
            await self._save(job_id, amazon_ids={"reportStatus": checked.processing_status})
            return None
        await self._guard(job_id, lambda: self._load_document(dataset, source, documents, checked, job_id))
        return None

    async def _load_document(
        self,
        dataset: Dataset[Any, Any],
        source: AsyncDocumentSource[Any],
        documents: AsyncDocuments,
        document: Document,
        job_id: uuid.UUID,
    ) -> None:
        """Upsert the document batch by batch, each batch in its own transaction (bounded memory);
        reading it again after a crash changes nothing."""
        loaded = {"pages": 1, "amazon_ids": {"reportDocumentId": document.document_id}}
        async for batch in dataset.document_batches(self.scope, lambda: documents.rows(source, document)):
            async with self.uow() as session:
                counts = await dataset.upsert(session, batch)
                await self._flush_stats(SyncRepository(session), job_id, counts=counts, **loaded)
            loaded = {}
            await self._beat()
        if loaded:
            async with self.uow() as session:
                await self._flush_stats(SyncRepository(session), job_id, counts=Counts(), **loaded)

    async def _request_ahead(
        self,
        dataset: Dataset[Any, Any],
        source: AsyncDocumentSource[Any],
        documents: AsyncDocuments,
        job_id: uuid.UUID,
        after: datetime,
    ) -> None:
        """Keep the documents of the next windows in flight, so Amazon makes them while this window
        loads: the backfill then runs at the creation rate of documents instead of one document's
        processing time per window. Best effort: what Amazon refuses now a later step asks again."""
        assert self.state is not None and self.state.backfill_to is not None
        if dataset.documents_ahead <= 0:
            return
        windows = planner.split_windows(after, self.state.backfill_to, dataset.window)
        requests = [dataset.document_request(self.scope, w) for w in windows[: dataset.documents_ahead]]
        created = await documents.request_ahead(source, requests)
        if created:
            await self._save(job_id, amazon_ids={"reportsAhead": ",".join(str(d.amazon_id) for d in created)})


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, AmazonError):
        return f"{type(exc).__name__}: {exc.code or exc.status} (request id {exc.request_id})"
    return f"{type(exc).__name__}"
