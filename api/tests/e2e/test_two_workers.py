"""Two worker processes share one seller: never two runs of one row at once, and the shared Redis
limiter keeps both inside the seller's usage plans (no 429 at all: the calls beyond the burst are
paced, never throttled).

The seller (two marketplaces, so two `sync_state` rows drawing on the same buckets) gets small plans
for the operations its backfill and deltas call most: a few requests a second where Amazon's
defaults at the emulator's scaled clock allow hundreds. As Amazon does per seller, only the rate
changes (the product learns it from `x-amzn-RateLimit-Limit`); the burst stays the operation's.

Evidence, all from what the processes left behind:
* runs: every run of a row is bracketed by `sync.run_started` / `sync.run_finished` in its worker's
  JSON log while it holds the row's lock; the brackets of one row, over both workers, never overlap,
  and both workers ran rows;
* job rows: each backfill window done exactly once, the deltas one chain (`tests.sync.job_rows`);
* Amazon: the emulator's request log holds no 429, and the small plans were used past their burst;
* logs: every line of each process is JSON naming its process and level; a window's lines carry its
  job id, and every Amazon request id they name is one the emulator answered.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker, unit_of_work
from app.settings import get_settings
from app.sync.models import Job
from app.worker.broker import setup_broker
from app.worker.enqueue import enqueue_job
from tests.amazon.support import LoopbackEmulator, request_log, self_authorize
from tests.e2e.test_sync import backfilled
from tests.sync.job_rows import assert_delta_windows_chained, assert_each_backfill_window_once
from tests.sync.procs import Product, eventually, json_log, product_env
from tests.sync.support import CA, US, create_seller, make_connection

pytestmark = pytest.mark.usefixtures("clean_state")

SCALE = 1000.0
# Real requests per second of each small plan (Amazon's rate x the scale). Past the burst the limiter
# paces at 97% of the rate: at Amazon's own rates that slack is seconds, at this scaled clock it is what
# absorbs a call reaching the emulator later than the next one (a new connection, a loaded machine):
# 31 ms a call at one request a second.
PLANNED_RPS = 1.0
SMALL_PLANS = ("reports.createReport", "reports.getReportDocument", "orders2026.searchOrders")
# Two marketplaces x 730 days of history in 30-day report windows.
BACKFILL_WINDOWS = 50
NAMES = ("two-workers-a", "two-workers-b")


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=13, demo=True, demo_orders=10, time_scale=SCALE)


@dataclass
class Run:
    worker: str
    state_id: str
    started: datetime
    finished: datetime
    outcome: str


def runs_of(worker: str, lines: list[dict[str, Any]]) -> list[Run]:
    """The runs a worker's log brackets, paired by Dramatiq message (one execution of `sync.run`)."""
    open_runs: dict[str, dict[str, Any]] = {}
    runs = []
    for line in lines:
        if line["event"] == "sync.run_started":
            assert line["message_id"] not in open_runs, line
            open_runs[line["message_id"]] = line
        elif line["event"] == "sync.run_finished":
            start = open_runs.pop(line["message_id"])
            assert start["state_id"] == line["state_id"], (start, line)
            runs.append(
                Run(
                    worker,
                    line["state_id"],
                    datetime.fromisoformat(start["timestamp"]),
                    datetime.fromisoformat(line["timestamp"]),
                    line["outcome"],
                )
            )
    # Stopped with SIGTERM: Dramatiq lets the runs in progress finish first.
    assert not open_runs, f"{worker}: runs started and never finished: {list(open_runs.values())[:3]}"
    return runs


def assert_no_overlap(runs: list[Run]) -> None:
    by_row: dict[str, list[Run]] = defaultdict(list)
    for run in runs:
        by_row[run.state_id].append(run)
    overlaps = []
    for row, row_runs in by_row.items():
        row_runs.sort(key=lambda r: r.started)
        for before, after in itertools.pairwise(row_runs):
            if after.started < before.finished:
                overlaps.append(f"row {row}: {before} and {after}")
    assert overlaps == [], f"{len(overlaps)} overlapping runs: {overlaps[:5]}"


