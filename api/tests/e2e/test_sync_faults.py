"""Fault tests of the sync engine that prove where their faults landed, each ending with every order
and item line in PostgreSQL equal to the emulator's truth (`tests.sync.truth`), no duplicate, and the
job rows counted exactly (50 backfill windows, each run once: an interrupted window is resumed under
its own job row, never opened again).

* The worker is SIGKILLed while a run is in progress (its run lock held by its claim, a window's job
  row running), three times during the backfill and twice during deltas; each kill is shown to have
  interrupted that run, and the interrupted window to be finished by another claim with calls the
  emulator answered after the kill.
* Storms on every operation the sync uses: throttling longer than any in-place retry policy, 500,
  502, 503 and 504, connections closed mid-body, bodies that stall past the read timeout and a GZIP
  document cut short, each shown answered in the emulator's request log.
* Redis, then PostgreSQL, stopped while a backfill run is in progress, and started again.

Fault points are random per run: the seed is printed, added to every failure, and `CHAOS_SEED`
replays it."""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app import migrate
from app.db.session import create_sessionmaker
from app.kit.embedded import EmbeddedPostgres, EmbeddedRedis
from app.settings import to_psycopg_url
from app.sync.locks import lock_key
from app.sync.models import Job
from tests.amazon.support import LoopbackEmulator
from tests.e2e.test_sync import backfilled, no_duplicates, onboard
from tests.sync.inflight import (
    Interruption,
    Running,
    answered_ids,
    still_interrupted,
    taken_over,
    wait_for_running,
)
from tests.sync.job_rows import assert_each_backfill_window_once
from tests.sync.procs import (
    CHANGE_VISIBLE_WITHIN_S,
    Product,
    backdated_activity,
    chaos,
    eventually,
    product_env,
)
from tests.sync.truth import assert_every_row_equal

SCALE = 1000.0
ORDERS = 1200
# The faults are put on the document path's steps (report requests, polls, downloads), which a planned
# backfill of these small sellers would hardly use: their windows are walked one after the other by report.
DOCUMENTS = "documents"
# Two marketplaces x 730 days of history in 30-day report windows.
BACKFILL_WINDOWS = 50

# Every operation the sync engine calls (backfill through order reports, delta through searchOrders).
SYNC_OPERATIONS = (
    "lwa.token",
    "reports.createReport",
    "reports.getReport",
    "reports.getReportDocument",
    "documents.get",
    "orders2026.searchOrders",
)
# Made slower while a kill is aimed at the backfill, so that a run is inside a call most of the time.
# (Not createReport: a run asks up to 13 reports at once, and a slow run could outlive its claim.)
BACKFILL_SLOWED = ("reports.getReport", "reports.getReportDocument", "documents.get")


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=9, demo=True, demo_orders=10, time_scale=SCALE)


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(os.environ["REDIS_URL"])
    yield client
    await client.aclose()


async def converge(engine: AsyncEngine, amazon: httpx.AsyncClient, seller: str, connection_id: Any) -> None:
    """The backfill done, then every order and item line in PostgreSQL equal to the emulator's truth,
    field by field (within the time a change takes to be visible to a delta), and no duplicate."""
    await eventually(lambda: backfilled(engine), 150, "the backfill")
    await assert_every_row_equal(
        engine, amazon, [seller], connection_ids=[connection_id], within=CHANGE_VISIBLE_WITHIN_S
    )
    await no_duplicates(engine)


async def backfill_jobs_exact(engine: AsyncEngine) -> list[Job]:
    """Exactly one `done` job row per backfill window; no delta failed or open twice."""
    async with create_sessionmaker(engine)() as session:
        jobs = list((await session.execute(select(Job).where(Job.type == "sync"))).scalars())
    backfills = [j for j in jobs if j.kind == "backfill"]
    windows = Counter((j.marketplace_id, j.window_start) for j in backfills)
    twice = {w: n for w, n in windows.items() if n > 1}
    assert len(backfills) == BACKFILL_WINDOWS and not twice, (len(backfills), twice)
    assert all(j.status == "done" for j in backfills), [(j.id, j.status, j.error) for j in backfills]
    # Deltas re-read their overlap by design (the same window while the watermark waits out Amazon's
    # two minutes), so they are not unique by window: none failed, and one at most is open per row.
    deltas = [j for j in jobs if j.kind == "delta"]
    open_deltas = Counter(j.marketplace_id for j in deltas if j.status == "running")
    assert all(j.status in ("done", "running") for j in deltas), [(j.id, j.status, j.error) for j in deltas]
    assert all(n == 1 for n in open_deltas.values()), open_deltas
    return jobs


