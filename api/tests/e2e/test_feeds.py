"""Feeds end to end with the product's worker and scheduler against the emulator: a bulk update built
by the service, sent by the worker, its processing report stored and parsed into per-SKU results
that match what Amazon applied to the listings; one split into several feeds, each done with its own
rows' results. Then the faults, each ending with exactly ONE feed at Amazon for the seller (the
emulator's admin count) and the results stored: the worker SIGKILLed after createFeedDocument, after
the upload, right after createFeed (Amazon made the feed and the answer is held: the worker never
hears the feedId), while polling; a 429 storm on createFeed and getFeed; a result URL that has
expired when the worker downloads it.

The worker is killed while the emulator holds a response (`latency_after_ms`), so each kill lands
exactly between Amazon acting and our commit."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from amazon_emulator.apis._documents import store
from amazon_emulator.apis.feeds import _inputs
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker, unit_of_work
from app.documents.storage import LocalStorage
from app.feeds.bulk_service import BulkFeedsService
from app.feeds.models import Feed, FeedDocument, FeedResult
from app.feeds.schemas import BulkFeedIn, BulkRowIn
from app.settings import get_settings
from app.worker.broker import setup_broker
from tests.amazon.support import LoopbackEmulator, self_authorize
from tests.e2e.test_reports import seller_connection
from tests.sync.procs import Product, eventually, product_env
from tests.sync.support import US, create_seller

pytestmark = pytest.mark.usefixtures("clean_state")
FINAL = ("done", "cancelled", "fatal", "error")
# The emulator's clock runs 60 times faster than Amazon's: createFeed's usage plan (one per two
# minutes once the burst is spent) refills every 2 s, as the reports e2e tests do with their types.
SCALE = 60.0
# Amazon takes three minutes to process a feed: 3 s here.
PROCESSING_S = 180.0
# How long a held response keeps the worker waiting for Amazon's answer (it is killed meanwhile).
HOLD_MS = 8_000


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    # Pre-signed URLs live 3 minutes (3 s here): a getFeedDocument answer held 4 s arrives expired.
    return EmulatorConfig(
        seed=9,
        demo=True,
        demo_orders=10,
        time_scale=SCALE,
        feed_processing_seconds=PROCESSING_S,
        document_url_lifetime=180,
    )


class Scenario:
    """One seller, its connection, the product's processes, and a bulk update to send."""

    def __init__(self, engine: AsyncEngine, amazon: httpx.AsyncClient, served: LoopbackEmulator, tmp: Path):
        self.engine = engine
        self.amazon = amazon
        self.served = served
        self.tmp = tmp
        self.storage = LocalStorage(tmp / "documents")
        self.seller = ""
        self.tenant_id = uuid.uuid4()
        self.connection_id = uuid.uuid4()
        self.product: Product | None = None

    async def start(self, name: str, merchant_listings: int = 3) -> None:
        # The seller's catalogue (20 SKUs) is drawn per seller id, its FBA/merchant split with it: a
        # seller with too few merchant SKUs for the test is drawn again.
        for _ in range(20):
            self.seller = await create_seller(self.amazon, 10, [US], seed=5, months=1)
            listings = await self.listings()
            if (
                sum(item["fulfillment_channel"] == "DEFAULT" for item in listings.values())
                >= merchant_listings
            ):
                break
        else:
            raise AssertionError(f"no seller with {merchant_listings} merchant listings in 20 draws")
        token = await self_authorize(self.amazon, self.seller)
        self.tenant_id, self.connection_id = await seller_connection(self.engine, self.seller, token)
        env = product_env(self.served.url, LOCAL_DATA_DIR=str(self.tmp), REPORT_REVIVE_GRACE_SECONDS="3")
        self.product = Product(env, name)
        self.product.start_worker()
        self.product.start_scheduler()
        setup_broker()

    def stop(self) -> None:
        if self.product is not None:
            # Killed, not stopped: a worker's graceful shutdown can take the 20 s `Product.stop`
            # allows, and nothing here needs it (the test is over).
            self.product.kill_worker()
            self.product.stop()

    def kill_and_restart_worker(self) -> None:
        assert self.product is not None
        self.product.kill_worker()
        self.product.start_worker()

    async def listings(self) -> dict[str, dict[str, Any]]:
        response = await self.amazon.get(
            f"/_emulator/sellers/{self.seller}/listings", params={"marketplace_id": US, "limit": 200}
        )
        assert response.status_code == 200, response.text
        return {item["sku"]: item for item in response.json()["items"]}

    async def amazon_feeds(self) -> list[dict[str, Any]]:
        response = await self.amazon.get(f"/_emulator/sellers/{self.seller}/feeds")
        assert response.status_code == 200, response.text
        feeds: list[dict[str, Any]] = response.json()["feeds"]
        return feeds

    async def fault(self, **body: Any) -> None:
        response = await self.amazon.post("/_emulator/faults", json=body)
        assert response.status_code == 200, response.text

    async def send_bulk(self, rows: list[BulkRowIn]) -> uuid.UUID:
        [feed_id] = await self.send_bulk_feeds(rows)
        return feed_id

    async def send_bulk_feeds(self, rows: list[BulkRowIn], per_feed: int | None = None) -> list[uuid.UUID]:
        body = BulkFeedIn(connection_id=self.connection_id, marketplace_id=US, rows=rows)
        async with unit_of_work(create_sessionmaker(self.engine)) as session:
            service = BulkFeedsService(session, get_settings(), per_feed=per_feed)
            out = await service.submit(self.tenant_id, body, self.storage, user_id=None)
        return [feed.id for feed in out.feeds]

    async def feed(self, feed_id: uuid.UUID) -> Feed:
        async with create_sessionmaker(self.engine)() as session:
            found = await session.get(Feed, feed_id)
            assert found is not None
            return found

    async def until_status(self, feed_id: uuid.UUID, statuses: tuple[str, ...], seconds: float) -> Feed:
        async def reached() -> bool:
            return (await self.feed(feed_id)).status in statuses

        await eventually(reached, seconds, f"the feed to be {' or '.join(statuses)}")
        return await self.feed(feed_id)

    async def results(self, feed_id: uuid.UUID) -> dict[str, str]:
        async with create_sessionmaker(self.engine)() as session:
            rows = await session.execute(
                select(FeedResult.sku, FeedResult.status).where(FeedResult.feed_id == feed_id)
            )
            return {str(row[0]): str(row[1]) for row in rows.all()}

    async def check_one_feed_and_its_results(self, feed_id: uuid.UUID, rows: list[BulkRowIn]) -> Feed:
        done = await self.until_status(feed_id, FINAL, 120)
        assert done.status == "done", done.error
        at_amazon = await self.amazon_feeds()
        assert [f["feedId"] for f in at_amazon] == [done.amazon_feed_id], "exactly one feed at Amazon"
        assert at_amazon[0]["contentType"] == "application/json; charset=UTF-8"
        results = await self.results(feed_id)
        assert set(results) == {row.sku for row in rows}, "one result per message"
        listings = await self.listings()
        for row in rows:
            if row.sku not in listings:
                assert results[row.sku] == "error", row.sku
                continue
            assert results[row.sku] in ("accepted", "warning"), row.sku
            if row.quantity:
                assert listings[row.sku]["quantity"] == int(row.quantity), row.sku
            if row.price:
                assert listings[row.sku]["price"] == float(row.price), row.sku
        async with create_sessionmaker(self.engine)() as session:
            report = (
                await session.execute(
                    select(FeedDocument).where(FeedDocument.feed_id == feed_id, FeedDocument.role == "result")
                )
            ).scalar_one()
        stored = b"".join([chunk async for chunk in self.storage.read(report.storage_key)])
        assert stored.startswith(b"{") and report.size_bytes == len(stored)
        return done


