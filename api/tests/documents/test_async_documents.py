"""The asynchronous-document component: a durable record per request, an identical request in
flight reused without asking Amazon, a crash before Amazon's answer settled by reusing Amazon's job,
nothing left in flight when Amazon refuses, Amazon's states kept (CANCELLED, FATAL, gone)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.errors import NotFound, ServerError, Throttled
from app.amazon_http.jobs import JobState, JobStatus
from app.documents.models import AmazonDocument
from app.documents.repository import DocumentRepository
from app.documents.service import AsyncDocuments, DocumentRequest
from tests.factories.connections import make_seller

PROCESSING = {"pending": "IN_PROGRESS", "done": "DONE", "cancelled": "CANCELLED", "fatal": "FATAL"}


class FakeSource:
    """An `AsyncDocumentSource` whose answers the test sets."""

    def __init__(self) -> None:
        self.submitted: list[tuple[str, bool]] = []
        self.refuse: list[Exception | None] = []
        self.at_amazon: dict[str, str] = {}  # spec -> id of a job Amazon has in flight
        self.states: dict[str, JobState] = {}
        self.gone: set[str] = set()
        self.read: list[JobStatus] = []

    async def submit(self, request: str, *, reuse: bool = True) -> str:
        self.submitted.append((request, reuse))
        refusal = self.refuse.pop(0) if self.refuse else None
        if refusal is not None:
            raise refusal
        if reuse and request in self.at_amazon:
            return self.at_amazon[request]
        job_id = f"R{len(self.submitted)}"
        self.at_amazon[request] = job_id
        return job_id

    async def status(self, job_id: str) -> JobStatus:
        if job_id in self.gone:
            raise NotFound("reports.getReport failed with HTTP 404")
        state = self.states.get(job_id, "pending")
        document = f"DOC-{job_id}" if state in ("done", "fatal") else None
        return JobStatus(
            job_id=job_id,
            state=state,
            processing_status=PROCESSING[state],
            document_id=document if state == "done" else None,
            error_document_id=document if state == "fatal" else None,
        )

    async def rows(self, status: JobStatus) -> AsyncIterator[dict[str, Any]]:
        self.read.append(status)
        yield {"document": status.document_id or status.error_document_id}


def req(spec: str) -> DocumentRequest[str]:
    return DocumentRequest("report", f"key:{spec}", {"reportType": spec}, spec)


@pytest.fixture
async def documents(session: AsyncSession) -> AsyncDocuments:
    seller = await make_seller(session)

    @asynccontextmanager
    async def uow() -> AsyncIterator[AsyncSession]:
        yield session
        await session.flush()

    return AsyncDocuments(uow, seller.tenant_id, seller.connection_id, job_id=None)


async def _records(session: AsyncSession) -> list[AmazonDocument]:
    session.expire_all()
    return list((await session.execute(select(AmazonDocument).order_by(AmazonDocument.created_at))).scalars())


async def test_an_identical_request_in_flight_is_reused_without_asking_amazon(
    documents: AsyncDocuments, session: AsyncSession
) -> None:
    source = FakeSource()
    first = await documents.request(source, req("A"))
    again = await documents.request(source, req("A"))
    assert again.id == first.id and again.amazon_id == first.amazon_id == "R1"
    # Our own record said nothing identical was in flight: Amazon was not asked to look either.
    assert source.submitted == [("A", False)]
    (record,) = await _records(session)
    assert (record.status, record.amazon_id, record.request) == ("processing", "R1", {"reportType": "A"})
    assert record.requested_at is not None


async def test_a_crash_before_amazons_answer_reuses_amazons_job(
    documents: AsyncDocuments, session: AsyncSession
) -> None:
    source = FakeSource()
    source.at_amazon["A"] = "R-before-the-crash"
    # The row was committed, Amazon created the job, the process died before recording its id.
    [record_id] = await DocumentRepository(session).add_pending(
        documents.tenant_id, documents.connection_id, "report", [("key:A", {})], None
    )
    document = await documents.request(source, req("A"))
    assert document.id == record_id and document.amazon_id == "R-before-the-crash"
    assert source.submitted == [("A", True)]
    assert len(await _records(session)) == 1


async def test_amazon_refusing_leaves_nothing_in_flight(
    documents: AsyncDocuments, session: AsyncSession
) -> None:
    source = FakeSource()
    source.refuse = [Throttled("reports.createReport: 429", retry_after=60.0)]
    with pytest.raises(Throttled):
        await documents.request(source, req("A"))
    assert await _records(session) == []
    # A failure that may have created the job at Amazon keeps the row: the next try looks for it.
    source.refuse = [ServerError("reports.createReport failed with HTTP 503")]
    with pytest.raises(ServerError):
        await documents.request(source, req("A"))
    (kept,) = await _records(session)
    assert kept.status == "pending" and kept.amazon_id is None
    document = await documents.request(source, req("A"))
    assert document.id == kept.id and source.submitted[-1] == ("A", True)


async def test_requests_ahead_stop_at_the_first_refusal(
    documents: AsyncDocuments, session: AsyncSession
) -> None:
    source = FakeSource()
    await documents.request(source, req("A"))
    source.refuse = [None, Throttled("reports.createReport: 429", retry_after=60.0)]
    created = await documents.request_ahead(source, [req(s) for s in "ABCD"])
    # A was in flight already; B was created; C was refused, so neither C nor D was asked.
    assert [d.amazon_id for d in created] == ["R2"]
    assert [s for s, _ in source.submitted] == ["A", "B", "C"]
    records = await _records(session)
    assert [(r.request_key, r.status) for r in records] == [("key:A", "processing"), ("key:B", "processing")]


async def test_requests_ahead_join_what_a_crash_left_unheard_first(
    documents: AsyncDocuments, session: AsyncSession
) -> None:
    """A run asked ahead for B and died before Amazon's answer was recorded: the next step's requests
    ahead join Amazon's job for B at once (not when the run reaches B, by when it is done and a
    second one would be made), then ask for what is missing."""
    source = FakeSource()
    source.at_amazon["B"] = "R-before-the-crash"
    [unheard] = await DocumentRepository(session).add_pending(
        documents.tenant_id, documents.connection_id, "report", [("key:B", {})], None
    )
    asked = await documents.request_ahead(source, [req(s) for s in "BC"])
    assert [(d.id, d.amazon_id) for d in asked[:1]] == [(unheard, "R-before-the-crash")]
    assert [d.amazon_id for d in asked[1:]] == ["R2"]
    assert source.submitted == [("B", True), ("C", False)]
    records = await _records(session)
    assert [(r.request_key, r.amazon_id) for r in records] == [
        ("key:B", "R-before-the-crash"),
        ("key:C", "R2"),
    ]

    # Refused while joining: nothing new is asked for; the next step tries again.
    [later] = await DocumentRepository(session).add_pending(
        documents.tenant_id, documents.connection_id, "report", [("key:D", {})], None
    )
    source.refuse = [Throttled("reports.createReport: 429", retry_after=60.0)]
    assert await documents.request_ahead(source, [req(s) for s in "DE"]) == []
    assert source.submitted[-1] == ("D", True)
    assert [r.request_key for r in await _records(session)] == ["key:B", "key:C", "key:D"]
    joined = await documents.request_ahead(source, [req(s) for s in "DE"])
    assert [(d.id, d.amazon_id) for d in joined] == [(later, "R4"), (joined[1].id, "R5")]


async def test_amazons_states_are_kept(documents: AsyncDocuments, session: AsyncSession) -> None:
    source = FakeSource()
    pending = await documents.request(source, req("A"))
    assert (await documents.check(source, pending)).state == "processing"
    with pytest.raises(ValueError, match="no rows"):
        documents.rows(source, pending)
    source.states["R1"] = "done"
    done = await documents.check(source, pending)
    assert (done.state, done.document_id, done.processing_status) == ("done", "DOC-R1", "DONE")
    assert [row async for row in documents.rows(source, done)] == [{"document": "DOC-R1"}]
    assert source.read[-1].document_id == "DOC-R1"

    cancelled = await documents.request(source, req("B"))
    source.states[str(cancelled.amazon_id)] = "cancelled"
    assert (await documents.check(source, cancelled)).state == "cancelled"

    fatal = await documents.request(source, req("C"))
    source.states[str(fatal.amazon_id)] = "fatal"
    failed = await documents.check(source, fatal)
    assert failed.state == "fatal"
    # A FATAL job's error document is readable.
    assert [row async for row in documents.rows(source, failed)] == [{"document": f"DOC-{fatal.amazon_id}"}]

    lost = await documents.request(source, req("D"))
    source.gone.add(str(lost.amazon_id))
    assert (await documents.check(source, lost)).state == "gone"
    again = await documents.request(source, req("D"))
    assert again.id != lost.id
    by_key = {(r.request_key, r.status) for r in await _records(session)}
    assert by_key == {
        ("key:A", "done"),
        ("key:B", "cancelled"),
        ("key:C", "fatal"),
        ("key:D", "gone"),
        ("key:D", "processing"),
    }
    finished = [r for r in await _records(session) if r.status != "processing"]
    assert all(r.finished_at is not None for r in finished)


async def test_records_are_per_tenant(documents: AsyncDocuments, session: AsyncSession) -> None:
    source = FakeSource()
    mine = await documents.request(source, req("A"))
    other = await make_seller(session, "Other")
    assert await DocumentRepository(session).get(other.tenant_id, mine.id) is None
    assert (
        await DocumentRepository(session).in_flight(
            other.tenant_id, documents.connection_id, "report", ["key:A"]
        )
        == {}
    )