async def kill_mid_run(
    product: Product,
    engine: AsyncEngine,
    redis: aioredis.Redis,
    amazon: httpx.AsyncClient,
    rng: random.Random,
    kind: str,
    killed: set[str],
    backfill_slowed: tuple[str, ...] = BACKFILL_SLOWED,
    wanted: Callable[[Running], bool] | None = None,
) -> Interruption:
    """SIGKILL the worker while a `kind` run is in progress (one of the sync's calls slowed, so runs
    spend their time inside calls), prove the kill interrupted it, and start a new worker."""
    slowed = "orders2026.searchOrders" if kind == "delta" else rng.choice(backfill_slowed)
    fault = {"operation": slowed, "latency_ms": 1500 if kind == "delta" else 600}
    assert (await amazon.post("/_emulator/faults", json=fault)).status_code == 200
    await asyncio.sleep(rng.uniform(0.0, 1.5))
    run = await wait_for_running(engine, redis, kind, 60, frozenset(killed), wanted)
    product.kill_worker()
    hit = Interruption(f"SIGKILL #{len(killed) + 1} ({kind}, {slowed} slowed)", run, kind)
    killed.add(run.claim)
    # Taken after the kill: the dead worker makes no call, so every id not in it is a later call.
    hit.answered_before = await answered_ids(amazon)
    await amazon.delete("/_emulator/faults", params={"operation": slowed})
    await still_interrupted(engine, redis, hit)
    product.start_worker()
    return hit


@pytest.mark.usefixtures("clean_state")
async def test_worker_killed_while_runs_are_in_progress(
    engine: AsyncEngine,
    served: LoopbackEmulator,
    amazon: httpx.AsyncClient,
    emulator_app: Any,
    redis: aioredis.Redis,
) -> None:
    # A killed worker's claim is taken over once its lock's TTL has passed: 4 s instead of 8 keeps
    # the five kills' waits short (runs last well under it, even with a call slowed).
    product = Product(
        product_env(served.url, REDIS_LOCK_TTL_SEC="4", SYNC_BACKFILL_PATHS=DOCUMENTS), "sync-kill"
    )
    product.start_worker()
    product.start_scheduler()
    try:
        with chaos("sync-kill") as rng:
            seller, _, connection_id = await onboard(engine, amazon, ORDERS)
            killed: set[str] = set()

            async def kill(kind: str) -> Interruption:
                return await kill_mid_run(product, engine, redis, amazon, rng, kind, killed)

            hits = [await kill("backfill") for _ in range(3)]
            await eventually(lambda: backfilled(engine), 150, "the backfill")
            backdated_activity(emulator_app, seller, 8, 12, 230)
            hits += [await kill("delta") for _ in range(2)]
            await converge(engine, amazon, seller, connection_id)
            await taken_over(engine, amazon, hits)
            await backfill_jobs_exact(engine)
    finally:
        product.stop()
        await amazon.delete("/_emulator/faults")


