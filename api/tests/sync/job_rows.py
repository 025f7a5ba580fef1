"""The run log (`jobs`) counted exactly: each backfill window of each marketplace run once, deltas chained.

A backfill walks `[backfill_from, backfill_to)` of every `sync_state` row in consecutive windows, one job
row per window (a crash resumes the window's own row from its saved cursor); a planned backfill's pages
path reads the windows left to it as one range, one row for all of them. So the `done` backfill rows
must tile that range exactly (no gap, no overlap), and the windows they span are counted. A row that
ends `replanned` gave its windows to the other path unfinished (their `done` rows are the other
path's); such rows are counted. A window run
twice shows as a second row for it; that passes only where the caller says a fault may have forced it,
and then the other rows of that window must say they did not finish (`error`, or `running` with no
`finished_at`: the run was killed), never a second `done`.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker
from app.sync.models import Job, SyncState
from app.sync.planner import DELTA_OVERLAP, REPORT_WINDOW


@dataclass
class BackfillLedger:
    """What the job rows of one connection's backfill say."""

    windows: int = 0  # done windows of the grid, over every marketplace
    jobs: int = 0  # done job rows (a range of windows read as one is one row)
    interrupted: list[str] = field(default_factory=list)  # rows of a window that did not finish
    replanned: int = 0  # rows whose windows a planned backfill gave to the other path


def _listed(problems: list[str], show: int = 12) -> str:
    return f"{len(problems)} problems, the first {min(show, len(problems))}:\n  " + "\n  ".join(
        problems[:show]
    )


def _at(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else "None"


async def assert_each_backfill_window_once(
    engine: AsyncEngine,
    connection_id: uuid.UUID,
    *,
    windows: int | None = None,
    interrupted_allowed: bool = False,
    note: str = "",
) -> BackfillLedger:
    """The backfill job rows of `connection_id` tile each marketplace's backfill range, one `done` row per
    window; `windows`: the exact number of windows expected over all marketplaces. Rows of a window that did
    not finish are allowed only with `interrupted_allowed` (a fault test) and are returned."""
    async with create_sessionmaker(engine)() as session:
        states = list(
            (
                await session.execute(
                    select(SyncState).where(
                        SyncState.connection_id == connection_id, SyncState.entity == "orders"
                    )
                )
            ).scalars()
        )
        jobs = list(
            (
                await session.execute(
                    select(Job)
                    .where(Job.connection_id == connection_id, Job.type == "sync", Job.kind == "backfill")
                    .order_by(Job.window_start, Job.created_at)
                )
            ).scalars()
        )
    suffix = f" ({note})" if note else ""
    assert states, f"connection {connection_id} has no orders sync_state row{suffix}"
    ledger = BackfillLedger()
    problems: list[str] = []
    for state in sorted(states, key=lambda s: s.marketplace_id):
        market = state.marketplace_id
        if state.backfill_completed_at is None:
            problems.append(f"{market}: the backfill is not complete")
        rows = [j for j in jobs if j.marketplace_id == market]
        done = [j for j in rows if j.status == "done"]
        ledger.replanned += sum(1 for j in rows if j.status == "replanned")
        others = [j for j in rows if j.status not in ("done", "replanned")]
        cursor = state.backfill_from
        for job in done:
            if job.window_start != cursor:
                what = "overlaps the previous one" if cursor and job.window_start < cursor else "leaves a gap"
                problems.append(
                    f"{market}: window {_at(job.window_start)}..{_at(job.window_end)} {what} "
                    f"(expected a window from {_at(cursor)}; job {job.id})"
                )
            cursor = job.window_end
        if cursor != state.backfill_to:
            problems.append(
                f"{market}: the done windows end at {_at(cursor)}, not at {_at(state.backfill_to)}"
            )
        ledger.windows += sum(
            math.ceil((j.window_end - j.window_start) / REPORT_WINDOW - 1e-9) for j in done if j.window_end
        )
        ledger.jobs += len(done)
        for job in others:
            span = f"{_at(job.window_start)}..{_at(job.window_end)}"
            what = f"{market}: job {job.id} of window {span} {job.status}"
            unfinished = job.status == "error" or (job.status == "running" and job.finished_at is None)
            if interrupted_allowed and unfinished:
                ledger.interrupted.append(f"{what} ({job.error or 'killed'})")
            else:
                problems.append(f"{what}: a window run twice or a run left {job.status}")
    if windows is not None and ledger.windows != windows:
        problems.append(f"{ledger.windows} done backfill windows, expected exactly {windows}")
    assert not problems, (
        f"the backfill job rows of connection {connection_id} are not one per window{suffix}: "
        + _listed(problems)
    )
    return ledger


async def assert_delta_windows_chained(
    engine: AsyncEngine, connection_id: uuid.UUID, *, interrupted_allowed: bool = False, note: str = ""
) -> int:
    """The done delta job rows of each marketplace form one chain: each window starts `DELTA_OVERLAP` before
    the previous one ended (the watermark moved with the commit that closed it) and ends later. A delta run
    twice repeats a window and breaks the chain; only the newest delta of a marketplace may be running (now).
    Returns the number of done deltas."""
    async with create_sessionmaker(engine)() as session:
        jobs = list(
            (
                await session.execute(
                    select(Job)
                    .where(Job.connection_id == connection_id, Job.type == "sync", Job.kind == "delta")
                    .order_by(Job.marketplace_id, Job.window_end, Job.created_at)
                )
            ).scalars()
        )
    problems: list[str] = []
    previous: dict[str | None, Job] = {}
    newest: dict[str | None, Job] = {}
    for job in jobs:
        if job.marketplace_id not in newest or job.created_at > newest[job.marketplace_id].created_at:
            newest[job.marketplace_id] = job
    for job in jobs:
        if job.status == "running" and newest[job.marketplace_id] is job:
            continue  # the delta running now (the scheduler keeps them coming)
        if job.status != "done":
            unfinished = job.status == "error" or (job.status == "running" and job.finished_at is None)
            if not (interrupted_allowed and unfinished):
                problems.append(f"{job.marketplace_id}: delta job {job.id} left {job.status}")
            continue
        before = previous.get(job.marketplace_id)
        if before is not None and before.window_end is not None:
            expected = before.window_end - DELTA_OVERLAP
            if job.window_start != expected or job.window_end == before.window_end:
                problems.append(
                    f"{job.marketplace_id}: delta window {_at(job.window_start)}..{_at(job.window_end)} "
                    f"follows {_at(before.window_start)}..{_at(before.window_end)} (expected a start at "
                    f"{_at(expected)}; job {job.id})"
                )
        previous[job.marketplace_id] = job
    suffix = f" ({note})" if note else ""
    assert not problems, (
        f"the delta job rows of connection {connection_id} are not one chain{suffix}: " + _listed(problems)
    )
    return sum(1 for j in jobs if j.status == "done")