async def update_rows(scenario: Scenario, count: int = 12) -> list[BulkRowIn]:
    """New prices (within Amazon's warning range) and quantities for merchant SKUs, and one SKU the
    seller does not have (Amazon refuses that message only)."""
    listings = await scenario.listings()
    merchant = [item for item in listings.values() if item["fulfillment_channel"] == "DEFAULT"][:count]
    assert len(merchant) >= 3
    rows = [
        BulkRowIn(
            line=n + 2,
            sku=item["sku"],
            price=f"{item['price'] * 1.05:.2f}",
            currency="USD",
            quantity=str(n + 1),
        )
        for n, item in enumerate(merchant)
    ]
    rows.append(BulkRowIn(line=len(rows) + 2, sku="NOT-A-LISTING", price="5.00", currency="USD"))
    return rows


@pytest.fixture
async def scenario(
    engine: AsyncEngine, amazon: httpx.AsyncClient, served: LoopbackEmulator, tmp_path: Path
) -> Any:
    made = Scenario(engine, amazon, served, tmp_path)
    yield made
    made.stop()


async def test_a_bulk_update_through_the_worker(scenario: Scenario) -> None:
    await scenario.start("feeds-e2e")
    rows = await update_rows(scenario)
    feed_id = await scenario.send_bulk(rows)
    done = await scenario.check_one_feed_and_its_results(feed_id, rows)
    assert done.summary is not None and done.summary["messages_invalid"] == 1
    assert (done.attempts, done.failures) == (0, 0)