@pytest.mark.usefixtures("clean_state")
async def test_worker_killed_inside_a_planned_backfills_pages_range(
    engine: AsyncEngine,
    served: LoopbackEmulator,
    amazon: httpx.AsyncClient,
    redis: aioredis.Redis,
) -> None:
    """A planned backfill (the default) of a seller whose searchOrders range takes many pages: the
    worker killed while a range is read, three times; each interrupted range is resumed by the next
    claim from its saved page token in its own job row, and every order and line ends equal to the
    truth."""
    product = Product(
        product_env(served.url, REDIS_LOCK_TTL_SEC="4", SYNC_BACKFILL_PATHS="planned"), "sync-kill-planned"
    )
    product.start_worker()
    product.start_scheduler()
    try:
        with chaos("sync-kill-planned") as rng:
            # 3,000 orders a marketplace: a range of about 30 pages, each slowed while a kill is aimed.
            seller, _, connection_id = await onboard(engine, amazon, 6000)
            killed: set[str] = set()

            def in_a_range(run: Running) -> bool:
                return run.spans.get("backfill", timedelta(0)) > timedelta(days=31)

            hits = [
                await kill_mid_run(
                    product,
                    engine,
                    redis,
                    amazon,
                    rng,
                    "backfill",
                    killed,
                    ("orders2026.searchOrders",),
                    in_a_range,
                )
                for _ in range(3)
            ]
            await converge(engine, amazon, seller, connection_id)
            await taken_over(engine, amazon, hits)
            ledger = await assert_each_backfill_window_once(engine, connection_id, windows=BACKFILL_WINDOWS)
            # Windows were read as ranges of several (the pages path), where every kill landed.
            assert ledger.jobs < BACKFILL_WINDOWS, ledger
            assert all(in_a_range(hit.run) for hit in hits), [hit.run.describe() for hit in hits]
    finally:
        product.stop()
        await amazon.delete("/_emulator/faults")


def storm_script(rng: random.Random, operation: str) -> list[int | str]:
    """The next calls of `operation`: a run of 429s longer than any in-place retry policy (the
    transport's 5 attempts), each 5xx, a connection closed mid-body, a body stalled past the read
    timeout (and for documents a GZIP stream cut short), shuffled around successful calls."""
    faults: list[int | str] = [500, 502, 503, 504, "reset", "stall"]
    if operation == "documents.get":
        faults.append("gzip_cut")
    script: list[int | str] = [*faults, *["ok"] * 4]
    rng.shuffle(script)
    at = rng.randrange(len(script) + 1)
    return [*script[:at], *[429] * 6, *script[at:]]


def answered(log: list[dict[str, Any]], entry: int | str) -> bool:
    if isinstance(entry, int):
        return any(e["status"] == entry for e in log)
    return entry == "ok" or any(e["note"] == f"fault: {entry}" for e in log)


@pytest.mark.usefixtures("clean_state")
async def test_storms_on_every_operation(
    engine: AsyncEngine, served: LoopbackEmulator, amazon: httpx.AsyncClient, emulator_app: Any
) -> None:
    with chaos("sync-storms") as rng:
        scripts = {op: storm_script(rng, op) for op in SYNC_OPERATIONS}
        for operation, script in scripts.items():
            fault = {
                "operation": operation,
                "script": script,
                "stall_ms": 2000,
                # After the script, 3% of the calls still fail, with any of the 5xx.
                "error_rate": 0.03,
                "statuses": [500, 502, 503, 504],
            }
            response = await amazon.post("/_emulator/faults", json=fault)
            assert response.status_code == 200, response.text
        product = Product(
            product_env(served.url, AMAZON_READ_TIMEOUT_SEC="1", SYNC_BACKFILL_PATHS=DOCUMENTS), "sync-storms"
        )
        product.start_worker()
        product.start_scheduler()
        try:
            seller, _, connection_id = await onboard(engine, amazon, ORDERS)
            await eventually(lambda: backfilled(engine), 150, "the backfill")
            backdated_activity(emulator_app, seller, 6, 6, 230)
            await converge(engine, amazon, seller, connection_id)
            # Every scripted call was made (the script is used up call by call, so the six 429s met
            # six calls in a row) and answered as scripted: the faults landed.
            left = {f["operation"]: f["script"] for f in (await amazon.get("/_emulator/faults")).json()}
            assert all(not s for s in left.values()), left
            for operation, script in scripts.items():
                log = (await amazon.get("/_emulator/requests", params={"operation": operation})).json()
                missing = [e for e in set(script) if not answered(log, e)]
                answered_429 = sum(e["status"] == 429 for e in log)
                assert not missing and answered_429 >= 6, (operation, missing, answered_429)
            jobs = await backfill_jobs_exact(engine)
            counted = [(j.kind, j.status, j.retries, j.throttled_429) for j in jobs]
            # The throttled windows came back after being rescheduled and were throttled again.
            assert max(j.throttled_429 for j in jobs) >= 2, counted
            # The job rows count what Amazon answered, never more (other actors' calls, e.g. documents
            # polled outside a run, and LWA's are not a run's): all the 429s and 5xx of every operation.
            log = (await amazon.get("/_emulator/requests")).json()
            answered_429 = sum(e["status"] == 429 for e in log)
            answered_retryable = sum(e["status"] in (429, 500, 502, 503, 504) for e in log)
            assert 0 < sum(j.throttled_429 for j in jobs) <= answered_429, (answered_429, counted)
            assert 0 < sum(j.retries for j in jobs) <= answered_retryable, (answered_retryable, counted)
        finally:
            product.stop()
            await amazon.delete("/_emulator/faults")