async def test_two_workers_on_one_seller_never_overlap_nor_get_throttled(
    engine: AsyncEngine, served: LoopbackEmulator, amazon: httpx.AsyncClient
) -> None:
    defaults = (await amazon.get("/_emulator/usage-plans")).json()
    seller = await create_seller(amazon, 400, [US, CA], seed=23)
    for operation in SMALL_PLANS:
        plan = {
            "operation": operation,
            "rate": PLANNED_RPS / SCALE,
            "burst": int(defaults[operation]["burst"]),
        }
        answer = await amazon.post(f"/_emulator/sellers/{seller}/usage-plans", json=plan)
        assert answer.status_code == 200, answer.text
    # The report path, whose windows are the rows both workers run: the planned backfill would
    # read a seller this small from searchOrders pages alone.
    env = product_env(served.url, LOG_FORMAT="json", SYNC_BACKFILL_PATHS="documents")
    first, second = Product(env, NAMES[0]), Product(env, NAMES[1])
    for product in (first, second):
        for role in ("worker", "scheduler"):
            product.log_path(role).unlink(missing_ok=True)
    first.start_worker()
    second.start_worker()
    first.start_scheduler()
    try:
        tenant_id, connection_id = await make_connection(
            engine,
            seller_id=seller,
            marketplaces=[US, CA],
            refresh_token=await self_authorize(amazon, seller),
            encryption_keys=get_settings().security.encryption_keys,
        )
        setup_broker()
        async with unit_of_work(create_sessionmaker(engine)) as session:
            enqueue_job(
                session,
                "sync.connection_onboarded",
                connection_id=str(connection_id),
                tenant_id=str(tenant_id),
            )
        await eventually(lambda: backfilled(engine), 150, "the backfill")
    finally:
        first.stop()
        second.stop()

    await assert_each_backfill_window_once(engine, connection_id, windows=BACKFILL_WINDOWS)
    await assert_delta_windows_chained(engine, connection_id)

    calls = await request_log(amazon)
    throttled = [c for c in calls if c["status"] == 429]
    assert throttled == [], f"{len(throttled)} 429s, the first: {throttled[:3]}"
    used = Counter(c["operation"] for c in calls if c["selling_partner_id"] == seller)
    for operation in ("reports.createReport", "reports.getReportDocument"):
        burst = int(defaults[operation]["burst"])
        assert used[operation] > burst, f"{operation}: {used[operation]} calls, never past its burst {burst}"

    workers = {product.name: json_log(product.log_path("worker"), "worker") for product in (first, second)}
    json_log(first.log_path("scheduler"), "scheduler")
    runs = [run for name, lines in workers.items() for run in runs_of(name, lines)]
    assert_no_overlap(runs)
    ran_by = {name: {r.state_id for r in runs if r.worker == name} for name in NAMES}
    assert all(ran_by.values()), f"a worker ran nothing: {ran_by}"
    assert ran_by[NAMES[0]] & ran_by[NAMES[1]], f"no row was run by both workers: {ran_by}"

    lines = [line for worker_lines in workers.values() for line in worker_lines]
    async with create_sessionmaker(engine)() as session:
        done = set(
            (
                await session.execute(
                    select(Job.id).where(Job.kind == "backfill", Job.status == "done", Job.type == "sync")
                )
            ).scalars()
        )
    logged = {line.get("job_id") for line in lines if line["event"] == "sync.backfill_window_done"}
    assert logged == {str(job_id) for job_id in done}, "each window's closing line carries its job id"
    answered = {c["request_id"] for c in calls}
    named = {line["amzn_request_id"] for line in lines if line.get("amzn_request_id")}
    assert named and named <= answered, sorted(named - answered)[:5]


def test_overlapping_runs_of_one_row_are_named() -> None:
    def run(worker: str, row: str, start: int, end: int) -> Run:
        at = datetime(2026, 1, 1, 12, 0, 0)
        return Run(worker, row, at.replace(second=start), at.replace(second=end), "done")

    apart = [run("a", "row-1", 0, 2), run("b", "row-1", 2, 4), run("b", "row-2", 1, 3)]
    assert_no_overlap(apart)
    with pytest.raises(AssertionError, match=r"1 overlapping runs: .*row row-1"):
        assert_no_overlap([*apart, run("a", "row-1", 3, 5)])
