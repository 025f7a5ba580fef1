"""ORDER_CHANGE end to end through a real SQS protocol: the seller is subscribed (idempotently),
the emulator publishes an order's change to the queue, the consumer routes it to the seller's
connections only, and the targeted refresh writes the order before any delta could see it (Amazon
hides the last two minutes from order searches). Also: the rotated client secret arrives through
the same consumer; unreadable and unknown messages are dropped, not retried forever."""

from __future__ import annotations

import json
from typing import Any

import boto3
import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.amazon_http.lwa import SCOPE_NOTIFICATIONS
from app.db.session import create_sessionmaker, unit_of_work
from app.notifications.consumer import NotificationConsumer
from app.notifications.models import NotificationDestination, NotificationSubscription
from app.notifications.service import subscribe_order_changes
from app.notifications.sqs import queue_arn
from app.notifications.tasks import SUBSCRIBE_ACTOR, subscribe_missing
from app.orders.models import Order
from app.orders.refresh import fetch_order, store_order
from app.orders.tasks import REFRESH_ORDER_ACTOR
from app.settings import NotificationSettings, Settings
from app.spapi.client import SpApiClient
from app.sync.views import sync_status
from app.tokens.models import AppSecret
from app.tokens.service import TokenManager
from tests.amazon.support import DEMO_SELLER_ID, as_row, self_authorize
from tests.sync.support import US, create_seller, make_connection

pytestmark = pytest.mark.usefixtures("clean_state")


@pytest.fixture
def settings(amazon_settings: Settings, queue_url: str, sqs_endpoint: str) -> Settings:
    return amazon_settings.model_copy(
        update={
            "notifications": NotificationSettings(
                notifications_sqs_queue_url=queue_url, aws_endpoint_url=sqs_endpoint
            )
        }
    )


@pytest.fixture
def sent_jobs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    """Jobs the units of work send after committing (the broker itself is tested elsewhere)."""
    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        "app.worker.broker.send_job", lambda name, kwargs, delay_ms=None: sent.append((name, kwargs))
    )
    return sent


async def consume_all(consumer: NotificationConsumer, expected: int) -> list[str]:
    outcomes: list[str] = []
    for _ in range(10):
        outcomes += await consumer.run_once(wait_s=1)
        if len(outcomes) >= expected:
            break
    return outcomes


