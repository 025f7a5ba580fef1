"""Notifications v1: grantless destinations, seller subscriptions, ORDER_CHANGE and processing-finished
messages delivered to an SQS queue served by moto (validated against the notification schemas), contract."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from amazon_emulator.apis.notifications import store
from amazon_emulator.config import DEMO_SELLER_ID
from amazon_emulator.state import EmulatorState

from emulator_contract import models_dir, validate
from emulator_helpers import US, auth, days_ago, grantless_token

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def sqs_endpoint() -> Iterator[str]:
    port = _free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def sqs(sqs_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ENDPOINT_URL", sqs_endpoint)
    return boto3.client(
        "sqs", endpoint_url=sqs_endpoint, region_name="us-east-1", aws_access_key_id="emulator",
        aws_secret_access_key="emulator",
    )  # fmt: skip


def new_queue(sqs: Any, name: str) -> tuple[str, str]:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return url, arn


def receive(sqs: Any, url: str, count: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for _ in range(10):
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        out.extend(json.loads(m["Body"]) for m in answer.get("Messages", []))
        if len(out) >= count:
            break
    return out


def check_schema(message: dict[str, Any], schema_file: str) -> None:
    base = models_dir()
    if base is None:
        pytest.skip("Amazon models not found: notification schemas live in sp-api/notification-schemas/")
    import jsonschema

    path: Path = base / "sp-api" / "notification-schemas" / schema_file
    jsonschema.validate(message, json.loads(path.read_text(encoding="utf-8")))


async def destination(client: httpx.AsyncClient, grantless: str, arn: str, name: str = "orders") -> str:
    body = {"name": name, "resourceSpecification": {"sqs": {"arn": arn}}}
    r = await client.post("/notifications/v1/destinations", json=body, headers=auth(grantless))
    assert r.status_code == 200, r.text
    validate("notifications", r)
    destination_id: str = r.json()["payload"]["destinationId"]
    return destination_id


async def subscribe(
    client: httpx.AsyncClient, token: str, kind: str, destination_id: str, version: str
) -> str:
    body = {"payloadVersion": version, "destinationId": destination_id}
    r = await client.post(f"/notifications/v1/subscriptions/{kind}", json=body, headers=auth(token))
    assert r.status_code == 200, r.text
    validate("notifications", r)
    subscription_id: str = r.json()["payload"]["subscriptionId"]
    return subscription_id


async def test_order_change_lands_in_sqs(
    client: httpx.AsyncClient, state: EmulatorState, token: str, sqs: Any
) -> None:
    url, arn = new_queue(sqs, "order-change")
    grantless = await grantless_token(client)
    destination_id = await destination(client, grantless, arn)
    await subscribe(client, token, "ORDER_CHANGE", destination_id, "1.0")
    r = await client.post(
        f"/_emulator/sellers/{DEMO_SELLER_ID}/activity", json={"new_orders": 2, "updates": 1}
    )
    assert r.status_code == 200, r.text
    changed = set(r.json()["created"]) | set(r.json()["updated"])
    assert store(state).publisher.flush()
    messages = receive(sqs, url, 3)
    assert {m["Payload"]["OrderChangeNotification"]["AmazonOrderId"] for m in messages} == changed
    for message in messages:
        assert message["NotificationType"] == "ORDER_CHANGE"
        assert message["Payload"]["OrderChangeNotification"]["SellerId"] == DEMO_SELLER_ID
        check_schema(message, "OrderChangeNotification.json")
    # Changes that happen as time passes are published by the poll, each once.
    state.clock.advance(3 * 86400)
    r = await client.post("/_emulator/notifications/poll")
    assert r.status_code == 200 and r.json()["order_changes"] > 0
    later = receive(sqs, url, 1)
    assert later and all(m["NotificationType"] == "ORDER_CHANGE" for m in later)
    again = await client.post("/_emulator/notifications/poll")
    assert again.json()["order_changes"] == 0


async def test_processing_finished_messages(
    client: httpx.AsyncClient, state: EmulatorState, token: str, sqs: Any
) -> None:
    url, arn = new_queue(sqs, "jobs")
    grantless = await grantless_token(client)
    destination_id = await destination(client, grantless, arn, "jobs")
    await subscribe(client, token, "REPORT_PROCESSING_FINISHED", destination_id, "2020-09-04")
    await subscribe(client, token, "FEED_PROCESSING_FINISHED", destination_id, "2020-09-04")
    await subscribe(client, token, "DATA_KIOSK_QUERY_PROCESSING_FINISHED", destination_id, "2023-11-15")
    spec = {"reportType": "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", "marketplaceIds": [US],
            "dataStartTime": days_ago(state, 20)}  # fmt: skip
    r = await client.post("/reports/2021-06-30/reports", json=spec, headers=auth(token))
    report_id = r.json()["reportId"]
    r = await client.post(
        "/feeds/2021-06-30/documents", json={"contentType": "text/plain"}, headers=auth(token)
    )
    document = r.json()
    await client.put(
        document["url"], content=b"sku\tquantity\nA\t1\n", headers={"content-type": "text/plain"}
    )
    r = await client.post(
        "/feeds/2021-06-30/feeds",
        json={"feedType": "POST_FLAT_FILE_INVLOADER_DATA", "marketplaceIds": [US],
              "inputFeedDocumentId": document["feedDocumentId"]},
        headers=auth(token),
    )  # fmt: skip
    feed_id = r.json()["feedId"]
    r = await client.post(
        "/dataKiosk/2023-11-15/queries",
        json={"query": "query { analytics_salesAndTraffic_2024_04_24 { nope { x } } }"},
        headers=auth(token),
    )
    query_id = r.json()["queryId"]
    state.clock.advance(120)
    r = await client.post("/_emulator/notifications/poll")
    assert r.status_code == 200
    messages = {m["notificationType"]: m for m in receive(sqs, url, 3)}
    report = messages["REPORT_PROCESSING_FINISHED"]
    assert report["payload"]["reportProcessingFinishedNotification"]["reportId"] == report_id
    check_schema(report, "ReportProcessingFinishedNotification.json")
    feed = messages["FEED_PROCESSING_FINISHED"]
    assert feed["payload"]["feedProcessingFinishedNotification"]["feedId"] == feed_id
    check_schema(feed, "FeedProcessingFinishedNotification.json")
    query = messages["DATA_KIOSK_QUERY_PROCESSING_FINISHED"]
    assert query["payload"]["queryId"] == query_id and query["payload"]["processingStatus"] == "FATAL"
    check_schema(query, "DataKioskQueryProcessingFinishedNotification.json")


async def test_destinations_and_subscriptions_api(client: httpx.AsyncClient, token: str) -> None:
    grantless = await grantless_token(client)
    arn = "arn:aws:sqs:us-east-1:000000000000:spapi-notifications"
    destination_id = await destination(client, grantless, arn)
    dup = await client.post(
        "/notifications/v1/destinations",
        json={"name": "again", "resourceSpecification": {"sqs": {"arn": arn}}},
        headers=auth(grantless),
    )
    assert dup.status_code == 409
    validate("notifications", dup)
    bridge = await client.post(
        "/notifications/v1/destinations",
        json={
            "name": "bridge",
            "resourceSpecification": {"eventBridge": {"region": "us-east-1", "accountId": "1"}},
        },
        headers=auth(grantless),
    )
    validate("notifications", bridge)
    assert bridge.json()["payload"]["resource"]["eventBridge"]["name"].startswith("aws.partner/")
    r = await client.get("/notifications/v1/destinations", headers=auth(grantless))
    validate("notifications", r)
    assert len(r.json()["payload"]) == 2
    r = await client.get(f"/notifications/v1/destinations/{destination_id}", headers=auth(grantless))
    validate("notifications", r)
    seller_denied = await client.get("/notifications/v1/destinations", headers=auth(token))
    assert seller_denied.status_code == 403
    subscription_id = await subscribe(client, token, "ORDER_CHANGE", destination_id, "1.0")
    twice = await client.post(
        "/notifications/v1/subscriptions/ORDER_CHANGE",
        json={"payloadVersion": "1.0", "destinationId": destination_id},
        headers=auth(token),
    )
    assert twice.status_code == 409
    r = await client.get("/notifications/v1/subscriptions/ORDER_CHANGE", headers=auth(token))
    validate("notifications", r)
    assert r.json()["payload"]["subscriptionId"] == subscription_id
    r = await client.get(
        "/notifications/v1/subscriptions", params={"notificationTypes": "ORDER_CHANGE"}, headers=auth(token)
    )
    validate("notifications", r)
    assert [s["subscriptionId"] for s in r.json()["payload"]["subscriptions"]] == [subscription_id]
    path = f"/notifications/v1/subscriptions/ORDER_CHANGE/{subscription_id}"
    r = await client.get(path, headers=auth(grantless))
    validate("notifications", r)
    assert (await client.get(path, headers=auth(token))).status_code == 403
    r = await client.delete(path, headers=auth(grantless))
    assert r.status_code == 200
    validate("notifications", r)
    missing = await client.get("/notifications/v1/subscriptions/ORDER_CHANGE", headers=auth(token))
    assert missing.status_code == 404
    validate("notifications", missing)
    r = await client.delete(f"/notifications/v1/destinations/{destination_id}", headers=auth(grantless))
    assert r.status_code == 200
    validate("notifications", r)
    bad = await client.post(
        "/notifications/v1/subscriptions/LISTINGS_ITEM_STATUS_CHANGE",
        json={"payloadVersion": "1.0", "destinationId": destination_id},
        headers=auth(token),
    )
    assert bad.status_code == 400


async def test_http_destination_extension_and_failures_do_not_break_requests(
    client: httpx.AsyncClient, state: EmulatorState, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    grantless = await grantless_token(client)
    r = await client.post(
        "/notifications/v1/destinations",
        json={"name": "hook", "resourceSpecification": {"http": {"url": "http://127.0.0.1:9/hook"}}},
        headers=auth(grantless),
    )
    assert r.status_code == 200
    hook = r.json()["payload"]["destinationId"]
    sqs_id = await destination(client, grantless, "arn:aws:sqs:us-east-1:000000000000:nowhere")
    await subscribe(client, token, "ORDER_CHANGE", hook, "1.0")
    r = await client.post(f"/_emulator/sellers/{DEMO_SELLER_ID}/activity", json={"new_orders": 1})
    assert r.status_code == 200
    await client.post("/_emulator/notifications/poll")
    outbox = (
        await client.get("/_emulator/notifications", params={"notification_type": "ORDER_CHANGE"})
    ).json()
    assert outbox and outbox[-1]["status"] == "failed" and outbox[-1]["destination_id"] == hook
    assert sqs_id


async def test_new_client_secret_is_announced_on_the_rotation_queue(
    client: httpx.AsyncClient, state: EmulatorState, sqs: Any
) -> None:
    url, arn = new_queue(sqs, "rotation")
    grantless = await grantless_token(client)
    destination_id = await destination(client, grantless, arn, "rotation")
    app = next(iter(state.credentials.apps.values()))
    r = await client.put(
        "/_emulator/notifications/rotation-destination",
        json={"application_id": app.application_id, "destination_id": destination_id},
    )
    assert r.status_code == 200
    rotation = await grantless_token(client, "sellingpartnerapi::client_credential:rotation")
    r = await client.post("/applications/2023-11-30/clientSecret", headers=auth(rotation))
    assert r.status_code == 204
    assert store(state).publisher.flush()
    [message] = receive(sqs, url, 1)
    assert message["notificationType"] == "APPLICATION_OAUTH_CLIENT_NEW_SECRET"
    assert message["payloadVersion"] == "2023-11-30"
    secret = message["payload"]["applicationOAuthClientNewSecret"]
    assert secret["clientId"] == app.client_id and secret["newClientSecret"].startswith("amzn1.oa2-cs.v1.")
    assert set(message["notificationMetadata"]) == {
        "applicationId",
        "subscriptionId",
        "publishTime",
        "notificationId",
    }