async def test_a_bulk_update_split_into_feeds_through_the_worker(scenario: Scenario) -> None:
    """Seven rows at three per feed (Amazon's 25,000 made small): three feeds, taking turns at
    createFeed on the one connection, each done with the results of its own rows."""
    await scenario.start("feeds-e2e-split", merchant_listings=6)
    rows = await update_rows(scenario, count=6)
    assert len(rows) == 7
    feed_ids = await scenario.send_bulk_feeds(rows, per_feed=3)
    assert len(feed_ids) == 3
    finished = [await scenario.until_status(feed_id, FINAL, 120) for feed_id in feed_ids]
    assert [(f.status, f.message_count) for f in finished] == [("done", 3), ("done", 3), ("done", 1)]
    at_amazon = await scenario.amazon_feeds()
    assert sorted(f["feedId"] for f in at_amazon) == sorted(str(f.amazon_feed_id) for f in finished)
    listings = await scenario.listings()
    for feed, part in zip(finished, (rows[0:3], rows[3:6], rows[6:7]), strict=True):
        results = await scenario.results(feed.id)
        assert set(results) == {row.sku for row in part}, "each feed's results are its own rows'"
        for row in part:
            if row.sku not in listings:
                assert results[row.sku] == "error"
                continue
            assert results[row.sku] in ("accepted", "warning"), row.sku
            assert listings[row.sku]["quantity"] == int(row.quantity), row.sku
    assert finished[2].summary is not None and finished[2].summary["messages_invalid"] == 1


async def held(condition: Callable[[], bool], what: str) -> None:
    async def reached() -> bool:
        return condition()

    await eventually(reached, 30, what, every=0.1)


def _uploaded(state: Any) -> bool:
    documents = [store(state).get(key) for key in list(_inputs(state))]
    return any(document is not None and document.uploaded for document in documents)


