"""The engine runs any registered dataset, not only the orders: a small dataset of its own (pages for
the delta, a document per backfill window, one window's document cancelled and read page by page
instead) is backfilled window after window with nothing missed or read twice, its documents asked
for ahead through `amazon_documents`, and every window a job row with true counters."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.amazon_http.jobs import JobStatus
from app.db.session import create_sessionmaker, unit_of_work
from app.documents.models import AmazonDocument
from app.documents.service import DocumentRequest
from app.settings import Settings, SyncSettings
from app.sync import dataset as datasets
from app.sync import planner
from app.sync.dataset import Counts, OpenRows, Page, Scope, WindowKind
from app.sync.models import Job, SyncState
from app.sync.planner import Window, backfill_range, delta_window
from app.sync.repository import SyncRepository
from app.sync.run import SyncRun
from app.sync.run_documents import read_ahead, write_batches
from app.sync.service import RUN_ACTOR, dispatch_due
from app.worker.enqueue import buffered_jobs, discard_buffered_jobs
from tests.factories.connections import make_seller

pytestmark = pytest.mark.usefixtures("clean_state")

# An entity name the schema accepts; the test's dataset stands in for the real one (monkeypatched).
NAME = "ads_purchased_product"


class Reports:
    """Amazon's side of the dataset's documents: DONE at the first check, but one window's is
    CANCELLED."""

    def __init__(self) -> None:
        self.created: list[str] = []
        self.cancel: set[str] = set()
        # Window start -> how many of its documents Amazon fails before one is made.
        self.failing: dict[str, int] = {}

    async def submit(self, request: Window, *, reuse: bool = True) -> str:
        self.created.append(request.start.isoformat())
        return f"R{len(self.created)}"

    async def status(self, job_id: str) -> JobStatus:
        start = self.created[int(job_id[1:]) - 1]
        if start in self.cancel:
            return JobStatus(job_id, "cancelled", "CANCELLED")
        if self.failing.get(start, 0) > 0:
            self.failing[start] -= 1
            return JobStatus(job_id, "fatal", "FATAL")
        return JobStatus(job_id, "done", "DONE", document_id=f"D-{job_id}")

    async def rows(self, status: JobStatus) -> AsyncIterator[dict[str, Any]]:
        start = self.created[int(status.job_id[1:]) - 1]
        for n in range(3):
            yield {"window": start, "n": n}


class DailyDataset:
    """Three rows per backfill window (by document, or one page when the document is cancelled),
    one row per delta page; kept in memory."""

    name = NAME
    label = "Daily rows"
    provider = "amazon_sp"
    window = timedelta(days=30)
    documents_ahead = 2
    batches_at_once = 1
    delta_by = "pages"
    pages_fallback = True

    def __init__(self) -> None:
        self.reports = Reports()
        self.kept: dict[tuple[str, Any], dict[str, Any]] = {}
        self.page_windows: list[tuple[WindowKind, Window]] = []

    async def describe_scope(self, session: AsyncSession, scope: Scope) -> Scope:
        return scope

    def backfill_range(self, scope: Scope, now: datetime) -> Window:
        return backfill_range(now, timedelta(days=90))

    def delta_every(self, settings: Settings) -> timedelta:
        return timedelta(minutes=settings.sync.delta_sync_interval_minutes)

    def delta_window(self, scope: Scope, watermark: datetime, now: datetime) -> Window | None:
        return delta_window(watermark, now)

    async def pages(
        self, client: Any, scope: Scope, kind: WindowKind, window: Window, page_token: str | None
    ) -> AsyncIterator[Page[list[dict[str, Any]]]]:
        self.page_windows.append((kind, window))
        if kind == "delta":
            yield Page([{"window": "delta", "n": window.end.isoformat()}], None)
            return
        yield Page([{"window": window.start.isoformat(), "n": n} for n in range(3)], None)

    def document_source(self, client: Any, scope: Scope) -> Reports:
        return self.reports

    def document_request(self, scope: Scope, window: Window) -> DocumentRequest[Window]:
        return DocumentRequest(
            "report", f"daily|{window.start.isoformat()}", {"start": str(window.start)}, window
        )

    async def document_batches(
        self, scope: Scope, open_rows: OpenRows
    ) -> AsyncIterator[list[dict[str, Any]]]:
        yield [row async for row in open_rows()]

    async def upsert(self, session: AsyncSession, batch: list[dict[str, Any]]) -> Counts:
        inserted = sum(1 for row in batch if (row["window"], row["n"]) not in self.kept)
        for row in batch:
            self.kept[(row["window"], row["n"])] = row
        return Counts(seen=len(batch), inserted=inserted, unchanged=len(batch) - inserted)

    def job_payload(self, client: Any) -> dict[str, Any]:
        return {"source": "test"}

    async def stored_rows(
        self, session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID | None
    ) -> dict[tuple[uuid.UUID, str], int]:
        return {}


@pytest.fixture
def daily(monkeypatch: pytest.MonkeyPatch) -> DailyDataset:
    dataset = DailyDataset()
    monkeypatch.setitem(datasets._DATASETS, NAME, dataset)
    return dataset


async def _seller_with_a_row(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A seller with one sync row of the dataset (committed: the runs use their own sessions)."""
    sessionmaker = create_sessionmaker(engine)
    async with unit_of_work(sessionmaker) as session:
        seller = await make_seller(session)
        session.add(
            SyncState(
                tenant_id=seller.tenant_id,
                connection_id=seller.connection_id,
                marketplace_id="M1",
                entity=NAME,
            )
        )
    return sessionmaker


