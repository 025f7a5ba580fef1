"""Asynchronous documents: ask Amazon for a document (or reuse an identical request in flight),
check on it, read its rows. Any `AsyncDocumentSource` works: Reports, Data Kiosk, and later feed
results and Ads reports.

Every request is a durable `amazon_documents` row, written before Amazon is asked:
  * a crash after Amazon created the job but before our commit leaves a `pending` row without an
    Amazon id; the next request with the same key asks Amazon for an identical job in flight
    (`submit(reuse=True)`) instead of creating a second one;
  * an identical request of ours still in flight is reused without calling Amazon at all;
  * when Amazon answers without creating anything (throttled, refused), the row is dropped.
Amazon's semantics are kept: CANCELLED often means "no data" for a report, FATAL may come with an
error document, an id Amazon no longer knows is `gone` (ask again). Reading never sleeps: callers
poll by calling `check` again later (workers park the run in between). Rows stream from the
pre-signed URL, decompressed and parsed on the fly (bounded memory), and an URL that expired before
the download is fetched again once (`app.amazon_http.documents.fresh_document_rows`).

Transactions: each step runs in its own short unit of work from the caller's factory; no
transaction is held while Amazon answers.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Literal, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.errors import AmazonError, Forbidden, InvalidInput, NotFound, Throttled
from app.amazon_http.jobs import AsyncDocumentSource, JobStatus
from app.documents.models import AmazonDocument
from app.documents.repository import DocumentRepository
from app.documents.storage import DocumentStorage, delete_files

UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncSession]]
Kind = Literal["report", "datakiosk_query", "feed_result", "ads_report"]
DocumentState = Literal["pending", "processing", "done", "cancelled", "fatal", "gone"]
RequestT = TypeVar("RequestT")

# Answers that prove Amazon created nothing: the pending row can go.
_NOTHING_CREATED = (Throttled, InvalidInput, NotFound, Forbidden)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class DocumentRequest(Generic[RequestT]):
    """One document to ask for: `spec` is what the source submits, `key` is equal for identical
    requests, `body` is what the record keeps of it."""

    kind: Kind
    key: str
    body: dict[str, Any]
    spec: RequestT


@dataclass(frozen=True)
class Document:
    """A request's record, as far as a caller needs it."""

    id: uuid.UUID
    amazon_id: str | None
    state: DocumentState
    processing_status: str | None = None
    document_id: str | None = None
    requested_at: datetime | None = None

    @property
    def in_flight(self) -> bool:
        return self.state in ("pending", "processing")


def _document(record: AmazonDocument) -> Document:
    return Document(
        id=record.id,
        amazon_id=record.amazon_id,
        state=record.status,  # type: ignore[arg-type]
        processing_status=record.processing_status,
        document_id=record.document_id,
        requested_at=record.requested_at,
    )


_STATE_OF_JOB: dict[str, DocumentState] = {
    "pending": "processing",
    "done": "done",
    "cancelled": "cancelled",
    "fatal": "fatal",
}


