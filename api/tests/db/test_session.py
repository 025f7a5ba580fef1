"""The application's engine and units of work: sessions in UTC whatever the server's TimeZone, an
operator's own connection options kept, and read-only units without a transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.ads.endpoints import list_campaigns, list_products, timeseries
from app.db.dependencies import SessionDep, reads_only, reads_with_kept_plans
from app.db.session import (
    create_engine,
    create_read_sessionmaker,
    create_sessionmaker,
    psycopg_connection,
    read_only_unit,
    unit_of_work,
)
from app.main import create_app
from app.orders.endpoints import get_order, list_orders
from app.settings import DatabaseSettings, get_settings
from app.tenants.models import Tenant
from app.worker.enqueue import buffered_jobs, enqueue_job


async def test_sessions_run_in_utc_and_timestamps_come_back_in_utc() -> None:
    settings = get_settings()
    engine = create_engine(settings, pool_size=1)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SHOW TimeZone"))).scalar_one() == "UTC"
            moment = (await conn.execute(text("SELECT timestamptz '2025-03-01 12:00:00+02'"))).scalar_one()
    finally:
        await engine.dispose()
    # timezone.utc itself (psycopg's fast path), not a zoneinfo zone that happens to be UTC.
    assert moment.tzinfo is UTC
    assert moment == datetime(2025, 3, 1, 10, tzinfo=UTC)


async def test_options_in_the_operators_url_are_kept() -> None:
    settings = get_settings()
    url = settings.db.sqlalchemy_url
    own = f"{url}{'&' if '?' in url else '?'}options=-c%20statement_timeout%3D4321"
    engine = create_engine(
        settings.model_copy(update={"db": DatabaseSettings(database_url=own)}), pool_size=1
    )
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SHOW statement_timeout"))).scalar_one() == "4321ms"
    finally:
        await engine.dispose()


_SECOND_STATEMENT_STARTS_ITS_OWN_TRANSACTION = text("SELECT statement_timestamp() = transaction_timestamp()")


async def _own_transaction_per_statement(session: AsyncSession) -> bool:
    await session.execute(text("SELECT pg_sleep(0.01)"))
    return bool((await session.execute(_SECOND_STATEMENT_STARTS_ITS_OWN_TRANSACTION)).scalar_one())


async def test_a_read_only_unit_runs_without_a_transaction_and_refuses_changes_and_jobs() -> None:
    engine = create_engine(get_settings(), pool_size=1)
    try:
        async with read_only_unit(create_read_sessionmaker(engine)) as session:
            assert await _own_transaction_per_statement(session)
        # The same pool's connection is back in a transaction for the next unit of work.
        async with unit_of_work(create_sessionmaker(engine)) as session:
            assert not await _own_transaction_per_statement(session)
        with pytest.raises(RuntimeError, match="unsaved changes"):
            async with read_only_unit(create_read_sessionmaker(engine)) as session:
                session.add(Tenant(name="never stored", slug=f"never-{uuid.uuid4().hex[:8]}"))
        # A job enqueued there would never be sent (there is no commit to send it after).
        with pytest.raises(RuntimeError, match="enqueued a job"):
            async with read_only_unit(create_read_sessionmaker(engine)) as session:
                enqueue_job(session, "sync_connection", connection_id=str(uuid.uuid4()))
        assert buffered_jobs(session) == []
    finally:
        await engine.dispose()


async def test_only_endpoints_marked_reads_only_get_a_session_without_a_transaction() -> None:
    probes = APIRouter()

    @probes.get("/probe/reads")
    @reads_only
    async def marked(session: SessionDep) -> bool:
        return await _own_transaction_per_statement(session)

    @probes.get("/probe/default")
    async def unmarked(session: SessionDep) -> bool:
        return await _own_transaction_per_statement(session)

    app = create_app(get_settings())
    # Ahead of the panel, which answers every path it is reached with.
    app.router.routes[0:0] = probes.routes
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            assert (await http.get("/probe/reads")).json() is True
            assert (await http.get("/probe/default")).json() is False
    # The orders list and an order's detail only read.
    assert getattr(list_orders, "__reads_only__", False) and getattr(get_order, "__reads_only__", False)


async def test_endpoints_reading_with_kept_plans_plan_a_prepared_statement_once() -> None:
    probes = APIRouter()

    @probes.get("/probe/kept-plans")
    @reads_with_kept_plans
    async def marked(session: SessionDep) -> dict[str, object]:
        connection = await psycopg_connection(session)
        before = await (await connection.execute("SELECT count(*) FROM pg_prepared_statements")).fetchone()
        # Not asked to prepare: run as before, however often.
        for _ in range(6):
            await connection.execute("SELECT count(*) FROM tenants WHERE slug = %s", ("none",))
        for _ in range(3):
            await connection.execute("SELECT count(*) FROM tenants WHERE name = %s", ("none",), prepare=True)
        plans = await (
            await connection.execute(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                " WHERE statement LIKE 'SELECT count(*) FROM tenants WHERE name = $1'"
            )
        ).fetchall()
        after = await (await connection.execute("SELECT count(*) FROM pg_prepared_statements")).fetchone()
        mode = await (await connection.execute("SHOW plan_cache_mode")).fetchone()
        return {
            "own_transaction": await _own_transaction_per_statement(session),
            "mode": mode[0] if mode else None,
            "plans": [list(row) for row in plans],
            "prepared": (after[0] if after else 0) - (before[0] if before else 0),
        }

    app = create_app(get_settings())
    app.router.routes[0:0] = probes.routes
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            found = (await http.get("/probe/kept-plans")).json()
    assert found["own_transaction"] is True
    assert found["mode"] == "force_generic_plan"
    # One generic plan, used by all three executions; nothing else prepared.
    assert found["plans"] == [[3, 0]]
    assert found["prepared"] == 1
    # The Ads figures endpoints read this way.
    for endpoint in (list_products, timeseries, list_campaigns):
        assert getattr(endpoint, "__reads_only__", False) == "kept_plans"