def queue_depth(settings: Settings) -> int:
    client = boto3.client(
        "sqs", endpoint_url=settings.notifications.aws_endpoint_url, region_name="us-east-1"
    )
    attributes = client.get_queue_attributes(
        QueueUrl=settings.notifications.notifications_sqs_queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


async def test_order_change_refreshes_only_that_sellers_order(
    engine: AsyncEngine,
    queue_url: str,
    emulator_http: httpx.AsyncClient,
    settings: Settings,
    token_manager: TokenManager,
    sp_client: SpApiClient,
    sent_jobs: list[tuple[str, dict[str, Any]]],
) -> None:
    keys = settings.security.encryption_keys
    refresh = await self_authorize(emulator_http)
    tenant_id, connection_id = await make_connection(
        engine, seller_id=DEMO_SELLER_ID, marketplaces=[US], refresh_token=refresh, encryption_keys=keys
    )
    other_seller = await create_seller(emulator_http, 20, [US])
    other_tenant, other_connection = await make_connection(
        engine,
        seller_id=other_seller,
        marketplaces=[US],
        refresh_token=await self_authorize(emulator_http, other_seller),
        encryption_keys=keys,
    )
    sessionmaker = create_sessionmaker(engine)

    async def missing() -> set[str]:
        sent_jobs.clear()
        async with unit_of_work(sessionmaker) as session:
            await subscribe_missing(session)
        return {kwargs["connection_id"] for name, kwargs in sent_jobs if name == SUBSCRIBE_ACTOR}

    # The consumer's start asks for the subscriptions that are missing: both sellers at first.
    assert await missing() == {str(connection_id), str(other_connection)}

    # Subscribing twice (a retried job, a reconnect) keeps one destination and one subscription.
    arn = queue_arn(settings)
    assert arn.startswith("arn:aws:sqs:us-east-1:") and arn.endswith(":" + queue_url.rsplit("/", 1)[1])
    subscription_ids = []
    for _ in range(2):
        async with unit_of_work(sessionmaker) as session:
            subscription_ids.append(
                await subscribe_order_changes(
                    session,
                    tenant_id=tenant_id,
                    connection_id=connection_id,
                    region="NA",
                    queue_arn=arn,
                    application_api=token_manager.grantless_client("NA", SCOPE_NOTIFICATIONS).notifications,
                    seller_api=sp_client.notifications,
                )
            )
    assert subscription_ids[0] == subscription_ids[1]
    async with sessionmaker() as session:
        destinations = list((await session.scalars(select(NotificationDestination))).all())
        subscriptions = list((await session.scalars(select(NotificationSubscription))).all())
    assert [(d.region, d.sqs_arn) for d in destinations] == [("NA", arn)]
    assert [(s.connection_id, s.status, s.subscription_id) for s in subscriptions] == [
        (connection_id, "active", subscription_ids[0])
    ]
    assert await missing() == {str(other_connection)}
    sent_jobs.clear()

    # The panel's sync card says so (GET /api/sync/status); the other tenant sees nothing of it.
    async with sessionmaker() as session:
        mine = await sync_status(session, settings, tenant_id, None)
        theirs = await sync_status(session, settings, other_tenant, None)
    assert [(u.connection_id, u.notification_type, u.status) for u in mine.live_updates] == [
        (connection_id, "ORDER_CHANGE", "active")
    ]
    assert theirs.live_updates == []

    # Activity on both sellers: only the subscribed one publishes.
    for seller in (DEMO_SELLER_ID, other_seller):
        answer = await emulator_http.post(
            f"/_emulator/sellers/{seller}/activity", json={"new_orders": 1, "updates": 2}
        )
        assert answer.status_code == 200, answer.text
        if seller == DEMO_SELLER_ID:
            changed = answer.json()["created"] + answer.json()["updated"]
    assert (await emulator_http.post("/_emulator/notifications/poll")).status_code == 200

    # The connection covers the US only: a change in another marketplace of the seller is for no one.
    in_us = [o for o in changed if as_row(await sp_client.orders.get_order(o))["marketplace_id"] == US]
    assert in_us, "the activity should touch a US order (seeded emulator)"
    consumer = NotificationConsumer(settings, sessionmaker)
    outcomes = await consume_all(consumer, len(changed))
    assert sorted(outcomes) == sorted(
        ["refresh"] * len(in_us) + ["no_connection"] * (len(changed) - len(in_us))
    )
    assert queue_depth(settings) == 0  # handled messages are deleted
    refreshes = [kwargs for name, kwargs in sent_jobs if name == REFRESH_ORDER_ACTOR]
    assert sorted(r["amazon_order_id"] for r in refreshes) == sorted(in_us)
    assert {(r["tenant_id"], r["connection_id"]) for r in refreshes} == {(str(tenant_id), str(connection_id))}
    assert str(other_tenant) not in json.dumps(sent_jobs) and str(other_connection) not in json.dumps(
        sent_jobs
    )

    # The refresh (the body of `orders.refresh_order`) writes what Amazon answers now.
    for job in refreshes:
        mapped = await fetch_order(sp_client, job["amazon_order_id"], tenant_id, connection_id)
        async with unit_of_work(sessionmaker) as session:
            await store_order(session, mapped)
    async with sessionmaker() as session:
        stored = {
            o.amazon_order_id: o
            for o in (await session.scalars(select(Order).where(Order.amazon_order_id.in_(changed)))).all()
        }
    assert sorted(stored) == sorted(in_us)
    for order_id, row in stored.items():
        amazon = as_row(await sp_client.orders.get_order(order_id))
        assert (row.tenant_id, row.connection_id) == (tenant_id, connection_id)
        assert row.order_status == amazon["order_status"]
        assert row.last_update_date == amazon["last_update_date"]
        assert row.ship_city is None or "Jane" not in str(row.raw)  # no PII was requested

    # Refreshing again changes nothing.
    mapped = await fetch_order(sp_client, in_us[0], tenant_id, connection_id)
    async with unit_of_work(sessionmaker) as session:
        counts = await store_order(session, mapped)
    assert (counts.inserted, counts.updated) == (0, 0)


async def test_secret_rotation_and_bad_messages(
    engine: AsyncEngine, settings: Settings, sent_jobs: list[tuple[str, dict[str, Any]]]
) -> None:
    client = boto3.client(
        "sqs", endpoint_url=settings.notifications.aws_endpoint_url, region_name="us-east-1"
    )
    queue = settings.notifications.notifications_sqs_queue_url
    new_secret = {
        "notificationVersion": "1.0",
        "notificationType": "APPLICATION_OAUTH_CLIENT_NEW_SECRET",
        "payloadVersion": "2023-11-30",
        "eventTime": "2026-12-05T10:00:00Z",
        "payload": {
            "applicationOAuthClientNewSecret": {
                "clientId": settings.spapi.lwa_client_id,
                "newClientSecret": "amzn1.oa2-cs.v1.rotated-secret",
                "newClientSecretExpiryTime": "2027-06-01T00:00:00Z",
                "oldClientSecretExpiryTime": "2026-12-12T00:00:00Z",
            }
        },
        "notificationMetadata": {
            "applicationId": "app",
            "subscriptionId": "s",
            "publishTime": "",
            "notificationId": "n",
        },
    }
    unknown_seller = {
        "NotificationType": "ORDER_CHANGE",
        "Payload": {
            "OrderChangeNotification": {"SellerId": "A-NOBODY", "AmazonOrderId": "111-0000000-0000000"}
        },
    }
    no_order = {
        "NotificationType": "ORDER_CHANGE",
        "Payload": {"OrderChangeNotification": {"SellerId": "A1"}},
    }
    for body in (json.dumps(new_secret), json.dumps(unknown_seller), json.dumps(no_order), "not json", "[1]"):
        client.send_message(QueueUrl=queue, MessageBody=body)

    consumer = NotificationConsumer(settings, create_sessionmaker(engine))
    outcomes = await consume_all(consumer, 5)
    assert sorted(outcomes) == sorted(["secret_stored", "no_connection", "dropped", "dropped", "dropped"])
    assert queue_depth(settings) == 0 and sent_jobs == []
    async with create_sessionmaker(engine)() as session:
        secrets = list((await session.scalars(select(AppSecret))).all())
    assert [s.client_id for s in secrets] == [settings.spapi.lwa_client_id]
    assert b"rotated-secret" not in secrets[0].secret_enc  # stored encrypted


async def test_a_failing_message_stays_on_the_queue(
    engine: AsyncEngine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = boto3.client(
        "sqs", endpoint_url=settings.notifications.aws_endpoint_url, region_name="us-east-1"
    )
    client.send_message(
        QueueUrl=settings.notifications.notifications_sqs_queue_url,
        MessageBody=json.dumps(
            {
                "NotificationType": "ORDER_CHANGE",
                "Payload": {"OrderChangeNotification": {"SellerId": "A1", "AmazonOrderId": "111-1"}},
            }
        ),
    )

    async def database_down(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionError("database unavailable")

    monkeypatch.setattr(
        "app.notifications.service.NotificationRepository.connections_of_seller", database_down
    )
    consumer = NotificationConsumer(settings, create_sessionmaker(engine))
    assert await consume_all(consumer, 1) == ["kept"]
    assert queue_depth(settings) == 1  # delivered again after the visibility timeout
