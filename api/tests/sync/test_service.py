"""The sync engine against the emulator in-process: backfill + delta reproduce the truth exactly,
rerunning a window changes nothing, throttled runs park and resume, every run is a jobs row."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.amazon_http import AmazonTransport
from app.settings import Settings
from app.spapi import SpApiClient
from app.sync.models import Job, SyncState
from app.sync.observe import install
from app.tokens.cache import AccessTokenCache
from app.tokens.repository import ConnectionRef, MemoryTokenStore
from app.tokens.service import TokenManager
from tests.amazon.support import self_authorize
from tests.sync.support import (
    CA,
    US,
    EngineRuns,
    comparable,
    create_seller,
    documents_only,
    make_connection,
    ours,
    truth,
)
from tests.sync.truth import assert_every_row_equal

pytestmark = pytest.mark.usefixtures("clean_state")


SCALE = 20000.0


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=3, demo=True, demo_orders=10, time_scale=SCALE)


class Harness(EngineRuns):
    """The engine's runs with the SP-API clients of the test's sellers."""

    def __init__(
        self, engine: AsyncEngine, settings: Settings, manager: TokenManager, refs: dict[str, ConnectionRef]
    ):
        super().__init__(engine, settings)
        self.manager = manager
        self.refs = refs

    async def client(self, provider: str, connection_id: str) -> SpApiClient:
        assert provider == "amazon_sp"
        return self.manager.spapi_client(self.refs[connection_id], max_wait_s=0.0)

    async def rewind_backfill(self) -> None:
        """Every row's backfill from its start again, due now."""
        from sqlalchemy import update

        async with self.uow() as session:
            await session.execute(
                update(SyncState).values(
                    backfill_done_until=None, backfill_completed_at=None, next_run_at=SyncState.created_at
                )
            )

    async def until_backfilled(self, rounds: int = 400) -> None:
        import asyncio

        for _ in range(rounds):
            for message in await self.dispatch():
                await self.run(message)
            async with self.sessionmaker() as session:
                states = list((await session.execute(select(SyncState))).scalars())
            if states and all(s.backfill_completed_at is not None for s in states):
                return
            await asyncio.sleep(0.01)
        raise AssertionError("the backfill did not complete")


async def connected_harness(
    engine: AsyncEngine,
    emulator_http: httpx.AsyncClient,
    settings: Settings,
    redis_client: aioredis.Redis,
    transport: AmazonTransport,
    *,
    orders: int,
    marketplaces: list[str],
    seed: int = 11,
) -> tuple[Harness, str, uuid.UUID]:
    """A seller of `orders` orders in `marketplaces` connected as the OAuth callback leaves it, and
    the engine's harness on it, run with `settings`."""
    install(emulator_http)
    seller = await create_seller(emulator_http, orders, marketplaces, seed=seed)
    refresh = await self_authorize(emulator_http, seller)
    tenant_id, connection_id = await make_connection(
        engine,
        seller_id=seller,
        marketplaces=marketplaces,
        refresh_token=refresh,
        encryption_keys=settings.security.encryption_keys,
    )
    ref = ConnectionRef(str(connection_id), str(tenant_id), "amazon_sp", "NA", seller)
    manager = TokenManager(
        settings=settings,
        store=MemoryTokenStore({str(connection_id): refresh}),
        redis=redis_client,
        transport=transport,
        cache=AccessTokenCache(redis_client, settings.security.encryption_keys, prefix=uuid.uuid4().hex[:8]),
    )
    return Harness(engine, settings, manager, {str(connection_id): ref}), seller, connection_id


@pytest.fixture
async def harness(
    engine: AsyncEngine,
    emulator_http: httpx.AsyncClient,
    amazon_settings: Settings,
    redis_client: aioredis.Redis,
    transport: AmazonTransport,
) -> tuple[Harness, str, uuid.UUID]:
    # These tests are about the document path (reports, their lines meeting the API's): no plan.
    return await connected_harness(
        engine,
        emulator_http,
        documents_only(amazon_settings),
        redis_client,
        transport,
        orders=400,
        marketplaces=[US, CA],
    )


