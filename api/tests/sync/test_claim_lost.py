"""A run whose row was claimed by another scheduler meanwhile (its own claim went stale: a run slower
than the lock's TTL under load) stops at its next write, and that write's transaction commits nothing:
no window closed, no watermark moved, no job row added. The next claim goes on from what was committed,
so each window is still read once and the deltas still form one chain."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.sync.models import Job, SyncState
from app.sync.repository import ClaimLost, SyncRepository
from app.sync.service import request_delta
from tests.sync import test_service
from tests.sync.job_rows import assert_delta_windows_chained, assert_each_backfill_window_once
from tests.sync.support import comparable, ours, truth
from tests.sync.test_service import Harness

pytestmark = pytest.mark.usefixtures("clean_state")

# The engine's harness of `test_service`: a seller of 400 orders in two marketplaces, read by report.
emulator_config = test_service.emulator_config
harness = test_service.harness


async def _states(h: Harness) -> dict[uuid.UUID, SyncState]:
    async with h.sessionmaker() as session:
        return {s.id: s for s in (await session.execute(select(SyncState))).scalars()}


async def _deltas(h: Harness, state: SyncState) -> list[Job]:
    async with h.sessionmaker() as session:
        statement = select(Job).where(
            Job.kind == "delta",
            Job.connection_id == state.connection_id,
            Job.marketplace_id == state.marketplace_id,
        )
        return list((await session.execute(statement)).scalars())


async def test_a_run_that_lost_its_claim_commits_nothing_and_the_next_claim_resumes(
    harness: tuple[Harness, str, uuid.UUID], engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    h, _, connection_id = harness
    await h.until_backfilled()
    states = await _states(h)
    async with h.uow() as session:
        await request_delta(session, next(iter(states.values())).tenant_id, connection_id)
    messages = await h.dispatch()
    assert len(messages) == len(states) == 2
    message = messages[0]
    state_id = uuid.UUID(message["state_id"])
    before = states[state_id]
    deltas_before = {j.id for j in await _deltas(h, before)}

    # While the run writes its delta's only page, another scheduler's claim of the row lands (committed
    # on a connection of its own), as when this run's claim went stale.
    add_to_job = SyncRepository.add_to_job

    async def taken_over(self: SyncRepository, job_id: uuid.UUID, **counters: Any) -> None:
        async with h.uow() as other:
            await other.execute(
                update(SyncState).where(SyncState.id == state_id).values(claimed_by="another-scheduler")
            )
        await add_to_job(self, job_id, **counters)

    monkeypatch.setattr(SyncRepository, "add_to_job", taken_over)
    with pytest.raises(ClaimLost):
        await h.run(message)
    monkeypatch.setattr(SyncRepository, "add_to_job", add_to_job)

    after = (await _states(h))[state_id]
    assert after.claimed_by == "another-scheduler"
    # The delta's window was opened (its job row and cursor committed before the takeover) and not
    # closed: the watermark and the last delta's time are where they were, the row is still running.
    assert after.last_updated_after == before.last_updated_after
    assert after.extra.get("last_delta_at") == before.extra.get("last_delta_at")
    cursor = after.extra.get("delta")
    assert cursor is not None
    opened = [j for j in await _deltas(h, before) if j.id not in deltas_before]
    assert [(str(j.id), j.status, j.finished_at) for j in opened] == [(cursor["job_id"], "running", None)]
    # The page's counts went with the rolled-back transaction.
    assert opened[0].pages == 0 and opened[0].orders_seen == 0

    # The other claim goes stale in turn (its worker died): the next claim resumes the open window
    # under the same job row and closes it once.
    async with h.uow() as session:
        await session.execute(
            update(SyncState).where(SyncState.id == state_id).values(claimed_by=None, claimed_at=None)
        )
    for _ in range(20):
        for pending in await h.dispatch():
            await h.run(pending)
        resumed = (await _states(h))[state_id]
        if resumed.extra.get("delta") is None and resumed.claimed_by is None:
            break
    assert resumed.last_updated_after is not None and before.last_updated_after is not None
    assert resumed.last_updated_after > before.last_updated_after
    closed = {j.id: j for j in await _deltas(h, before) if j.id not in deltas_before}
    assert closed[opened[0].id].status == "done" and closed[opened[0].id].pages >= 1
    await assert_delta_windows_chained(engine, connection_id)
    await assert_each_backfill_window_once(engine, connection_id)


async def test_a_backfill_run_that_lost_its_claim_while_loading_a_report_closes_nothing(
    harness: tuple[Harness, str, uuid.UUID],
    engine: AsyncEngine,
    emulator_http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    h, seller, connection_id = harness
    add_to_job = SyncRepository.add_to_job
    lost: list[uuid.UUID] = []

    async def taken_over(self: SyncRepository, job_id: uuid.UUID, **counters: Any) -> None:
        counts = counters.get("counts")
        if not lost and counts is not None and counts.seen > 0:
            async with h.sessionmaker() as session:
                job = await session.get(Job, job_id)
            assert job is not None
        if not lost and counts is not None and counts.seen > 0 and job.kind == "backfill":
            # A batch of a backfill window's report is being written: another scheduler's claim lands.
            async with h.uow() as other:
                state = (
                    await other.execute(
                        select(SyncState).where(SyncState.marketplace_id == job.marketplace_id)
                    )
                ).scalar_one()
                await other.execute(
                    update(SyncState).where(SyncState.id == state.id).values(claimed_by="another-scheduler")
                )
            lost.append(job_id)
        await add_to_job(self, job_id, **counters)

    monkeypatch.setattr(SyncRepository, "add_to_job", taken_over)
    for _ in range(200):
        for message in await h.dispatch():
            try:
                await h.run(message)
            except ClaimLost:
                assert lost
        if lost:
            break
    monkeypatch.setattr(SyncRepository, "add_to_job", add_to_job)
    assert lost, "no report batch was written"

    async with h.sessionmaker() as session:
        job = await session.get(Job, lost[0])
        assert job is not None
        state = (
            await session.execute(select(SyncState).where(SyncState.marketplace_id == job.marketplace_id))
        ).scalar_one()
    # The batch rolled back with the claim's check; the window stays open, counted as before the batch.
    assert (job.status, job.finished_at, job.orders_seen) == ("running", None, 0)
    assert state.claimed_by == "another-scheduler"
    assert job.window_start is not None
    assert state.backfill_done_until is None or state.backfill_done_until <= job.window_start
    # The other claim goes stale: the backfill goes on from what was committed, each window read once.
    async with h.uow() as session:
        await session.execute(update(SyncState).values(claimed_by=None, claimed_at=None))
    await h.until_backfilled()
    await assert_each_backfill_window_once(engine, connection_id, windows=50)
    async with h.sessionmaker() as session:
        reread = await session.get(Job, lost[0])
    assert reread is not None and reread.status == "done" and reread.orders_seen > 0
    assert await ours(engine, connection_id) == comparable(await truth(emulator_http, seller))
