"""ORDER_CHANGE notifications end to end with the product's processes: a real worker and
`spapi-saas notifications` consuming a local SQS (moto) that the emulator publishes to.

No scheduler runs, so no delta: the onboarding's subscription job subscribes the seller, then
emulator activity (new orders, status changes) reaches Postgres through notification -> consumer ->
`orders.refresh_order` alone, within seconds, every row equal to Amazon's (`tests.sync.truth`), and
the consumer leaves the queue empty.
"""

from __future__ import annotations

import boto3
import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker, unit_of_work
from app.notifications.models import NotificationSubscription
from app.notifications.tasks import SUBSCRIBE_ACTOR
from app.orders.models import Order
from app.settings import get_settings
from app.sync.models import Job
from app.worker.broker import setup_broker
from app.worker.enqueue import enqueue_job
from tests.amazon.support import LoopbackEmulator, self_authorize
from tests.sync.procs import Product, eventually, product_env
from tests.sync.support import CA, US, create_seller, make_connection
from tests.sync.truth import assert_every_row_equal

pytestmark = pytest.mark.usefixtures("clean_state")


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=9, demo=True, demo_orders=10)


async def test_order_changes_arrive_by_notification(
    engine: AsyncEngine,
    served: LoopbackEmulator,
    amazon: httpx.AsyncClient,
    sqs_endpoint: str,
    queue_url: str,
) -> None:
    seller = await create_seller(amazon, 40, [US, CA], seed=3, months=1)
    tenant_id, connection_id = await make_connection(
        engine,
        seller_id=seller,
        marketplaces=[US, CA],
        refresh_token=await self_authorize(amazon, seller),
        encryption_keys=get_settings().security.encryption_keys,
    )
    env = product_env(
        served.url,
        NOTIFICATIONS_SQS_QUEUE_URL=queue_url,
        AWS_ENDPOINT_URL=sqs_endpoint,
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
        AWS_DEFAULT_REGION="us-east-1",
    )
    product = Product(env, "notifications-e2e")
    product.start_worker()
    product.start_notifications()
    sessionmaker = create_sessionmaker(engine)
    try:
        setup_broker()
        async with unit_of_work(sessionmaker) as session:  # what onboarding enqueues
            enqueue_job(session, SUBSCRIBE_ACTOR, connection_id=str(connection_id), tenant_id=str(tenant_id))

        async def subscribed() -> bool:
            async with sessionmaker() as session:
                row = await session.scalar(select(NotificationSubscription))
            return row is not None and row.status == "active" and row.subscription_id is not None

        await eventually(subscribed, 30, "the ORDER_CHANGE subscription")

        answer = await amazon.post(
            f"/_emulator/sellers/{seller}/activity", json={"new_orders": 3, "updates": 4}
        )
        assert answer.status_code == 200, answer.text
        changed: list[str] = answer.json()["created"] + answer.json()["updated"]

        async def refreshed() -> bool:
            async with sessionmaker() as session:
                rows = (await session.scalars(select(Order).where(Order.amazon_order_id.in_(changed)))).all()
            return len(rows) == len(changed)

        # Amazon hides the last two minutes from order searches: only the notification path can
        # have brought these orders in.
        await eventually(refreshed, 30, "the changed orders to arrive by notification")
        async with sessionmaker() as session:
            rows = {
                o.amazon_order_id: o
                for o in (
                    await session.scalars(select(Order).where(Order.amazon_order_id.in_(changed)))
                ).all()
            }
            jobs = list((await session.scalars(select(Job))).all())
        for row in rows.values():
            assert (row.tenant_id, row.connection_id, row.source) == (tenant_id, connection_id, "api")
        # No sync run wrote them (whatever ran is named, to tell a flake's cause).
        assert jobs == [], [(j.type, j.kind, j.marketplace_id, j.status, j.error) for j in jobs]
        # Every row PostgreSQL holds (exactly the changed orders) equals Amazon's, field by field and
        # line by line.
        [compared] = await assert_every_row_equal(engine, amazon, [seller], order_ids=changed, within=30)
        assert compared.orders == len(changed) == 7

        sqs = boto3.client("sqs", endpoint_url=sqs_endpoint, region_name="us-east-1")

        async def drained() -> bool:
            attributes = sqs.get_queue_attributes(
                QueueUrl=queue_url,
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            return attributes == {
                "ApproximateNumberOfMessages": "0",
                "ApproximateNumberOfMessagesNotVisible": "0",
            }

        await eventually(drained, 20, "the queue to be empty")
    finally:
        product.stop()
