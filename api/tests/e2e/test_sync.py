"""The sync engine end to end: a real worker process and the scheduler, an emulator with a scaled
clock, a seller with a few thousand orders over 24 months in two marketplaces.

Onboarding enqueues `sync.connection_onboarded`; nothing else is done by the test until every order
and item line in Postgres equals the emulator's truth field by field (`tests.sync.truth`), with one
done job row per backfill window; then emulator activity (new orders, status changes) appears after
the next delta, every row is compared again and the deltas' job rows form one chain (no window run
twice).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker, unit_of_work
from app.orders.models import Order, OrderItem
from app.settings import get_settings
from app.sync.models import Job, SyncState
from app.worker.broker import setup_broker
from app.worker.enqueue import enqueue_job
from tests.amazon.support import LoopbackEmulator, self_authorize
from tests.sync.job_rows import assert_delta_windows_chained, assert_each_backfill_window_once
from tests.sync.procs import CHANGE_VISIBLE_WITHIN_S, Product, backdated_activity, eventually, product_env
from tests.sync.support import CA, US, create_seller, make_connection
from tests.sync.truth import assert_every_row_equal

pytestmark = pytest.mark.usefixtures("clean_state")

SCALE = 1000.0
ORDERS = 3000


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=5, demo=True, demo_orders=10, time_scale=SCALE)


async def onboard(engine: AsyncEngine, amazon: httpx.AsyncClient, orders: int) -> tuple[str, Any, Any]:
    seller = await create_seller(amazon, orders, [US, CA], seed=21)
    refresh = await self_authorize(amazon, seller)
    tenant_id, connection_id = await make_connection(
        engine,
        seller_id=seller,
        marketplaces=[US, CA],
        refresh_token=refresh,
        encryption_keys=get_settings().security.encryption_keys,
    )
    setup_broker()
    async with unit_of_work(create_sessionmaker(engine)) as session:
        enqueue_job(
            session, "sync.connection_onboarded", connection_id=str(connection_id), tenant_id=str(tenant_id)
        )
    return seller, tenant_id, connection_id


async def backfilled(engine: AsyncEngine) -> bool:
    async with create_sessionmaker(engine)() as session:
        states = list((await session.execute(select(SyncState))).scalars())
    return bool(states) and all(s.backfill_completed_at is not None for s in states)


async def no_duplicates(engine: AsyncEngine) -> None:
    async with create_sessionmaker(engine)() as session:
        orders, distinct = (
            await session.execute(select(func.count(), func.count(func.distinct(Order.amazon_order_id))))
        ).one()
        assert orders == distinct
        lines, distinct_lines = (
            await session.execute(
                select(
                    func.count(),
                    func.count(func.distinct(func.concat(OrderItem.order_id, "/", OrderItem.line_key))),
                )
            )
        ).one()
        assert lines == distinct_lines


async def test_onboarded_seller_syncs_by_itself(
    engine: AsyncEngine, served: LoopbackEmulator, amazon: httpx.AsyncClient, emulator_app: Any
) -> None:
    product = Product(product_env(served.url), "sync-e2e")
    product.start_worker()
    product.start_scheduler()
    try:
        seller, _, connection_id = await onboard(engine, amazon, ORDERS)

        await eventually(lambda: backfilled(engine), 150, "the backfill")
        await assert_each_backfill_window_once(engine, connection_id, windows=50)
        [compared] = await assert_every_row_equal(engine, amazon, [seller], within=CHANGE_VISIBLE_WITHIN_S)
        assert compared.orders >= ORDERS * 0.95  # a few are older than Amazon's 730 days

        # Activity: new orders and status changes appear after the next delta.
        created = backdated_activity(emulator_app, seller, 12, 0, 250)["created"]
        updated = backdated_activity(emulator_app, seller, 0, 20, 200)["updated"]
        await assert_every_row_equal(engine, amazon, [seller], within=CHANGE_VISIBLE_WITHIN_S)
        await no_duplicates(engine)
        async with create_sessionmaker(engine)() as session:
            got = set(
                (
                    await session.execute(
                        select(Order.amazon_order_id).where(Order.amazon_order_id.in_(created + updated))
                    )
                ).scalars()
            )
            jobs = list((await session.execute(select(Job))).scalars())
        assert got == set(created) | set(updated)
        deltas = [j for j in jobs if j.kind == "delta" and j.status == "done"]
        assert deltas and any(j.orders_inserted for j in deltas) and any(j.orders_updated for j in deltas)
        assert all(j.request_ids for j in deltas if j.pages)
        # Exactly 50 backfill windows, each run once, before and after the deltas; deltas chained.
        await assert_each_backfill_window_once(engine, connection_id, windows=50)
        assert await assert_delta_windows_chained(engine, connection_id) >= len(deltas)
    finally:
        product.stop()
