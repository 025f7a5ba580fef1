"""Fault tests of the sync engine, each ending with Postgres equal to the emulator's truth and no
duplicate: the worker SIGKILLed at random points of backfill and delta, Redis and PostgreSQL
restarted mid-run, and 10% 5xx plus 429 storms injected by the emulator."""

from __future__ import annotations

import asyncio
import random
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from app import migrate
from app.db.session import create_sessionmaker
from app.kit.embedded import EmbeddedPostgres, EmbeddedRedis
from app.settings import to_psycopg_url
from app.sync.models import Job
from tests.amazon.support import LoopbackEmulator
from tests.e2e.test_sync import backfilled, no_duplicates, onboard
from tests.sync.procs import CHANGE_VISIBLE_WITHIN_S, Product, backdated_activity, eventually, product_env
from tests.sync.support import check_orders_exactly, comparable, ours, truth

SCALE = 1000.0
ORDERS = 1200


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=9, demo=True, demo_orders=10, time_scale=SCALE)


async def converge(
    engine: AsyncEngine, amazon: httpx.AsyncClient, seller: str, connection_id: Any, emulator_app: Any
) -> None:
    async def equal() -> bool:
        return await ours(engine, connection_id) == comparable(await truth(amazon, seller))

    await eventually(lambda: backfilled(engine), 150, "the backfill")
    try:
        await eventually(equal, CHANGE_VISIBLE_WITHIN_S, "Postgres to equal the emulator's truth")
    except AssertionError:
        # Say what differs: a bare timeout cannot be diagnosed after the fact.
        stored, expected = await ours(engine, connection_id), comparable(await truth(amazon, seller))
        differs = {k: (stored.get(k), expected.get(k)) for k in expected if stored.get(k) != expected.get(k)}
        raise AssertionError(f"Postgres never equalled the truth; (ours, truth): {differs}") from None
    await check_orders_exactly(amazon, engine, seller, connection_id)
    await no_duplicates(engine)


@pytest.mark.usefixtures("clean_tables")
async def test_worker_killed_at_random_points(
    engine: AsyncEngine, served: LoopbackEmulator, amazon: httpx.AsyncClient, emulator_app: Any
) -> None:
    rng = random.Random(20261128)
    product = Product(product_env(served.url), "sync-kill")
    product.start_worker()
    product.start_scheduler()
    try:
        seller, _, connection_id = await onboard(engine, amazon, ORDERS)
        for _ in range(3):  # during the backfill
            await asyncio.sleep(rng.uniform(0.5, 3.0))
            product.kill_worker()
            product.start_worker()
        await eventually(lambda: backfilled(engine), 150, "the backfill")
        backdated_activity(emulator_app, seller, 8, 12, 230)
        for _ in range(2):  # during deltas (every 3 s)
            await asyncio.sleep(rng.uniform(0.5, 3.0))
            product.kill_worker()
            product.start_worker()
        await converge(engine, amazon, seller, connection_id, emulator_app)
    finally:
        product.stop()


@pytest.mark.usefixtures("clean_tables")
async def test_5xx_and_429_storms(
    engine: AsyncEngine, served: LoopbackEmulator, amazon: httpx.AsyncClient, emulator_app: Any
) -> None:
    for operation in (
        "orders2026.searchOrders",
        "reports.createReport",
        "reports.getReport",
        "reports.getReportDocument",
        "reports.getReports",
    ):
        response = await amazon.post(
            "/_emulator/faults", json={"operation": operation, "error_rate": 0.1, "status": 503}
        )
        assert response.status_code in (200, 201), response.text
    # 429 storms: the next calls of these operations are throttled, however fast the worker is
    # (a storm of emulated seconds would last milliseconds at this clock scale and could be missed).
    for operation in ("reports.getReport", "orders2026.searchOrders"):
        response = await amazon.post(
            "/_emulator/faults", json={"operation": operation, "error_rate": 1.0, "status": 429, "count": 4}
        )
        assert response.status_code in (200, 201), response.text
    product = Product(product_env(served.url), "sync-storms")
    product.start_worker()
    product.start_scheduler()
    try:
        seller, _, connection_id = await onboard(engine, amazon, ORDERS)
        await eventually(lambda: backfilled(engine), 150, "the backfill")
        backdated_activity(emulator_app, seller, 6, 6, 230)
        await converge(engine, amazon, seller, connection_id, emulator_app)
        async with create_sessionmaker(engine)() as session:
            jobs = list((await session.execute(select(Job))).scalars())
        counted = [(j.kind, j.status, j.retries, j.throttled_429) for j in jobs]
        assert sum(j.retries for j in jobs) > 0, counted
        assert sum(j.throttled_429 for j in jobs) > 0, counted
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
    product = Product(product_env(served.url), "sync-restarts")
    product.start_worker()
    product.start_scheduler()
    try:
        import app.worker.broker as broker

        monkeypatch.setattr(broker, "_broker", None)
        seller, _, connection_id = await onboard(engine, amazon, ORDERS)
        await asyncio.sleep(2.0)
        redis.stop()  # the queue, delayed messages, locks and limiter buckets are gone
        await asyncio.sleep(1.0)
        redis.start()
        await asyncio.sleep(2.0)
        pg.stop()
        await asyncio.sleep(1.0)
        pg.start()
        await engine.dispose()
        await converge(engine, amazon, seller, connection_id, emulator_app)
        async with engine.connect() as conn:
            assert (
                await conn.execute(
                    text("SELECT count(*) FROM jobs WHERE kind = 'backfill' AND status = 'done'")
                )
            ).scalar_one() >= 50
    finally:
        product.stop()
        await engine.dispose()
        monkeypatch.undo()
        reset_settings_cache()
        monkeypatch.setattr(broker, "_broker", None)