class AsyncDocuments:
    """The documents of one connection (one tenant), asked for by one run (`job_id`, optional)."""

    def __init__(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, connection_id: uuid.UUID, *, job_id: uuid.UUID | None
    ) -> None:
        self.uow = uow
        self.tenant_id = tenant_id
        self.connection_id = connection_id
        self.job_id = job_id

    async def find(self, record_id: uuid.UUID) -> Document | None:
        async with self.uow() as session:
            record = await DocumentRepository(session).get(self.tenant_id, record_id)
        return None if record is None else _document(record)

    async def in_flight(self, kind: Kind, keys: Sequence[str]) -> dict[str, Document]:
        async with self.uow() as session:
            found = await DocumentRepository(session).in_flight(
                self.tenant_id, self.connection_id, kind, keys
            )
        return {key: _document(record) for key, record in found.items()}

    async def request(
        self, source: AsyncDocumentSource[RequestT], request: DocumentRequest[RequestT]
    ) -> Document:
        """The document for `request`: an identical one in flight, or a new one. Raises what
        Amazon raised (Throttled: nothing was created; the caller tries again later)."""
        existing = (await self.in_flight(request.kind, [request.key])).get(request.key)
        if existing is not None and existing.amazon_id is not None:
            return existing
        if existing is not None:
            # Recorded, but Amazon's answer never reached the database: it may have created the
            # job, so look for an identical one in flight before creating another.
            amazon_id = await source.submit(request.spec, reuse=True)
            return await self._created(existing.id, amazon_id)
        [record_id] = await self._record([request])
        amazon_id = await self._submit(source, record_id, request.spec)
        return await self._created(record_id, amazon_id)

    async def request_ahead(
        self, source: AsyncDocumentSource[RequestT], requests: Sequence[DocumentRequest[RequestT]]
    ) -> list[Document]:
        """Ask for the documents not already in flight, in order, until Amazon refuses one (best
        effort: a later call asks for the rest). Returns the documents asked for now: those
        recorded by a run that died before Amazon's answer (joined, as `request` does), then new
        ones."""
        if not requests:
            return []
        kind = requests[0].kind
        known = await self.in_flight(kind, [r.key for r in requests])
        created: list[Document] = []
        # Amazon may have made these jobs: joined now, while they are still in flight, rather than
        # when the run reaches their window, by when they are done and a second job would be made.
        for request in requests:
            unheard = known.get(request.key)
            if unheard is None or unheard.amazon_id is not None:
                continue
            try:
                amazon_id = await source.submit(request.spec, reuse=True)
            except AmazonError:
                return created
            created.append(await self._created(unheard.id, amazon_id))
        missing = [r for r in requests if r.key not in known]
        if not missing:
            return created
        record_ids = await self._record(missing)
        for i, (record_id, request) in enumerate(zip(record_ids, missing, strict=True)):
            try:
                amazon_id = await self._submit(source, record_id, request.spec)
            except AmazonError:
                await self._forget(record_ids[i + 1 :])
                break
            created.append(await self._created(record_id, amazon_id))
        return created

    async def check(self, source: AsyncDocumentSource[Any], document: Document) -> Document:
        """Ask Amazon once how the job is doing and record it (never sleeps)."""
        if document.amazon_id is None or not document.in_flight:
            return document
        try:
            status = await source.status(document.amazon_id)
        except NotFound:
            return await self._set(document, "gone", None, None, error="Amazon no longer knows this id")
        state = _STATE_OF_JOB[status.state]
        return await self._set(
            document, state, status.processing_status, status.document_id or status.error_document_id
        )

    def rows(self, source: AsyncDocumentSource[Any], document: Document) -> AsyncIterator[Any]:
        """The document's rows as its source yields them, streamed (a done job's document; a fatal
        job's error document)."""
        if document.amazon_id is None or document.state not in ("done", "fatal"):
            raise ValueError(f"document {document.id} is {document.state}: it has no rows to read")
        done = document.state == "done"
        status = JobStatus(
            job_id=document.amazon_id,
            state="done" if done else "fatal",
            processing_status=document.processing_status or "",
            document_id=document.document_id if done else None,
            error_document_id=None if done else document.document_id,
        )
        return source.rows(status)

    # Internals ---------------------------------------------------------------------------------

    async def _record(self, requests: Sequence[DocumentRequest[Any]]) -> list[uuid.UUID]:
        async with self.uow() as session:
            return await DocumentRepository(session).add_pending(
                self.tenant_id,
                self.connection_id,
                requests[0].kind,
                [(r.key, r.body) for r in requests],
                self.job_id,
            )

    async def _submit(
        self, source: AsyncDocumentSource[RequestT], record_id: uuid.UUID, spec: RequestT
    ) -> str:
        try:
            # Our own record says nothing identical is in flight: no need to ask Amazon.
            return await source.submit(spec, reuse=False)
        except _NOTHING_CREATED:
            await self._forget([record_id])
            raise

    async def _forget(self, record_ids: Sequence[uuid.UUID]) -> None:
        if record_ids:
            async with self.uow() as session:
                await DocumentRepository(session).forget(record_ids)

    async def _created(self, record_id: uuid.UUID, amazon_id: str) -> Document:
        now = utcnow()
        async with self.uow() as session:
            await DocumentRepository(session).set_amazon_id(record_id, amazon_id, now)
        return Document(record_id, amazon_id, "processing", requested_at=now)

    async def _set(
        self,
        document: Document,
        state: DocumentState,
        processing_status: str | None,
        document_id: str | None,
        *,
        error: str | None = None,
    ) -> Document:
        if (state, processing_status, document_id) != (
            document.state,
            document.processing_status,
            document.document_id,
        ):
            async with self.uow() as session:
                await DocumentRepository(session).set_status(
                    document.id,
                    status=state,
                    processing_status=processing_status,
                    document_id=document_id,
                    now=utcnow(),
                    error=error,
                )
        return Document(
            document.id, document.amazon_id, state, processing_status, document_id, document.requested_at
        )


async def delete_connection_documents(
    session: AsyncSession, storage: DocumentStorage, tenant_id: uuid.UUID, connection_id: uuid.UUID
) -> None:
    """Retention: the connection's document records and the files they kept."""
    keys = await DocumentRepository(session).delete_for_connection(tenant_id, connection_id)
    await delete_files(storage, keys)
