"""The feed job against the emulator: a raw feed uploaded with its declared content type, created
once, polled to DONE and its processing report stored as Amazon served it; CANCELLED and FATAL kept
with their meaning; an expired report URL fetched again; 5xx retried then given up with a sentence;
a throttle after progress in the same step starts the backoff over; a final feed left alone."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.errors import Throttled
from app.documents.storage import DocumentStorage
from app.feeds import flow as flow_module
from app.feeds.models import FeedDocument
from app.spapi import SpApiClient
from app.spapi.operations.feeds import FeedsApi
from tests.factories.feeds import FeedSeller, inventory_tsv, make_feed
from tests.feeds.support import UnitOfWork, calls, reload, run_to_the_end, runner


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=20, feed_processing_seconds=1)


async def served(emulator_http: httpx.AsyncClient, sp_client: SpApiClient, document_id: str) -> bytes:
    url = (await sp_client.feeds.get_feed_document(document_id)).url
    response = await emulator_http.get(url)
    assert response.status_code == 200
    return response.content


async def stored(session: AsyncSession, storage: DocumentStorage, role: str) -> tuple[FeedDocument, bytes]:
    document = (
        await session.execute(
            select(FeedDocument).where(FeedDocument.role == role).execution_options(populate_existing=True)
        )
    ).scalar_one()
    return document, b"".join([chunk async for chunk in storage.read(document.storage_key)])


async def test_a_raw_feed_from_upload_to_its_stored_report(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
) -> None:
    content = inventory_tsv(5)
    feed = await make_feed(session, seller, storage, content)
    delays = await run_to_the_end(runner(uow, sp_client, storage), feed)
    assert delays, "Amazon took a while: the job polled"
    done = await reload(session, feed)
    assert (done.status, done.processing_status, done.error) == ("done", "DONE", None), done.error
    assert done.amazon_feed_id and done.input_document_id and done.result_document_id
    assert done.finished_at is not None and done.next_check_at is None
    assert (done.attempts, done.failures) == (0, 0)
    # Amazon has exactly what we stored, under the content type it was told.
    uploaded = await served(emulator_http, sp_client, done.input_document_id)
    assert uploaded == content
    puts = [e for e in await _log(emulator_http) if e["method"] == "PUT"]
    assert len(puts) == 1
    report, report_bytes = await stored(session, storage, "result")
    assert report_bytes == await served(emulator_http, sp_client, done.result_document_id)
    assert report.amazon_document_id == done.result_document_id and report.size_bytes == len(report_bytes)
    assert report.content_type == "text/plain"
    stored_input, _ = await stored(session, storage, "input")
    assert stored_input.amazon_document_id == done.input_document_id
    assert await calls(emulator_http, "feeds.createFeed") == 1
    assert await calls(emulator_http, "feeds.createFeedDocument") == 1
    # Final: running it again calls nobody.
    before = len(await _log(emulator_http))
    assert await runner(uow, sp_client, storage).run(feed.tenant_id, feed.id) is None
    assert len(await _log(emulator_http)) == before


async def _log(emulator_http: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await emulator_http.get("/_emulator/requests")
    entries: list[dict[str, Any]] = response.json()
    return entries


async def test_cancelled_at_amazon_is_final(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
) -> None:
    feed = await make_feed(session, seller, storage, inventory_tsv())
    job = runner(uow, sp_client, storage)
    assert await job.run(feed.tenant_id, feed.id) is not None
    created = await reload(session, feed)
    assert created.status == "processing" and created.amazon_feed_id is not None
    await sp_client.feeds.cancel_feed(created.amazon_feed_id)
    await run_to_the_end(job, feed)
    cancelled = await reload(session, feed)
    assert (cancelled.status, cancelled.processing_status) == ("cancelled", "CANCELLED")
    assert cancelled.error is not None and "nothing was applied" in cancelled.error


async def test_fatal_keeps_amazons_report(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
) -> None:
    # An empty document: Amazon fails the whole feed and says why in its processing report.
    feed = await make_feed(session, seller, storage, b"")
    await run_to_the_end(runner(uow, sp_client, storage), feed)
    fatal = await reload(session, feed)
    assert (fatal.status, fatal.processing_status) == ("fatal", "FATAL")
    assert fatal.error is not None and "FATAL" in fatal.error
    _, report = await stored(session, storage, "result")
    assert fatal.result_document_id is not None
    assert report == await served(emulator_http, sp_client, fatal.result_document_id) and report


async def test_an_expired_report_url_is_fetched_again(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed = await make_feed(session, seller, storage, inventory_tsv())
    original = sp_client.feeds.get_feed_document
    fetched: list[str] = []

    async def first_one_expired(document_id: str) -> Any:
        document = await original(document_id)
        fetched.append(document.url)
        if len(fetched) == 1:
            # A URL whose signature no longer holds: the emulator answers 403 like S3.
            return document.model_copy(update={"url": document.url + "0"})
        return document

    feeds_api = sp_client.feeds
    monkeypatch.setattr(feeds_api, "get_feed_document", first_one_expired)
    monkeypatch.setattr(type(sp_client), "feeds", property(lambda self: feeds_api))
    await run_to_the_end(runner(uow, sp_client, storage), feed)
    assert (await reload(session, feed)).status == "done"
    assert len(fetched) == 2


async def test_server_errors_are_retried_then_given_up_with_a_sentence(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(flow_module, "MAX_FAILURES", 3)
    response = await emulator_http.post(
        "/_emulator/faults", json={"operation": "feeds.createFeedDocument", "error_rate": 1.0, "status": 503}
    )
    assert response.status_code == 200
    feed = await make_feed(session, seller, storage, inventory_tsv())
    delays = await run_to_the_end(runner(uow, sp_client, storage), feed)
    assert len(delays) == 2, "retried with a growing delay before giving up"
    failed = await reload(session, feed)
    assert failed.status == "error" and failed.error is not None
    assert failed.error.startswith("Amazon kept failing") and "http" not in failed.error.lower()
    assert await calls(emulator_http, "feeds.createFeed") == 0


async def test_a_throttle_after_progress_starts_the_backoff_over(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: FeedSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Throttled five times at createFeed before; now createFeed goes through and getFeed, in the
    # same step, is throttled: the wait is the first one's, not the sixth's.
    feed = await make_feed(session, seller, storage, inventory_tsv(), attempts=5)
    original = FeedsApi.get_feed

    async def throttled_once(self: FeedsApi, feed_id: str) -> Any:
        monkeypatch.setattr(FeedsApi, "get_feed", original)
        raise Throttled("feeds.getFeed: throttled", retry_after=0.1)

    monkeypatch.setattr(FeedsApi, "get_feed", throttled_once)
    delay = await runner(uow, sp_client, storage).run(feed.tenant_id, feed.id)
    assert delay == 1.0
    waiting = await reload(session, feed)
    assert (waiting.status, waiting.attempts, waiting.failures) == ("processing", 1, 0)
    await run_to_the_end(runner(uow, sp_client, storage), feed)
    done = await reload(session, feed)
    assert (done.status, done.attempts, done.failures) == ("done", 0, 0)