async def test_backfill_and_delta_reproduce_the_truth(
    harness: tuple[Harness, str, uuid.UUID], emulator_http: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    h, seller, connection_id = harness
    await h.until_backfilled()
    assert await ours(engine, connection_id) == comparable(await truth(emulator_http, seller))
    await assert_every_row_equal(engine, emulator_http, [seller])

    async with h.sessionmaker() as session:
        jobs = list((await session.execute(select(Job).order_by(Job.created_at))).scalars())
    backfills = [j for j in jobs if j.kind == "backfill"]
    assert len(backfills) == 2 * 25
    assert all(j.status == "done" and j.window_start and j.window_end for j in backfills)
    assert sum(j.orders_inserted for j in backfills) == (await truth(emulator_http, seller))["total_orders"]
    assert all(j.request_ids for j in backfills)
    assert sum(j.items for j in backfills) > 0


async def test_rerunning_a_window_changes_nothing(
    harness: tuple[Harness, str, uuid.UUID], engine: AsyncEngine
) -> None:
    h, _, connection_id = harness
    await h.until_backfilled()
    before = await ours(engine, connection_id)
    # Rewind every row's backfill and run it all again.
    await h.rewind_backfill()
    await h.until_backfilled()
    async with h.sessionmaker() as session:
        again = list((await session.execute(select(Job).where(Job.kind == "backfill"))).scalars())
    second = sorted(again, key=lambda j: j.created_at)[50:]
    assert len(second) == 50
    assert sum(j.orders_inserted + j.orders_updated for j in second) == 0
    assert await ours(engine, connection_id) == before


async def test_job_rows_count_what_a_rerun_left_unchanged(
    harness: tuple[Harness, str, uuid.UUID], emulator_http: httpx.AsyncClient
) -> None:
    """Every window's job row says how many orders it found already stored as they are."""
    h, seller, _ = harness
    await h.until_backfilled()
    await h.rewind_backfill()
    await h.until_backfilled()
    async with h.sessionmaker() as session:
        jobs = list((await session.execute(select(Job).where(Job.kind == "backfill"))).scalars())
        deltas = list((await session.execute(select(Job).where(Job.kind == "delta"))).scalars())
    first, second = (
        sorted(jobs, key=lambda j: j.created_at)[:50],
        sorted(jobs, key=lambda j: j.created_at)[50:],
    )
    assert all(j.result is not None for j in jobs)
    # The first pass finds unchanged only what the onboarding's delta stored before it: an order
    # changed in the delta's overlap before the backfill's end is read by both (now and then).
    assert sum(j.result["unchanged"] for j in first if j.result) <= sum(j.orders_seen for j in deltas)
    total = (await truth(emulator_http, seller))["total_orders"]
    assert (
        sum(j.result["unchanged"] for j in second if j.result) == sum(j.orders_seen for j in second) == total
    )


def backdated_activity(
    app: Any, seller: str, new_orders: int, updates: int, seconds_ago: float
) -> dict[str, list[str]]:
    """Emulator activity stamped `seconds_ago` (Amazon hides the last 2 minutes from every query)."""
    import time

    from amazon_emulator.data.activity import add_activity
    from amazon_emulator.seeding import factories

    state = app.state.emulator
    return add_activity(
        state.seller(seller), factories(state)[seller], new_orders, updates, time.time() - seconds_ago, None
    )


async def test_delta_brings_new_orders_and_refreshes_pending_ones(
    harness: tuple[Harness, str, uuid.UUID],
    emulator_http: httpx.AsyncClient,
    engine: AsyncEngine,
    emulator_app: Any,
) -> None:
    from app.orders.models import Order
    from app.sync.service import request_delta

    h, seller, connection_id = harness
    await h.until_backfilled()
    async with h.sessionmaker() as session:
        # The first deltas ran before the backfill and may have met seeded orders of the last
        # minutes: only the forced deltas below are counted.
        earlier = set((await session.execute(select(Job.id).where(Job.kind == "delta"))).scalars())
    created = backdated_activity(emulator_app, seller, 5, 0, 260)["created"]

    async def delta_now() -> None:
        async with h.uow() as session:
            await request_delta(
                session,
                (await session.get(SyncState, (await _any_state(session)).id)).tenant_id,
                connection_id,
            )  # type: ignore[union-attr]
        for message in await h.dispatch():
            await h.run(message)

    await delta_now()
    assert await ours(engine, connection_id) == comparable(await truth(emulator_http, seller))
    async with h.sessionmaker() as session:
        pending = list(
            (await session.execute(select(Order).where(Order.amazon_order_id.in_(created)))).scalars()
        )
    assert len(pending) == 5 and all(o.order_status == "PENDING" and o.order_total is None for o in pending)

    updated = backdated_activity(emulator_app, seller, 0, 5, 200)["updated"]
    assert set(updated) == set(created)
    await delta_now()
    assert await ours(engine, connection_id) == comparable(await truth(emulator_http, seller))
    await assert_every_row_equal(engine, emulator_http, [seller])
    async with h.sessionmaker() as session:
        paid = list(
            (await session.execute(select(Order).where(Order.amazon_order_id.in_(created)))).scalars()
        )
        deltas = list((await session.execute(select(Job).where(Job.kind == "delta"))).scalars())
    assert all(o.order_status == "UNSHIPPED" and o.order_total is not None for o in paid)
    # One delta per row before its backfill, then two forced ones per row.
    assert len(deltas) == 6 and all(j.status == "done" and j.request_ids for j in deltas)
    forced = [j for j in deltas if j.id not in earlier]
    assert len(forced) == 4
    assert sum(j.orders_inserted for j in forced) == 5
    assert sum(j.orders_updated for j in forced) == 5
    async with h.sessionmaker() as session:
        states = list((await session.execute(select(SyncState))).scalars())
    assert all(s.last_updated_after is not None and s.extra.get("delta") is None for s in states)
    # A forced delta starts a new cadence: the next one is due one interval after it started.
    interval = timedelta(minutes=h.settings.sync.delta_sync_interval_minutes)
    for state in states:
        slot = datetime.fromisoformat(state.extra["next_delta_at"])
        ran = datetime.fromisoformat(state.extra["last_delta_at"])
        assert ran - timedelta(seconds=10) < slot - interval <= ran


async def _any_state(session: AsyncSession) -> SyncState:
    return (await session.execute(select(SyncState).limit(1))).scalars().one()


async def test_report_lines_and_api_items_meet_on_one_line(
    harness: tuple[Harness, str, uuid.UUID], emulator_http: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    """Item matching, measured: the backfill by reports, then the same history read again through the
    Orders API: every API item lands on the line its report line made (no second line), and gains
    its OrderItemId."""
    from sqlalchemy import func, update

    from app.orders.models import OrderItem

    h, seller, connection_id = harness
    await h.until_backfilled()
    async with h.sessionmaker() as session:
        lines_after_reports = (
            await session.execute(select(func.count()).select_from(OrderItem))
        ).scalar_one()
        with_ids = (
            await session.execute(select(func.count()).where(OrderItem.order_item_id.is_not(None)))
        ).scalar_one()
    assert with_ids < lines_after_reports  # report lines carry no OrderItemId
    async with h.uow() as session:
        await session.execute(
            update(SyncState).values(
                backfill_done_until=None,
                backfill_completed_at=None,
                next_run_at=SyncState.created_at,
                extra={"reports": "unavailable"},
            )
        )
    await h.until_backfilled()
    async with h.sessionmaker() as session:
        lines_after_api = (await session.execute(select(func.count()).select_from(OrderItem))).scalar_one()
        missing_ids = (
            await session.execute(select(func.count()).where(OrderItem.order_item_id.is_(None)))
        ).scalar_one()
        api_jobs = list(
            (
                await session.execute(
                    select(Job).where(Job.kind == "backfill", Job.payload["path"].astext == "api")
                )
            ).scalars()
        )
    assert len(api_jobs) == 50
    assert lines_after_api == lines_after_reports
    assert missing_ids == 0
    assert await ours(engine, connection_id) == comparable(await truth(emulator_http, seller))
    await assert_every_row_equal(engine, emulator_http, [seller])


async def test_the_sync_never_asks_for_pii(
    harness: tuple[Harness, str, uuid.UUID], emulator_http: httpx.AsyncClient
) -> None:
    from tests.amazon.support import request_log

    h, _, _ = harness
    await h.until_backfilled()
    entries = await request_log(emulator_http, limit=5000)
    searches = [e for e in entries if e.get("operation") == "orders2026.searchOrders"]
    assert searches
    for entry in entries:
        text = str(entry.get("query") or "")
        assert "BUYER" not in text and "RECIPIENT" not in text, entry
        assert entry.get("token_kind") != "rdt", entry
        assert not str(entry.get("path", "")).endswith(("/address", "/buyerInfo"))


async def test_a_report_that_is_gone_is_requested_again(
    harness: tuple[Harness, str, uuid.UUID],
    emulator_http: httpx.AsyncClient,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Amazon keeps reports for a while only (and a restarted emulator forgets them): a report id
    that answers 404 is dropped and its window requested again, instead of failing forever."""
    from app.amazon_http.errors import NotFound
    from app.spapi.operations.reports import ReportsApi

    original = ReportsApi.status
    gone: list[str] = []

    async def forgetful(self: ReportsApi, job_id: str) -> Any:
        if len(gone) < 3 and job_id not in gone:
            gone.append(job_id)
            raise NotFound("reports.getReport failed with HTTP 404 (NotFound)")
        return await original(self, job_id)

    monkeypatch.setattr(ReportsApi, "status", forgetful)
    h, seller, _ = harness
    await h.until_backfilled()
    assert len(gone) == 3
    assert not [o for o in h.outcomes if o.kind == "error"]
    await assert_every_row_equal(engine, emulator_http, [seller])


async def test_orders_api_v0_backfills_and_deltas_to_the_same_truth(
    harness: tuple[Harness, str, uuid.UUID],
    emulator_http: httpx.AsyncClient,
    engine: AsyncEngine,
    emulator_app: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same engine and dataset over Orders v0 (getOrders, then getOrderItems per order): the API
    path of every window, then a delta, store what 2026-01-01 stores."""
    from sqlalchemy import update

    from app.sync.service import request_delta

    h, seller, connection_id = harness

    async def v0_client(provider: str, connection_id: str) -> SpApiClient:
        return h.manager.spapi_client(h.refs[connection_id], max_wait_s=0.0, orders_api_version="v0")

    monkeypatch.setattr(h, "client", v0_client)
    async with h.uow() as session:
        await session.execute(update(SyncState).values(extra={"reports": "unavailable"}))
    await h.until_backfilled()
    assert await ours(engine, connection_id) == comparable(await truth(emulator_http, seller))
    await assert_every_row_equal(engine, emulator_http, [seller])
    backdated_activity(emulator_app, seller, 3, 0, 260)
    async with h.uow() as session:
        tenant_id = (await _any_state(session)).tenant_id
        await request_delta(session, tenant_id, connection_id)
    for message in await h.dispatch():
        await h.run(message)
    assert await ours(engine, connection_id) == comparable(await truth(emulator_http, seller))
    async with h.sessionmaker() as session:
        jobs = list((await session.execute(select(Job))).scalars())
    assert {j.payload.get("orders_api_version") for j in jobs} == {"v0"}
    assert {j.payload.get("path") for j in jobs if j.kind == "backfill"} == {"api"}