@pytest.fixture
def own_servers() -> Iterator[tuple[EmbeddedPostgres, EmbeddedRedis, str]]:
    """A PostgreSQL and a Redis of the product's own, so this test can restart them."""
    base = Path(tempfile.mkdtemp(prefix="sync-restart-"))
    pg = EmbeddedPostgres(base / "pg", fast_unsafe=True).start()
    redis = EmbeddedRedis(base / "redis", persistent=False).start()
    import psycopg

    name = f"sync_restart_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg.admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = pg.admin_url(name)
    migrate.upgrade(url)
    yield pg, redis, url
    redis.stop()
    pg.stop()


async def test_redis_and_postgres_restarted_mid_run(
    own_servers: tuple[EmbeddedPostgres, EmbeddedRedis, str],
    served: LoopbackEmulator,
    amazon: httpx.AsyncClient,
    emulator_app: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pg, redis, url = own_servers
    monkeypatch.setenv("REDIS_URL", redis.url)
    monkeypatch.setenv("DATABASE_URL", url)
    from app.settings import reset_settings_cache

    reset_settings_cache()
    engine = create_async_engine(to_psycopg_url(url), pool_pre_ping=True)
    locks = aioredis.from_url(redis.url)
    # Claims whose runs the outages broke are taken over after the lock TTL: 4 s keeps it short.
    product = Product(
        product_env(served.url, REDIS_LOCK_TTL_SEC="4", SYNC_BACKFILL_PATHS=DOCUMENTS), "sync-restarts"
    )
    product.start_worker()
    product.start_scheduler()
    try:
        import app.worker.broker as broker

        monkeypatch.setattr(broker, "_broker", None)
        with chaos("sync-restarts") as rng:
            seller, _, connection_id = await onboard(engine, amazon, ORDERS)
            hits: list[Interruption] = []
            for what, server in (("Redis stopped", redis), ("PostgreSQL stopped", pg)):
                await asyncio.sleep(rng.uniform(0.0, 2.0))
                run = await wait_for_running(engine, locks, "backfill", 60)
                server.stop()
                hit = Interruption(f"{what} mid-run", run, "backfill", new_claim=False)
                hit.answered_before = await answered_ids(amazon)
                hits.append(hit)
                await asyncio.sleep(rng.uniform(0.5, 1.5))
                server.start()
                await locks.aclose()
                locks = aioredis.from_url(redis.url)
                await engine.dispose()
                # The outage hit the run: Redis came back without its lock; the window is not done.
                async with create_sessionmaker(engine)() as session:
                    job = await session.get(Job, hit.job_id)
                assert job is not None and job.status != "done", (what, run.describe(), job and job.status)
                if server is redis:
                    assert await locks.get(lock_key(str(run.state_id))) is None, run.describe()
            await converge(engine, amazon, seller, connection_id)
            await taken_over(engine, amazon, hits)
            await backfill_jobs_exact(engine)
    finally:
        product.stop()
        await locks.aclose()
        await engine.dispose()
        monkeypatch.undo()
        reset_settings_cache()
        monkeypatch.setattr(broker, "_broker", None)
