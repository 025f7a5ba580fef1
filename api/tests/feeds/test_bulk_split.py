"""A bulk update of more rows than one listings feed takes (Amazon: 25,000; made 3 here) is sent as
several feeds in one unit of work: file order kept, each feed its own row, stored input and job
(enqueued after the commit), messageIds 1..n within each feed, per-message results per feed; the
validate route says how many feeds the rows make; a SKU repeated across feeds' rows is refused and
nothing is recorded."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.storage import DocumentStorage, LocalStorage
from app.feeds.bulk_service import BulkFeedsService
from app.feeds.feed_schema import listing_messages
from app.feeds.models import Feed, FeedDocument, FeedResult
from app.feeds.repository import FeedFilters, FeedRepository
from app.feeds.schemas import BulkFeedIn, BulkRowIn
from app.feeds.service import InvalidFeed
from app.settings import get_settings
from app.spapi import SpApiClient
from app.worker.enqueue import buffered_jobs
from tests.auth.helpers import sign_up
from tests.factories.connections import make_connection
from tests.factories.feeds import US, FeedSeller
from tests.feeds.support import UnitOfWork, calls, reload, run_to_the_end, runner

SKUS = [f"SKU-{n}" for n in range(1, 8)]


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=20, feed_processing_seconds=1)


def rows_of(skus: list[str]) -> list[BulkRowIn]:
    return [BulkRowIn(line=n + 2, sku=sku, quantity=str(n)) for n, sku in enumerate(skus)]


async def stored_input(session: AsyncSession, storage: DocumentStorage, feed_id: uuid.UUID) -> bytes:
    document = (
        await session.execute(
            select(FeedDocument).where(FeedDocument.feed_id == feed_id, FeedDocument.role == "input")
        )
    ).scalar_one()
    return b"".join([chunk async for chunk in storage.read(document.storage_key)])


async def test_seven_rows_at_three_per_feed_are_three_feeds_in_file_order(
    session: AsyncSession, seller: FeedSeller, storage: DocumentStorage
) -> None:
    service = BulkFeedsService(session, get_settings(), per_feed=3)
    body = BulkFeedIn(connection_id=seller.connection_id, marketplace_id=US, rows=rows_of(SKUS))

    checked = await service.check(seller.tenant_id, body)
    assert (checked.issues, checked.message_count, checked.feed_count) == ([], 7, 3)

    feeds = (await service.submit(seller.tenant_id, body, storage, user_id=None)).feeds
    assert [f.message_count for f in feeds] == [3, 3, 1]
    assert {(f.status, f.source, f.feed_type) for f in feeds} == {("pending", "bulk", "JSON_LISTINGS_FEED")}
    inputs = [await stored_input(session, storage, f.id) for f in feeds]
    assert [listing_messages(content) for content in inputs] == [
        {1: "SKU-1", 2: "SKU-2", 3: "SKU-3"},
        {1: "SKU-4", 2: "SKU-5", 3: "SKU-6"},
        {1: "SKU-7"},
    ]
    last = json.loads(inputs[2])
    assert last["header"]["sellerId"] == seller.account_id
    assert last["messages"][0]["patches"][0]["value"][0]["quantity"] == 6  # row 7's own change
    assert [f.input_size_bytes for f in feeds] == [len(content) for content in inputs]
    # One job per feed, in the unit of work's buffer: sent only after its commit.
    assert [(j.actor_name, j.kwargs) for j in buffered_jobs(session)] == [
        ("feeds.run_feed", {"feed_id": str(f.id), "tenant_id": str(seller.tenant_id)}) for f in feeds
    ]
    # The list (newest first) shows the batch in file order.
    listed = await FeedRepository(session).page(FeedFilters(seller.tenant_id), after=None, limit=10)
    assert [f.id for f in listed] == [f.id for f in feeds]


async def test_a_sku_repeated_across_the_feeds_rows_is_refused_and_nothing_recorded(
    session: AsyncSession, seller: FeedSeller, storage: DocumentStorage
) -> None:
    service = BulkFeedsService(session, get_settings(), per_feed=3)
    body = BulkFeedIn(connection_id=seller.connection_id, marketplace_id=US, rows=rows_of([*SKUS, "SKU-2"]))
    checked = await service.check(seller.tenant_id, body)
    assert (checked.message_count, checked.feed_count) == (0, 0)
    assert [(i.line, i.sku, i.field) for i in checked.issues] == [(9, "SKU-2", "sku")]
    with pytest.raises(InvalidFeed):
        await service.submit(seller.tenant_id, body, storage, user_id=None)
    assert (await session.execute(select(func.count()).select_from(Feed))).scalar_one() == 0
    assert buffered_jobs(session) == []


async def test_each_feed_of_the_batch_has_its_own_per_message_results(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
) -> None:
    response = await emulator_http.get(
        f"/_emulator/sellers/{seller.account_id}/listings", params={"marketplace_id": US, "limit": 50}
    )
    merchant = [i["sku"] for i in response.json()["items"] if i["fulfillment_channel"] == "DEFAULT"][:4]
    assert len(merchant) == 4
    skus = [*merchant, "NOT-A-LISTING"]
    body = BulkFeedIn(connection_id=seller.connection_id, marketplace_id=US, rows=rows_of(skus))
    feeds = (
        await BulkFeedsService(session, get_settings(), per_feed=2).submit(
            seller.tenant_id, body, storage, user_id=None
        )
    ).feeds
    assert [f.message_count for f in feeds] == [2, 2, 1]
    job = runner(uow, sp_client, storage)
    per_feed: list[list[tuple[int, str | None, str]]] = []
    for out in feeds:
        feed = await FeedRepository(session).get(seller.tenant_id, out.id)
        assert feed is not None
        await run_to_the_end(job, feed)
        done = await reload(session, feed)
        assert done.status == "done", done.error
        found = await session.execute(
            select(FeedResult.message_id, FeedResult.sku, FeedResult.status)
            .where(FeedResult.feed_id == done.id)
            .order_by(FeedResult.message_id)
        )
        per_feed.append([(r[0], r[1], r[2]) for r in found.all()])
    assert per_feed == [
        [(1, merchant[0], "accepted"), (2, merchant[1], "accepted")],
        [(1, merchant[2], "accepted"), (2, merchant[3], "accepted")],
        [(1, "NOT-A-LISTING", "error")],
    ]
    assert await calls(emulator_http, "feeds.createFeed") == 3


async def test_the_bulk_routes_split_and_count_the_feeds(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalStorage(tmp_path)
    monkeypatch.setattr("app.feeds.endpoints.storage_from_settings", lambda settings: storage)
    # Amazon's 25,000 made 3, for the routes as the service reads it.
    monkeypatch.setattr("app.feeds.bulk_service.messages_per_feed", lambda schemas: 3)
    await sign_up(client)
    tenant_id = (await client.post("/api/tenants", json={"name": "Acme"})).json()["id"]
    connection = await make_connection(session, uuid.UUID(tenant_id), marketplaces=[US], status="active")
    params = {"tenant_id": tenant_id}
    rows: list[dict[str, Any]] = [row.model_dump() for row in rows_of(SKUS)]
    body = {"connectionId": str(connection.id), "marketplaceId": US, "rows": rows}

    validated = await client.post("/api/feeds/bulk/validate", params=params, json=body)
    assert validated.status_code == 200, validated.text
    answer = validated.json()
    assert (answer["issues"], answer["message_count"], answer["feed_count"]) == ([], 7, 3)
    assert answer["schema_checked"] is True

    sent = await client.post("/api/feeds/bulk", params=params, json=body)
    assert sent.status_code == 202, sent.text
    feeds = sent.json()["feeds"]
    assert [(f["status"], f["message_count"]) for f in feeds] == [
        ("pending", 3),
        ("pending", 3),
        ("pending", 1),
    ]
    skus = []
    for feed in feeds:
        built = await client.get(f"/api/feeds/{feed['id']}/input", params=params)
        assert built.status_code == 200
        messages = json.loads(built.content)["messages"]
        assert [m["messageId"] for m in messages] == list(range(1, len(messages) + 1))
        skus.append([m["sku"] for m in messages])
    assert skus == [SKUS[0:3], SKUS[3:6], SKUS[6:7]]
    listed = (await client.get("/api/feeds", params=params)).json()["items"]
    assert [f["id"] for f in listed] == [f["id"] for f in feeds], "the batch listed in file order"

    # A SKU already in the first feed's rows, in the third's: refused, nothing more recorded.
    body["rows"] = [*rows, {"line": 9, "sku": "SKU-1", "quantity": "1"}]
    refused = await client.post("/api/feeds/bulk", params=params, json=body)
    assert refused.status_code == 422
    [issue] = refused.json()["error"]["issues"]
    assert (issue["line"], issue["sku"], issue["field"]) == (9, "SKU-1", "sku")
    validated = (await client.post("/api/feeds/bulk/validate", params=params, json=body)).json()
    assert (validated["feed_count"], validated["message_count"]) == (0, 0)
    assert len((await client.get("/api/feeds", params=params)).json()["items"]) == 3
