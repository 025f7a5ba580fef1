"""JSON_LISTINGS_FEED through the job: the guided bulk update's feed built from rows, sent, and its
processing report parsed into one result per message (SKUs from the stored input, Amazon's codes on
the refused ones) with the summary on the feed; a raw feed Amazon refuses message by message; the
bulk routes (CSV read, rows checked, 422 with issues per line, 202 with a pending feed)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.storage import DocumentStorage, LocalStorage
from app.feeds.bulk_service import BulkFeedsService
from app.feeds.models import FeedResult
from app.feeds.repository import FeedRepository
from app.feeds.schemas import BulkFeedIn, BulkRowIn
from app.settings import get_settings
from app.spapi import SpApiClient
from tests.auth.helpers import sign_up
from tests.factories.connections import make_connection
from tests.factories.feeds import JSON_TYPE, US, FeedSeller, make_feed
from tests.feeds.support import UnitOfWork, calls, reload, run_to_the_end, runner

JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=20, feed_processing_seconds=1)


async def results(session: AsyncSession, feed_id: uuid.UUID) -> list[tuple[int, str | None, str]]:
    rows = await session.execute(
        select(FeedResult.message_id, FeedResult.sku, FeedResult.status)
        .where(FeedResult.feed_id == feed_id)
        .order_by(FeedResult.message_id)
    )
    return [(r[0], r[1], r[2]) for r in rows.all()]


async def listings(emulator_http: httpx.AsyncClient, seller_id: str) -> dict[str, dict[str, Any]]:
    response = await emulator_http.get(
        f"/_emulator/sellers/{seller_id}/listings", params={"marketplace_id": US, "limit": 50}
    )
    assert response.status_code == 200, response.text
    return {item["sku"]: item for item in response.json()["items"]}


async def test_a_bulk_update_from_rows_to_per_sku_results(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
) -> None:
    before = await listings(emulator_http, seller.account_id)
    merchant = [sku for sku, item in before.items() if item["fulfillment_channel"] == "DEFAULT"]
    first, second, third = merchant[:3]
    near = f"{before[first]['price'] * 1.1:.2f}"
    far = f"{before[third]['price'] * 3:.2f}"
    body = BulkFeedIn(
        connection_id=seller.connection_id,
        marketplace_id=US,
        rows=[
            BulkRowIn(line=2, sku=first, price=near, currency="USD", quantity="5"),
            BulkRowIn(line=3, sku=second, quantity="0", handling_time="2"),
            BulkRowIn(line=4, sku=third, price=far, currency="USD"),
            BulkRowIn(line=5, sku="NOT-A-LISTING", price="7", currency="USD"),
        ],
    )
    [out] = (
        await BulkFeedsService(session, get_settings()).submit(seller.tenant_id, body, storage, user_id=None)
    ).feeds
    assert (out.status, out.source, out.feed_type, out.message_count) == (
        "pending",
        "bulk",
        JSON_LISTINGS_FEED,
        4,
    )
    assert out.content_type == "application/json; charset=UTF-8"
    feed_row = await FeedRepository(session).get(seller.tenant_id, out.id)
    assert feed_row is not None
    await run_to_the_end(runner(uow, sp_client, storage), feed_row)
    done = await reload(session, feed_row)
    assert done.status == "done", done.error
    assert done.summary == {
        "errors": 1,
        "warnings": 1,
        "messages_processed": 4,
        "messages_accepted": 3,
        "messages_invalid": 1,
    }
    assert await results(session, done.id) == [
        (1, first, "accepted"),
        (2, second, "accepted"),
        (3, third, "warning"),
        (4, "NOT-A-LISTING", "error"),
    ]
    unknown = (
        await session.execute(
            select(FeedResult).where(FeedResult.feed_id == done.id, FeedResult.message_id == 4)
        )
    ).scalar_one()
    assert unknown.issues and unknown.issues[0]["code"] and unknown.issues[0]["severity"] == "ERROR"
    # What Amazon applied is what the results say was accepted (a warning is applied too).
    after = await listings(emulator_http, seller.account_id)
    assert (after[first]["price"], after[first]["quantity"]) == (float(near), 5)
    assert (after[second]["quantity"], after[second]["handling_time"]) == (0, 2)
    assert after[third]["price"] == float(far)
    # What Amazon received is the feed we built, under the content type it was told.
    assert done.input_document_id is not None
    url = (await sp_client.feeds.get_feed_document(done.input_document_id)).url
    sent = json.loads((await emulator_http.get(url)).content)
    assert sent["header"]["sellerId"] == seller.account_id
    assert [m["sku"] for m in sent["messages"]] == [first, second, third, "NOT-A-LISTING"]
    assert await calls(emulator_http, "feeds.createFeed") == 1
    at_amazon = (await emulator_http.get(f"/_emulator/sellers/{seller.account_id}/feeds")).json()["feeds"]
    assert [(f["feedId"], f["contentType"]) for f in at_amazon] == [
        (done.amazon_feed_id, "application/json; charset=UTF-8")
    ]


async def test_messages_amazon_refuses_are_errors_with_its_codes(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
) -> None:
    current = await listings(emulator_http, seller.account_id)
    known = next(sku for sku, item in current.items() if item["fulfillment_channel"] == "DEFAULT")
    quantity = [{"fulfillment_channel_code": "DEFAULT", "quantity": 3}]
    patch = [{"op": "replace", "path": "/attributes/fulfillment_availability", "value": quantity}]
    feed_document: dict[str, Any] = {
        "header": {"sellerId": seller.account_id, "version": "2.0", "issueLocale": "en_US"},
        "messages": [
            {
                "messageId": 1,
                "sku": known,
                "operationType": "PATCH",
                "productType": "PRODUCT",
                "patches": patch,
            },
            # No patches: Amazon refuses this message only.
            {"messageId": 2, "sku": known, "operationType": "PATCH", "productType": "PRODUCT"},
        ],
    }
    feed = await make_feed(
        session,
        seller,
        storage,
        json.dumps(feed_document).encode(),
        feed_type=JSON_LISTINGS_FEED,
        content_type=JSON_TYPE,
    )
    await run_to_the_end(runner(uow, sp_client, storage), feed)
    done = await reload(session, feed)
    assert done.status == "done", done.error
    assert done.summary is not None and done.summary["messages_invalid"] == 1
    assert await results(session, done.id) == [(1, known, "accepted"), (2, known, "error")]
    refused = (
        await session.execute(
            select(FeedResult).where(FeedResult.feed_id == done.id, FeedResult.message_id == 2)
        )
    ).scalar_one()
    assert refused.issues and refused.issues[0]["code"] and refused.issues[0]["severity"] == "ERROR"
    assert refused.rank == 0


async def test_the_bulk_routes(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalStorage(tmp_path)
    monkeypatch.setattr("app.feeds.endpoints.storage_from_settings", lambda settings: storage)
    await sign_up(client)
    tenant_id = (await client.post("/api/tenants", json={"name": "Acme"})).json()["id"]
    connection = await make_connection(session, uuid.UUID(tenant_id), marketplaces=[US], status="active")
    params = {"tenant_id": tenant_id}

    csv = b"sku,price,currency,quantity\nSKU-1,19.99,USD,5\nSKU-2,abc,USD,3\nSKU-3,,,-1\n"
    read = await client.post(
        "/api/feeds/bulk/csv", params=params, files={"file": ("prices.csv", csv, "text/csv")}
    )
    assert read.status_code == 200, read.text
    body = read.json()
    assert [row["sku"] for row in body["rows"]] == ["SKU-1", "SKU-2", "SKU-3"]
    assert body["rows"][1] == {
        "line": 3,
        "sku": "SKU-2",
        "price": "abc",
        "currency": "USD",
        "quantity": "3",
        "handling_time": "",
    }
    assert {issue["line"] for issue in body["issues"]} == {3, 4}, "the wrong lines, each named"

    rows = body["rows"]
    check = {"connectionId": str(connection.id), "marketplaceId": US, "rows": rows}
    validated = await client.post("/api/feeds/bulk/validate", params=params, json=check)
    assert validated.status_code == 200, validated.text
    assert {issue["line"] for issue in validated.json()["issues"]} == {3, 4}
    assert (validated.json()["message_count"], validated.json()["feed_count"]) == (0, 0)
    refused = await client.post("/api/feeds/bulk", params=params, json=check)
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "invalid_feed" and {issue["line"] for issue in error["issues"]} == {3, 4}
    assert (await client.get("/api/feeds", params=params)).json()["items"] == [], "nothing recorded"

    fixed = [rows[0], {**rows[1], "price": "9.50"}, {**rows[2], "quantity": "1"}]
    check["rows"] = fixed
    validated = (await client.post("/api/feeds/bulk/validate", params=params, json=check)).json()
    assert validated["issues"] == [] and (validated["message_count"], validated["feed_count"]) == (3, 1)
    sent = await client.post("/api/feeds/bulk", params=params, json=check)
    assert sent.status_code == 202, sent.text
    [feed] = sent.json()["feeds"]
    assert (feed["status"], feed["source"], feed["message_count"]) == ("pending", "bulk", 3)
    built = await client.get(f"/api/feeds/{feed['id']}/input", params=params)
    assert built.status_code == 200
    assert [m["sku"] for m in json.loads(built.content)["messages"]] == ["SKU-1", "SKU-2", "SKU-3"]
    assert built.headers["content-disposition"].endswith('_input.json"')

    # The raw path checks an uploaded JSON_LISTINGS_FEED the same way before it is sent.
    document = (
        await client.post(
            "/api/feeds/createDocument",
            params=params,
            json={"connectionId": str(connection.id), "contentType": JSON_TYPE},
        )
    ).json()
    broken = (
        b'{"header": {"sellerId": "'
        + connection.account_id.encode()
        + b'", "version": "2.0"},\n "messages": [\n'
    )
    await client.put(
        document["upload_url"], params=params, content=broken, headers={"content-type": JSON_TYPE}
    )
    create = {
        "inputFeedDocumentId": document["feed_id"],
        "feedType": JSON_LISTINGS_FEED,
        "marketplaceIds": [US],
    }
    invalid = await client.post("/api/feeds/create", params=params, json=create)
    assert invalid.status_code == 422, invalid.text
    assert invalid.json()["error"]["issues"][0]["line"] is not None
