"""Proof that a fault landed on sync work in progress, and that the work it interrupted was taken over.

A run is *in progress* when the Redis run lock of its `sync_state` row is held by the claim written on
the row (a run holds the lock from its start to its end, parked runs included: they release it) and a
window's job row named by the row's cursor is `running`. After a fault the same facts are read again:
a worker killed mid-run leaves its lock, its claim and its job row behind, because nothing released
them. Later, the interrupted window's job row must finish `done` with calls the emulator answered
after the fault (its request ids), under another claim when its worker was killed: the window was
resumed, not started again.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import httpx
import redis.asyncio as aioredis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker
from app.sync.locks import lock_key
from app.sync.models import Job, SyncState

KINDS = ("delta", "backfill")
# Where a run keeps the cursor of each kind's open window (a planned backfill's pages path: its own).
CURSORS = {"delta": ("delta",), "backfill": ("backfill", "backfill_pages")}


@dataclass(frozen=True)
class Running:
    """One sync run executing now: its row, its claim, and the open job of each window kind."""

    state_id: uuid.UUID
    marketplace_id: str
    claim: str
    jobs: dict[str, uuid.UUID]
    pages: dict[str, int]
    # The length of each open job's window (a planned backfill's pages range spans several windows).
    spans: dict[str, timedelta] = field(default_factory=dict)

    def describe(self) -> str:
        opened = ", ".join(f"{k} job {j} ({self.pages[k]} pages)" for k, j in self.jobs.items())
        return f"row {self.state_id} ({self.marketplace_id}) claim {self.claim[:8]}: {opened}"


@dataclass
class Interruption:
    """A fault that landed on `run`, with what the emulator had answered before it."""

    what: str
    run: Running
    kind: str
    answered_before: set[str] = field(default_factory=set)
    # A killed worker's claim must be taken over; a run that outlives a server restart may go on.
    new_claim: bool = True
    at: float = field(default_factory=time.monotonic)

    @property
    def job_id(self) -> uuid.UUID:
        return self.run.jobs[self.kind]


async def _lock_owner(redis: aioredis.Redis, state_id: uuid.UUID) -> str | None:
    value = await redis.get(lock_key(str(state_id)))
    return value.decode() if isinstance(value, bytes) else value


async def running_runs(
    engine: AsyncEngine, redis: aioredis.Redis, kind: str | None = None, exclude: frozenset[str] = frozenset()
) -> list[Running]:
    """The runs in progress (with a `kind` window open when given); claims in `exclude` (those of
    workers already killed, whose locks outlive them until their TTL) do not count."""
    async with create_sessionmaker(engine)() as session:
        states = list(
            (await session.execute(select(SyncState).where(SyncState.claimed_by.is_not(None)))).scalars()
        )
        found: list[Running] = []
        for state in states:
            claim = state.claimed_by
            if claim is None or claim in exclude or await _lock_owner(redis, state.id) != claim:
                continue
            opened: list[tuple[str, uuid.UUID]] = []
            for k, keys in CURSORS.items():
                cursors: list[Any] = [(state.extra or {}).get(key) or {} for key in keys]
                opened += [(k, uuid.UUID(c["job_id"])) for c in cursors if c.get("job_id")]
            if not opened:
                continue
            ids = [j for _, j in opened]
            jobs = {j.id: j for j in (await session.execute(select(Job).where(Job.id.in_(ids)))).scalars()}
            open_jobs: dict[str, uuid.UUID] = {}
            for k, j in opened:
                if k not in open_jobs and j in jobs and jobs[j].status == "running":
                    open_jobs[k] = j
            if kind is not None and kind not in open_jobs:
                continue
            if open_jobs:
                pages = {k: jobs[j].pages for k, j in open_jobs.items()}
                spans = {
                    k: jobs[j].window_end - jobs[j].window_start
                    for k, j in open_jobs.items()
                    if jobs[j].window_start is not None and jobs[j].window_end is not None
                }
                found.append(Running(state.id, state.marketplace_id, claim, open_jobs, pages, spans))
    return found


async def wait_for_running(
    engine: AsyncEngine,
    redis: aioredis.Redis,
    kind: str,
    seconds: float,
    exclude: frozenset[str] = frozenset(),
    wanted: Callable[[Running], bool] | None = None,
) -> Running:
    """The first run in progress with a `kind` window open (and `wanted`, when given)."""
    deadline = time.monotonic() + seconds
    while True:
        runs = [r for r in await running_runs(engine, redis, kind, exclude) if wanted is None or wanted(r)]
        if runs:
            return runs[0]
        if time.monotonic() > deadline:
            raise AssertionError(
                f"no {kind} run in progress within {seconds}s: no work to inject a fault into"
            )
        await asyncio.sleep(0.02)


async def answered_ids(amazon: httpx.AsyncClient) -> set[str]:
    response = await amazon.get("/_emulator/requests")
    assert response.status_code == 200, response.text
    return {e["request_id"] for e in response.json()}


async def still_interrupted(engine: AsyncEngine, redis: aioredis.Redis, hit: Interruption) -> None:
    """Right after a kill: the run's lock, claim and job row are as the run left them (a run that
    had ended would have released its lock and claim and closed its job row)."""
    async with create_sessionmaker(engine)() as session:
        state = await session.get(SyncState, hit.run.state_id)
        job = await session.get(Job, hit.job_id)
    owner = await _lock_owner(redis, hit.run.state_id)
    assert state is not None and job is not None
    if not (owner == hit.run.claim == state.claimed_by and job.status == "running"):
        raise AssertionError(
            f"{hit.what} found no running work: before it, {hit.run.describe()}; after it, lock held by"
            f" {owner}, row claimed by {state.claimed_by}, job {job.status}"
        )


async def taken_over(engine: AsyncEngine, amazon: httpx.AsyncClient, hits: list[Interruption]) -> None:
    """Every interrupted window was resumed by another claim and finished once: its job row is
    `done`, holds request ids the emulator answered after the fault, and no other job row of the
    same kind covers its window."""
    answered_now = await answered_ids(amazon)
    async with create_sessionmaker(engine)() as session:
        for hit in hits:
            job = await session.get(Job, hit.job_id, populate_existing=True)
            state = await session.get(SyncState, hit.run.state_id, populate_existing=True)
            assert job is not None and state is not None
            after = (answered_now - hit.answered_before) & set(job.request_ids)
            same_window = (
                await session.execute(
                    select(Job.id).where(
                        Job.connection_id == job.connection_id,
                        Job.marketplace_id == job.marketplace_id,
                        Job.kind == job.kind,
                        Job.window_start == job.window_start,
                    )
                )
            ).all()
            problems = [
                f"job {job.status}" if job.status != "done" else "",
                "no call of the job answered after the fault" if not after else "",
                "the row still holds the interrupted claim"
                if hit.new_claim and state.claimed_by == hit.run.claim
                else "",
                f"{len(same_window)} job rows for the window" if len(same_window) != 1 else "",
            ]
            assert not any(problems), f"{hit.what} on {hit.run.describe()}: {[p for p in problems if p]}"