async def _run_until_backfilled(engine: AsyncEngine, dataset: DailyDataset) -> None:
    sessionmaker = create_sessionmaker(engine)
    settings = Settings(sync=SyncSettings(sync_max_workers=4))

    @asynccontextmanager
    async def uow() -> AsyncIterator[AsyncSession]:
        async with unit_of_work(sessionmaker) as session:
            yield session

    async def clients(provider: str, connection_id: str) -> object:
        return object()

    for _ in range(50):
        async with sessionmaker() as session:
            await dispatch_due(session, settings)
            messages = [j.kwargs for j in buffered_jobs(session) if j.actor_name == RUN_ACTOR]
            discard_buffered_jobs(session)
            await session.commit()
        for message in messages:
            run = SyncRun(
                uow=uow,
                clients=clients,
                datasets=datasets.get,
                settings=settings,
                state_id=uuid.UUID(message["state_id"]),
                claim=message["claim"],
            )
            outcome = await run.execute()
            assert outcome.kind in ("done", "throttled"), outcome
            async with uow() as session:
                await SyncRepository(session).release(
                    uuid.UUID(message["state_id"]), message["claim"], next_run_at=outcome.next_run_at
                )
        async with sessionmaker() as session:
            state = (await session.execute(select(SyncState))).scalars().one()
        if state.backfill_completed_at is not None:
            return
    raise AssertionError("the backfill did not complete")


async def test_the_engine_runs_a_dataset_it_does_not_know(engine: AsyncEngine, daily: DailyDataset) -> None:
    sessionmaker = await _seller_with_a_row(engine)
    await _run_until_backfilled(engine, daily)
    # The second window's document is cancelled only once it is asked for (the first ran already).
    async with sessionmaker() as session:
        state = (await session.execute(select(SyncState))).scalars().one()
        jobs = list((await session.execute(select(Job).order_by(Job.window_start))).scalars())
        records = list((await session.execute(select(AmazonDocument))).scalars())
    assert state.backfill_from is not None and state.backfill_to is not None
    assert state.backfill_to - state.backfill_from == timedelta(days=90)
    backfills = [j for j in jobs if j.kind == "backfill"]
    # 90 days in windows of 30, contiguous, each read once.
    assert [(j.window_start, j.window_end) for j in backfills] == [
        (state.backfill_from + timedelta(days=30 * n), state.backfill_from + timedelta(days=30 * (n + 1)))
        for n in range(3)
    ]
    assert all(j.entity == NAME and j.status == "done" and j.payload["source"] == "test" for j in jobs)
    assert [j.orders_inserted for j in backfills] == [3, 3, 3]
    assert all(j.result is not None and j.result["unchanged"] == 0 for j in jobs)
    assert sorted(k[0] for k in daily.kept if k[0] != "delta") == sorted(
        [(state.backfill_from + timedelta(days=30 * n)).isoformat() for n in range(3)] * 3
    )
    # One document per window, asked for ahead: never two for the same window.
    assert sorted(r.request_key for r in records) == sorted(
        f"daily|{(state.backfill_from + timedelta(days=30 * n)).isoformat()}" for n in range(3)
    )
    assert len(daily.reports.created) == 3 and all(r.status == "done" for r in records)
    # The delta ran before the backfill, by pages (the dataset's own query).
    assert [kind for kind, _ in daily.page_windows] == ["delta"]


