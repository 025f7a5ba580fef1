"""ORDER_CHANGE faster than getOrder's plan: coalesced into one delta (`app.orders.coalesce`), with
the product's processes (worker, scheduler, notifications consumer) against an emulator served from
this process and a local SQS (moto).

The connection's orders row is in the delta regime with its next delta a day away, so a delta
runs only when the product asks for one. A few changes: one getOrder each, no delta. Then a burst
of changes at once (stamped three minutes ago, so a delta can see them: Amazon hides the last two
minutes from order searches): the first ORDER_REFRESH_COALESCE_AFTER are refreshed by getOrder,
the rest are coalesced into exactly one delta, no getOrder call is throttled, and every changed
order in PostgreSQL equals Amazon's afterwards.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker, unit_of_work
from app.notifications.models import NotificationSubscription
from app.notifications.tasks import SUBSCRIBE_ACTOR
from app.orders.models import Order
from app.settings import get_settings
from app.sync.models import Job, SyncState
from app.worker.broker import setup_broker
from app.worker.enqueue import enqueue_job
from tests.amazon.support import LoopbackEmulator, request_log, self_authorize
from tests.sync.procs import Product, emulator_client, eventually, json_log, product_env
from tests.sync.support import US, create_seller, make_connection
from tests.sync.truth import assert_every_row_equal

pytestmark = pytest.mark.usefixtures("clean_state")

BURST = 60


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=11, demo=True, demo_orders=10)


@pytest.fixture
def served(emulator_app: Any) -> Iterator[LoopbackEmulator]:
    server = LoopbackEmulator(emulator_app).start()
    yield server
    server.stop()


def burst_three_minutes_ago(emulator_app: Any, seller: str, updates: int, exclude: list[str]) -> list[str]:
    """`updates` status changes stamped three minutes ago, each published as ORDER_CHANGE, none on
    an order of `exclude` (on a loaded machine the earlier changes may be more than three minutes
    old by then, and their orders open to be moved again)."""
    from amazon_emulator.data.activity import add_activity
    from amazon_emulator.seeding import factories

    state = emulator_app.state.emulator
    now = time.time()
    answer = add_activity(
        state.seller(seller),
        factories(state)[seller],
        0,
        updates,
        now - 180,
        state.events,
        visible_until=now,
        exclude=exclude,
    )
    return answer["updated"]


async def get_order_calls(amazon: httpx.AsyncClient, order_ids: list[str]) -> list[str]:
    """The order id of every getOrder call Amazon answered for one of `order_ids`."""
    called = [e["path"].rsplit("/", 1)[-1] for e in await request_log(amazon, operation="getOrder")]
    return [order_id for order_id in called if order_id in set(order_ids)]


async def test_a_burst_beyond_get_orders_plan_is_coalesced_into_one_delta(
    engine: AsyncEngine, served: LoopbackEmulator, emulator_app: Any, sqs_endpoint: str, queue_url: str
) -> None:
    async with emulator_client(served.url) as amazon:
        await coalescing_run(engine, served, emulator_app, amazon, sqs_endpoint, queue_url)


async def coalescing_run(
    engine: AsyncEngine,
    served: LoopbackEmulator,
    emulator_app: Any,
    amazon: httpx.AsyncClient,
    sqs_endpoint: str,
    queue_url: str,
) -> None:
    # Orders enough for a burst of BURST different ones (a shipped order is touched: its
    # LastUpdateDate moves), few enough that hardly any changes by itself meanwhile.
    seller = await create_seller(amazon, 100, [US], seed=5, months=1)
    tenant_id, connection_id = await make_connection(
        engine,
        seller_id=seller,
        marketplaces=[US],
        refresh_token=await self_authorize(amazon, seller),
        encryption_keys=get_settings().security.encryption_keys,
    )
    sessionmaker = create_sessionmaker(engine)
    now = datetime.now(UTC)
    async with unit_of_work(sessionmaker) as session:  # backfill done; the next delta a day away
        await session.execute(
            update(SyncState)
            .where(SyncState.connection_id == connection_id)
            .values(
                backfill_from=now - timedelta(days=730),
                backfill_to=now - timedelta(days=40),
                backfill_done_until=now - timedelta(days=40),
                backfill_started_at=now,
                backfill_completed_at=now,
                last_updated_after=now - timedelta(minutes=10),
                next_run_at=now + timedelta(days=1),
                extra={
                    "last_delta_at": now.isoformat(),
                    "next_delta_at": (now + timedelta(days=1)).isoformat(),
                },
            )
        )
    threshold = get_settings().notifications.order_refresh_coalesce_after
    assert threshold < BURST
    env = product_env(
        served.url,
        NOTIFICATIONS_SQS_QUEUE_URL=queue_url,
        AWS_ENDPOINT_URL=sqs_endpoint,
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
        AWS_DEFAULT_REGION="us-east-1",
        DELTA_SYNC_INTERVAL_MINUTES="1440",
        LOG_FORMAT="json",
    )
    product = Product(env, "notifications-coalescing")
    log_path = product.log_path("notifications")
    log_path.unlink(missing_ok=True)  # lines of this run only

    def order_changes_consumed() -> int:
        return sum(line["event"] == "notification.order_change" for line in json_log(log_path))

    product.start_worker()
    product.start_scheduler()
    product.start_notifications()
    try:
        setup_broker()
        async with unit_of_work(sessionmaker) as session:  # what onboarding enqueues
            enqueue_job(session, SUBSCRIBE_ACTOR, connection_id=str(connection_id), tenant_id=str(tenant_id))

        async def subscribed() -> bool:
            async with sessionmaker() as session:
                row = await session.scalar(select(NotificationSubscription))
            return row is not None and row.status == "active"

        await eventually(subscribed, 120, "the ORDER_CHANGE subscription")
        await amazon.delete("/_emulator/requests")

        # (1) Below the threshold: each change is one getOrder, no delta.
        answer = await amazon.post(f"/_emulator/sellers/{seller}/activity", json={"updates": 3})
        few: list[str] = answer.json()["updated"]
        assert len(few) == 3

        async def stored(order_ids: list[str]) -> bool:
            async with sessionmaker() as session:
                found = await session.scalars(
                    select(Order.amazon_order_id).where(Order.amazon_order_id.in_(order_ids))
                )
                return len(set(found.all())) == len(order_ids)

        await eventually(lambda: stored(few), 120, "the few changes to arrive by getOrder")
        assert sorted(await get_order_calls(amazon, few)) == sorted(few)
        await assert_every_row_equal(engine, amazon, [seller], order_ids=few, within=120)

        # (2) A burst beyond getOrder's plan: a bounded number of getOrder calls and one delta. The
        # worker is down while the consumer takes the burst in (as a worker busy with the
        # seller's first refreshes would be), so which changes are coalesced does not depend on
        # how fast it picks up jobs.
        product.stop_worker()
        before = order_changes_consumed()
        burst = burst_three_minutes_ago(emulator_app, seller, BURST, exclude=few)
        assert len(burst) == BURST and not set(burst) & set(few)

        async def consumed() -> bool:
            return order_changes_consumed() == before + BURST

        await eventually(consumed, 240, "the consumer to take the burst in")
        product.start_worker()
        await eventually(lambda: stored(burst), 300, "the burst to arrive (getOrder, then one delta)")
        # Every order PostgreSQL holds (the changed ones, and any the delta read besides) equals
        # Amazon's, field by field and line by line.
        async with sessionmaker() as session:
            held = set((await session.scalars(select(Order.amazon_order_id))).all())
        assert set(burst) | set(few) <= held
        await assert_every_row_equal(engine, amazon, [seller], order_ids=held, within=120)
        # At most the refreshes enqueued before coalescing began (those that had not called
        # getOrder by then leave their change to the delta too).
        assert len(await get_order_calls(amazon, burst)) <= threshold
        async with sessionmaker() as session:
            deltas = list((await session.scalars(select(Job).where(Job.kind == "delta"))).all())
        assert [(d.connection_id, d.status) for d in deltas] == [(connection_id, "done")]
        assert deltas[0].window_end is not None and deltas[0].window_end >= now - timedelta(minutes=3)

        # (3) No 429 pile-up: Amazon throttled no Orders call (getOrder, getOrderItems, searchOrders).
        orders_calls = [e for e in await request_log(amazon) if e["path"].startswith("/orders/")]
        assert orders_calls and [e for e in orders_calls if e["status"] == 429] == []

        # The consumer said so: one coalescing line for the burst, its counts in it.
        async def coalesced_logged() -> bool:
            return any(
                line["event"] == "orders.refresh_coalesced"
                for line in json_log(product.log_path("notifications"))
            )

        await eventually(coalesced_logged, 60, "the orders.refresh_coalesced line")
        [line] = [
            line
            for line in json_log(product.log_path("notifications"))
            if line["event"] == "orders.refresh_coalesced"
        ]
        assert (line["connection_id"], line["marketplace_id"]) == (str(connection_id), US)
        assert (line["waiting_for_get_order"], line["coalesced"]) == (threshold, 1)
    finally:
        product.stop()