Check = Callable[[Any], bool]
KILL_POINTS: dict[str, tuple[str, Check]] = {
    # Amazon made the document; the worker never heard its id or its upload URL.
    "after createFeedDocument": (
        "feeds.createFeedDocument",
        lambda app: len(_inputs(app.state.emulator)) >= 1,
    ),
    # The file is at Amazon; the worker never heard the upload succeed.
    "after the upload": ("documents.put", lambda app: _uploaded(app.state.emulator)),
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
async def test_killed_before_create_feed_makes_a_fresh_document_and_one_feed(
    scenario: Scenario, emulator_app: Any, point: str
) -> None:
    operation, reached = KILL_POINTS[point]
    await scenario.start(f"feeds-kill-{operation}")
    await scenario.fault(operation=operation, latency_after_ms=HOLD_MS, count=1)
    rows = await update_rows(scenario)
    feed_id = await scenario.send_bulk(rows)
    await held(lambda: reached(emulator_app), f"Amazon to act ({point})")
    scenario.kill_and_restart_worker()
    await scenario.check_one_feed_and_its_results(feed_id, rows)
    assert len(_inputs(emulator_app.state.emulator)) == 2, "a fresh document after the crash"


async def test_killed_right_after_create_feed_never_sends_it_again(
    scenario: Scenario, emulator_app: Any
) -> None:
    await scenario.start("feeds-kill-createFeed")
    # Amazon creates the feed, then holds its answer: the worker is killed before it hears the feedId.
    await scenario.fault(operation="feeds.createFeed", latency_after_ms=HOLD_MS, count=1)
    rows = await update_rows(scenario)
    feed_id = await scenario.send_bulk(rows)

    async def created_at_amazon() -> bool:
        return len(await scenario.amazon_feeds()) == 1

    await eventually(created_at_amazon, 30, "Amazon to create the feed", every=0.1)
    crashed = await scenario.feed(feed_id)
    assert (crashed.status, crashed.amazon_feed_id) == ("submitting", None)
    scenario.kill_and_restart_worker()
    done = await scenario.check_one_feed_and_its_results(feed_id, rows)
    assert done.amazon_feed_id == (await scenario.amazon_feeds())[0]["feedId"], "adopted, not sent again"


async def test_killed_while_polling(scenario: Scenario) -> None:
    await scenario.start("feeds-kill-polling")
    rows = await update_rows(scenario)
    feed_id = await scenario.send_bulk(rows)
    polling = await scenario.until_status(feed_id, ("processing", *FINAL), 30)
    assert polling.status == "processing", polling.error
    scenario.kill_and_restart_worker()
    await scenario.check_one_feed_and_its_results(feed_id, rows)


async def test_a_429_storm_on_create_feed_and_get_feed(scenario: Scenario) -> None:
    await scenario.start("feeds-429")

    async def throttled(operation: str) -> bool:
        log = (await scenario.amazon.get("/_emulator/requests", params={"status": 429})).json()
        return sum(1 for e in log if e.get("operation") == operation) >= 2

    # Storms that last until the worker has met them (its start takes a moment), then a while more.
    for operation in ("feeds.createFeed", "feeds.getFeed"):
        await scenario.fault(operation=operation, throttle_storm_seconds=120)
    rows = await update_rows(scenario)
    feed_id = await scenario.send_bulk(rows)
    await eventually(lambda: throttled("feeds.createFeed"), 30, "createFeed refused twice")
    waiting = await scenario.feed(feed_id)
    assert (waiting.amazon_feed_id, waiting.error) == (None, None), "throttled, not failed"
    await scenario.amazon.delete("/_emulator/faults", params={"operation": "feeds.createFeed"})
    await eventually(lambda: throttled("feeds.getFeed"), 30, "getFeed refused twice")
    await scenario.amazon.delete("/_emulator/faults", params={"operation": "feeds.getFeed"})
    done = await scenario.check_one_feed_and_its_results(feed_id, rows)
    assert (done.attempts, done.failures) == (0, 0), "throttling never counts as a failure"
    # Amazon made nothing when it refused: each refused createFeed went back to `uploaded`, so no
    # step ever had a createFeed to look for at Amazon.
    log = (await scenario.amazon.get("/_emulator/requests")).json()
    assert not any(e.get("operation") == "feeds.getFeeds" for e in log), "no recovery was needed"


async def test_an_expired_result_url_is_fetched_again(scenario: Scenario) -> None:
    await scenario.start("feeds-expired-url")
    # The URL getFeedDocument hands out lives 3 s; its answer is held 4 s: it arrives expired.
    await scenario.fault(operation="feeds.getFeedDocument", latency_after_ms=4000, count=1)
    rows = await update_rows(scenario)
    feed_id = await scenario.send_bulk(rows)
    await scenario.check_one_feed_and_its_results(feed_id, rows)
    log = (await scenario.amazon.get("/_emulator/requests")).json()
    downloads = [e["status"] for e in log if e.get("operation") == "documents.get"]
    assert 403 in downloads and downloads[-1] == 200, downloads
    assert sum(1 for e in log if e.get("operation") == "feeds.getFeedDocument") == 2