async def test_a_cancelled_document_is_read_page_by_page(engine: AsyncEngine, daily: DailyDataset) -> None:
    sessionmaker = await _seller_with_a_row(engine)
    original = daily.reports.submit

    async def cancel_the_second(request: Window, *, reuse: bool = True) -> str:
        job_id = await original(request, reuse=reuse)
        if len(daily.reports.created) == 2:
            daily.reports.cancel.add(request.start.isoformat())
        return job_id

    daily.reports.submit = cancel_the_second  # type: ignore[method-assign]
    await _run_until_backfilled(engine, daily)
    async with sessionmaker() as session:
        jobs = list(
            (
                await session.execute(select(Job).where(Job.kind == "backfill").order_by(Job.window_start))
            ).scalars()
        )
    assert [j.payload["path"] for j in jobs] == ["report", "report", "report"]
    assert [j.result["path"] if j.result else None for j in jobs] == ["report", "api", "report"]
    assert [j.amazon_ids.get("reportStatus") for j in jobs] == [None, "CANCELLED", None]
    assert [kind for kind, _ in daily.page_windows] == ["delta", "backfill"]
    assert sum(j.orders_inserted for j in jobs) == 9


async def test_a_document_only_dataset_asks_again_for_a_failed_document(
    engine: AsyncEngine, daily: DailyDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a pages path (Ads reports): the delta is a document too, a failed document is asked
    for again (its window kept open, the run parked in between), a cancelled one means no rows."""
    monkeypatch.setattr(planner, "FAILED_DOCUMENT_RETRY_MIN_S", 0.001)
    monkeypatch.setattr(daily, "delta_by", "document")
    monkeypatch.setattr(daily, "pages_fallback", False)
    sessionmaker = await _seller_with_a_row(engine)
    original = daily.reports.submit

    async def fail_the_first_and_cancel_the_third(request: Window, *, reuse: bool = True) -> str:
        job_id = await original(request, reuse=reuse)
        if len(daily.reports.created) == 2:  # the first backfill window's (the delta's came first)
            daily.reports.failing[request.start.isoformat()] = 2
        if len(daily.reports.created) == 4:
            daily.reports.cancel.add(request.start.isoformat())
        return job_id

    daily.reports.submit = fail_the_first_and_cancel_the_third  # type: ignore[method-assign]
    await _run_until_backfilled(engine, daily)
    async with sessionmaker() as session:
        jobs = list((await session.execute(select(Job).order_by(Job.window_start))).scalars())
        records = list((await session.execute(select(AmazonDocument))).scalars())
    assert daily.page_windows == []
    delta = next(j for j in jobs if j.kind == "delta")
    assert delta.status == "done" and delta.result == {"unchanged": 0, "path": "report"}
    backfills = [j for j in jobs if j.kind == "backfill"]
    assert [j.status for j in backfills] == ["done"] * 3
    assert backfills[0].amazon_ids["failures"] == "2"
    assert [j.orders_inserted for j in backfills] == [3, 3, 0]
    first = [r.status for r in records if r.request_key == f"daily|{backfills[0].window_start.isoformat()}"]
    assert sorted(first) == ["done", "fatal", "fatal"]


async def test_the_next_batch_is_read_while_one_is_written_and_an_error_closes_the_source() -> None:
    closed: list[str] = []

    async def batches() -> AsyncIterator[int]:
        try:
            for n in range(5):
                await asyncio.sleep(0)
                yield n
        finally:
            closed.append("source")

    assert [n async for n in read_ahead(batches())] == [0, 1, 2, 3, 4]
    seen: list[int] = []
    with pytest.raises(ValueError):
        async with contextlib.aclosing(read_ahead(batches())) as ahead:
            async for n in ahead:
                seen.append(n)
                if n == 2:
                    raise ValueError("the write failed")
    assert seen == [0, 1, 2] and closed == ["source", "source"]


async def test_batches_are_written_at_most_n_at_once_and_a_failed_write_stops_the_rest() -> None:
    async def batches(n: int) -> AsyncIterator[int]:
        for i in range(n):
            yield i

    async def written_with(at_once: int) -> tuple[list[int], int]:
        running, most, written = 0, 0, []

        async def write(batch: int) -> None:
            nonlocal running, most
            running += 1
            most = max(most, running)
            await asyncio.sleep(0.01 * (batch % 3))
            running -= 1
            written.append(batch)

        await write_batches(batches(7), write, at_once)
        return written, most

    for at_once in (1, 2):
        written, most = await written_with(at_once)
        assert sorted(written) == list(range(7)) and most == at_once

    cancelled: list[int] = []

    async def failing(batch: int) -> None:
        if batch == 1:
            raise ValueError("the write failed")
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(batch)
            raise

    with pytest.raises(ValueError, match="the write failed"):
        await asyncio.wait_for(write_batches(batches(5), failing, 2), timeout=5)
    assert cancelled == [0]
