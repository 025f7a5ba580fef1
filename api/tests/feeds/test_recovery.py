"""A feed is never created twice at Amazon, whatever happens to the worker: killed after the
document and upload (a fresh document next time), killed after createFeed before its commit or a
5xx after Amazon made it (the feed Amazon has is adopted, not asked again), killed before createFeed
reached Amazon (asked once, then), throttled (back to `uploaded`), a feed another connection of the
same seller knows never adopted, one submission at a time per connection."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.errors import ServerError, Throttled
from app.documents.storage import DocumentStorage
from app.feeds import flow as flow_module
from app.feeds.flow import FeedRunner
from app.feeds.repository import FeedRepository
from app.spapi import SpApiClient
from app.spapi.operations.feeds import FeedsApi
from tests.amazon.support import DEMO_SELLER_ID
from tests.factories.feeds import (
    INVENTORY_LOADER,
    TSV,
    US,
    FeedSeller,
    inventory_tsv,
    make_feed,
    make_feed_seller,
)
from tests.feeds.support import Clock, UnitOfWork, calls, reload, run_to_the_end, runner


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=20, feed_processing_seconds=1)


async def test_killed_after_the_upload_makes_a_fresh_document_and_one_feed(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed = await make_feed(session, seller, storage, inventory_tsv())
    original = FeedRepository.set_document_amazon_id

    async def killed_once(self: FeedRepository, *args: Any) -> None:
        monkeypatch.setattr(FeedRepository, "set_document_amazon_id", original)
        raise SystemExit("worker killed after the upload")

    monkeypatch.setattr(FeedRepository, "set_document_amazon_id", killed_once)
    job = runner(uow, sp_client, storage)
    with pytest.raises(SystemExit):
        await job.run(feed.tenant_id, feed.id)
    # (The test's "commit" is a flush: the interrupted step's update is undone by hand.)
    await FeedRepository(session).update(feed.tenant_id, feed.id, status="pending", input_document_id=None)
    await run_to_the_end(job, feed)
    done = await reload(session, feed)
    assert done.status == "done", done.error
    assert await calls(emulator_http, "feeds.createFeedDocument") == 2
    assert await calls(emulator_http, "feeds.createFeed") == 1


async def test_killed_after_create_feed_adopts_the_feed_amazon_made(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed = await make_feed(session, seller, storage, inventory_tsv())
    original = FeedRunner._save
    heard: list[str] = []

    async def killed_before_commit(self: FeedRunner, snapshot: Any, **values: Any) -> None:
        if "amazon_feed_id" in values and not heard:
            heard.append(values["amazon_feed_id"])
            raise SystemExit("worker killed between createFeed and the commit")
        await original(self, snapshot, **values)

    monkeypatch.setattr(FeedRunner, "_save", killed_before_commit)
    clock = Clock()
    job = runner(uow, sp_client, storage, clock)
    with pytest.raises(SystemExit):
        await job.run(feed.tenant_id, feed.id)
    crashed = await reload(session, feed)
    assert (crashed.status, crashed.amazon_feed_id) == ("submitting", None)
    assert crashed.submit_started_at is not None
    # Too soon after the attempt: Amazon may not list it yet; the step waits instead of asking.
    wait = await job.run(feed.tenant_id, feed.id, poll=False)
    assert wait is not None and 0 < wait <= flow_module.SUBMIT_SETTLE_S
    assert await calls(emulator_http, "feeds.getFeeds") == 0
    clock.skip(wait)
    await run_to_the_end(job, feed)
    done = await reload(session, feed)
    assert done.status == "done", done.error
    assert done.amazon_feed_id == heard[0], "the feed Amazon made was adopted"
    assert await calls(emulator_http, "feeds.createFeed") == 1
    assert await calls(emulator_http, "feeds.getFeeds") == 1


async def test_a_5xx_after_amazon_made_the_feed_adopts_it(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed = await make_feed(session, seller, storage, inventory_tsv())
    original = FeedsApi.create_feed
    made: list[str] = []

    async def made_then_failed(self: FeedsApi, *args: Any, **kwargs: Any) -> str:
        feed_id = await original(self, *args, **kwargs)
        if not made:
            made.append(feed_id)
            raise ServerError("createFeed: HTTP 503", status=503)
        return feed_id

    monkeypatch.setattr(FeedsApi, "create_feed", made_then_failed)
    await run_to_the_end(runner(uow, sp_client, storage), feed)
    done = await reload(session, feed)
    assert (done.status, done.amazon_feed_id) == ("done", made[0])
    assert await calls(emulator_http, "feeds.createFeed") == 1


async def test_killed_before_create_feed_reached_amazon_asks_once(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed = await make_feed(session, seller, storage, inventory_tsv())
    original = FeedsApi.create_feed

    async def killed_first(self: FeedsApi, *args: Any, **kwargs: Any) -> str:
        monkeypatch.setattr(FeedsApi, "create_feed", original)
        raise SystemExit("worker killed before the request left")

    monkeypatch.setattr(FeedsApi, "create_feed", killed_first)
    job = runner(uow, sp_client, storage)
    with pytest.raises(SystemExit):
        await job.run(feed.tenant_id, feed.id)
    assert (await reload(session, feed)).status == "submitting"
    await run_to_the_end(job, feed)
    done = await reload(session, feed)
    assert done.status == "done", done.error
    assert await calls(emulator_http, "feeds.getFeeds") == 1, "Amazon was asked before createFeed"
    assert await calls(emulator_http, "feeds.createFeed") == 1


async def test_a_feed_another_connection_of_the_seller_knows_is_not_adopted(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
) -> None:
    # Another tenant connected the same seller and sent a feed of this type a moment ago.
    agency = await make_feed_seller(session, account_id=DEMO_SELLER_ID)
    theirs = await make_feed(session, agency, storage, inventory_tsv(2))
    await run_to_the_end(runner(uow, sp_client, storage), theirs)
    assert (await reload(session, theirs)).amazon_feed_id is not None
    # Ours was interrupted right after it was marked submitting (nothing reached Amazon).
    feed = await make_feed(session, seller, storage, inventory_tsv(4))
    document = await sp_client.feeds.create_feed_document(TSV)
    await sp_client.feeds.upload(document, inventory_tsv(4), TSV)
    await FeedRepository(session).update(
        seller.tenant_id,
        feed.id,
        status="submitting",
        input_document_id=document.feed_document_id,
        submit_started_at=datetime.now(UTC),
    )
    clock = Clock()
    clock.skip(flow_module.SUBMIT_SETTLE_S)
    await run_to_the_end(runner(uow, sp_client, storage, clock), feed)
    ours = await reload(session, feed)
    assert ours.status == "done" and ours.amazon_feed_id not in (None, theirs.amazon_feed_id)
    assert await calls(emulator_http, "feeds.createFeed") == 2


async def test_throttled_create_feed_goes_back_to_uploaded(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed = await make_feed(session, seller, storage, inventory_tsv())
    original = FeedsApi.create_feed

    async def throttled_first(self: FeedsApi, *args: Any, **kwargs: Any) -> str:
        monkeypatch.setattr(FeedsApi, "create_feed", original)
        raise Throttled("feeds.createFeed: next rate-limit slot in 2.00s", retry_after=2.0)

    monkeypatch.setattr(FeedsApi, "create_feed", throttled_first)
    job = runner(uow, sp_client, storage)
    delay = await job.run(feed.tenant_id, feed.id)
    assert delay is not None and delay >= 2.0
    throttled = await reload(session, feed)
    assert (throttled.status, throttled.submit_started_at, throttled.attempts) == ("uploaded", None, 1)
    assert throttled.next_check_at is not None
    await run_to_the_end(job, feed)
    assert (await reload(session, feed)).status == "done"
    # Nothing to recover: Amazon made nothing when it throttled.
    assert await calls(emulator_http, "feeds.getFeeds") == 0
    assert await calls(emulator_http, "feeds.createFeed") == 1


async def test_one_submission_at_a_time_per_connection(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
) -> None:
    first = await make_feed(session, seller, storage, inventory_tsv())
    await FeedRepository(session).update(
        seller.tenant_id, first.id, status="submitting", submit_started_at=datetime.now(UTC)
    )
    second = await make_feed(session, seller, storage, inventory_tsv(2))
    wait = await runner(uow, sp_client, storage).run(second.tenant_id, second.id)
    assert wait == flow_module.TURN_WAIT_S
    assert (await reload(session, second)).status == "uploaded", "uploaded, waiting for its turn"
    # The other connection's feeds are not held back.
    other = await make_feed_seller(session, account_id=DEMO_SELLER_ID, marketplaces=[US])
    third = await make_feed(session, other, storage, inventory_tsv(3), feed_type=INVENTORY_LOADER)
    await runner(uow, sp_client, storage).run(third.tenant_id, third.id)
    assert (await reload(session, third)).status == "processing"
