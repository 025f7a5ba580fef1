"""A run's windows read through their documents (`app.documents`): ask for the window's document
(reusing an identical request in flight) and for the next windows' ahead of time, check on it, load
its rows batch by batch.

What a document that cannot serve its window means depends on the dataset (`pages_fallback`):
  * with a pages path (orders), CANCELLED (often "no data": one page confirms it) and FATAL switch
    the window to pages, and so does a seller who cannot have documents at all (NotFound/Forbidden
    on creation: `extra.reports = "unavailable"`);
  * without one (Ads reports), CANCELLED means the window has no rows, and FATAL (an Ads report's
    FAILED) asks for the window's document again after a growing delay
    (`planner.failed_document_delay`): the run is parked meanwhile, never looping, and the window
    stays open until a document loads.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any, TypeVar

import structlog

from app.amazon_http.errors import Forbidden, NotFound
from app.amazon_http.jobs import AsyncDocumentSource
from app.documents.service import AsyncDocuments, Document
from app.sync import planner
from app.sync.dataset import Counts, Dataset, WindowKind
from app.sync.repository import SyncRepository
from app.sync.run_base import RunContext, iso, parse_time, utcnow

log = structlog.get_logger("app.sync")


T = TypeVar("T")
_END: Any = object()


async def read_ahead(items: AsyncIterator[T]) -> AsyncGenerator[T, None]:
    """`items`, the next one read while the caller works on the one in hand: a document's next batch
    is downloaded and parsed while PostgreSQL writes the last one, instead of the two taking turns
    (at most two batches in memory)."""
    pending: asyncio.Future[Any] = asyncio.ensure_future(anext(items, _END))
    try:
        while (item := await pending) is not _END:
            pending = asyncio.ensure_future(anext(items, _END))
            yield item
    finally:
        if not pending.done():
            pending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pending
        # The caller stopped early (an error; `contextlib.aclosing` brings it here at once): the
        # source closes now, its download with it.
        aclose = getattr(items, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()


async def write_batches(
    batches: AsyncIterator[T], write: Callable[[T], Coroutine[Any, Any, None]], at_once: int = 1
) -> None:
    """Each batch written by `write` (in a transaction of its own), the next one read meanwhile
    (`read_ahead`), with up to `at_once` writes in flight. More than one gives PostgreSQL a backend,
    and so a core, per write: for a dataset whose batches share no row (no running totals), where
    PostgreSQL's work per row is the larger half (an Ads report: `Dataset.batches_at_once`). A write
    that fails cancels the others and raises; what was written stays (every upsert is idempotent,
    and the window is read again)."""
    in_flight: set[asyncio.Task[None]] = set()

    async def settle(until: int) -> None:
        nonlocal in_flight
        while len(in_flight) > until:
            done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()

    try:
        async with contextlib.aclosing(read_ahead(batches)) as ahead:
            async for batch in ahead:
                await settle(max(1, at_once) - 1)
                in_flight.add(asyncio.create_task(write(batch)))
            await settle(0)
    finally:
        for task in in_flight:
            task.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)


class DocumentSteps(RunContext):
    async def _document_step(
        self,
        dataset: Dataset[Any, Any],
        source: AsyncDocumentSource[Any],
        cursor: dict[str, Any],
        job_id: uuid.UUID,
        window: planner.Window,
        kind: WindowKind,
    ) -> float | None:
        """Ask for / check / load the window's document. Returns a delay while it is being made (or
        until a failed one is asked for again); switches the cursor to the pages path when the
        document cannot serve the window and the dataset has that path."""
        retry_at = parse_time(cursor.get("retry_at"))
        if retry_at is not None and retry_at > utcnow():
            return (retry_at - utcnow()).total_seconds()
        scope = self.scope
        documents = AsyncDocuments(self.uow, scope.tenant_id, scope.connection_id, job_id=job_id)
        document = await documents.find(uuid.UUID(cursor["document"])) if cursor.get("document") else None
        if document is None or document.state == "gone":
            request = dataset.document_request(scope, window)
            try:
                # An identical request in flight (asked ahead by an earlier step) is reused.
                document = await self._guard(job_id, lambda: documents.request(source, request))
            except (NotFound, Forbidden) as exc:
                if not dataset.pages_fallback:
                    raise
                # No documents for this seller (or not served): the API reads every window.
                log.info("sync.reports_unavailable", state_id=str(self.state_id), error=type(exc).__name__)
                self.extra["reports"] = "unavailable"
                cursor["path"] = "api"
                await self._save(job_id)
                return None
            assert document is not None
            cursor["document"] = str(document.id)
            cursor.pop("retry_at", None)
            await self._save(job_id, amazon_ids={"reportId": document.amazon_id})
        if kind == "backfill":
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
            return planner.document_poll_delay(age, self.expected_processing_s)
        if checked.state == "done" and checked.document_id is not None:
            await self._guard(
                job_id, lambda: self._load_document(dataset, source, documents, checked, job_id)
            )
            return None
        status = {"reportStatus": checked.processing_status}
        if dataset.pages_fallback:
            # CANCELLED ("no data" or refused) and FATAL: the API path reads the window instead.
            cursor["path"] = "api"
            await self._save(job_id, amazon_ids=status)
            return None
        if checked.state == "fatal":
            return await self._ask_again_later(cursor, job_id, status)
        # CANCELLED: Amazon has no rows for this window.
        await self._save(job_id, amazon_ids=status)
        return None

    async def _ask_again_later(
        self, cursor: dict[str, Any], job_id: uuid.UUID, status: dict[str, Any]
    ) -> float:
        """The window's document failed: a new one is asked for after a growing delay."""
        failures = int(cursor.get("failures", 0)) + 1
        delay = planner.failed_document_delay(failures)
        retry_at: datetime = utcnow() + timedelta(seconds=delay)
        cursor.update(document=None, failures=failures, retry_at=iso(retry_at))
        log.info(
            "sync.document_failed", state_id=str(self.state_id), failures=failures, retry_in_s=round(delay)
        )
        await self._save(job_id, amazon_ids={**status, "failures": failures})
        return delay

    async def _load_document(
        self,
        dataset: Dataset[Any, Any],
        source: AsyncDocumentSource[Any],
        documents: AsyncDocuments,
        document: Document,
        job_id: uuid.UUID,
    ) -> None:
        """Upsert the document batch by batch, each batch in its own transaction (bounded memory; the
        dataset's `batches_at_once` in flight); reading it again after a crash changes nothing."""
        loaded: dict[str, Any] = {"pages": 1, "amazon_ids": {"reportDocumentId": document.document_id}}

        async def write(batch: Any) -> None:
            nonlocal loaded
            first, loaded = loaded, {}
            async with self.uow() as session:
                counts = await dataset.upsert(session, batch)
                repo = SyncRepository(session)
                await self._flush_stats(repo, job_id, counts=counts, **first)
                # The claim is kept fresh with each batch, as with each page: a document that takes
                # longer than the lock's TTL to load is not claimed by the next dispatch meanwhile.
                await repo.save_progress(self.state_id, self.claim, claimed_at=utcnow())
            await self._beat()

        batches = dataset.document_batches(self.scope, lambda: documents.rows(source, document))
        await write_batches(batches, write, dataset.batches_at_once)
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
        if self.ahead_plan is not None:
            windows = self.ahead_plan
        else:
            windows = planner.split_windows(after, self.state.backfill_to, dataset.window)
            windows = windows[: max(0, dataset.documents_ahead)]
        if not windows:
            return
        requests = [dataset.document_request(self.scope, w) for w in windows]
        created = await documents.request_ahead(source, requests)
        if created:
            await self._save(job_id, amazon_ids={"reportsAhead": ",".join(str(d.amazon_id) for d in created)})
