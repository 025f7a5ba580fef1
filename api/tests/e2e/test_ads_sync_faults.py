"""Fault tests of the Ads sync with the product's real worker and scheduler processes against the
emulator (served from this process): each ends with every stored local day of every profile equal
to the emulator's truth (per advertised ASIN, and the halo), no daily row twice for its key, and the
emulator's own record of the reports it made showing no window asked for twice beyond what a FAILED
report requires.

* The worker SIGKILLed after createAsyncReport made the report and before the worker heard its id
  (the emulator holds its answer: `latency_after_ms`): the restarted worker asks again, meets 425
  (the report is still being made) and joins that report instead of making a second one. Then
  SIGKILLed while a finished report's file is being downloaded: it is read again, not asked for.
* A 425 for a report someone else already asked for, a 429 storm on createAsyncReport and
  getAsyncReport, and FAILED reports (asked for again after a growing delay; the test moves the
  product's clock past those delays instead of waiting minutes)."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from amazon_emulator.apis._ads_common import store
from amazon_emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SELLER_ID, EmulatorConfig
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker
from app.documents.models import AmazonDocument
from app.sync import planner
from app.sync.models import Job, SyncState
from app.worker.broker import setup_broker
from tests.ads.daily_truth import assert_every_day_as_amazon_says, no_duplicate_keys
from tests.ads.support import AdsHarness, Advertiser
from tests.amazon.support import LoopbackEmulator, request_log, settings_for
from tests.sync.procs import Product, eventually, product_env

pytestmark = pytest.mark.usefixtures("clean_state")

SCALE = 600.0
# Amazon seconds a report takes: 30 (0.05 real s), or 10 real minutes while a kill is aimed, so that
# the report the killed worker asked for is still being made when its successor asks again however
# slowly the machine restarts it (Amazon answers 425 only while the first is being made). The test
# lets those reports finish (`finish_now`) once it has what it needs from them.
QUICK, SLOW = 30, 360_000
# How long the emulator holds an answer the worker is killed waiting for.
HOLD_MS = 5000
# Settling takes 10-25 s alone; a loaded CI machine (the whole suite beside it) has been seen past 45.
SETTLED_S = 90


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(
        seed=11, demo=True, demo_orders=600, time_scale=SCALE, extra={"ads_report_processing_seconds": QUICK}
    )


@pytest.fixture
async def ads(
    engine: AsyncEngine, served: LoopbackEmulator, amazon: httpx.AsyncClient
) -> AsyncIterator[AdsHarness]:
    """Onboarding and the checks from this process; the runs are the product's processes'."""
    redis = aioredis.from_url(os.environ["REDIS_URL"])
    setup_broker()
    yield AdsHarness(engine, settings_for(served.url), amazon, redis)
    await redis.aclose()


def ads_product(url: str, name: str) -> Product:
    token_url = f"{url}/auth/o2/token"
    env = product_env(
        url, REDIS_LOCK_TTL_SEC="4", ADS_CLIENT_ID=DEMO_CLIENT_ID, ADS_CLIENT_SECRET=DEMO_CLIENT_SECRET
    )
    for region in ("NA", "EU", "FE"):
        env[f"ADS_API_BASE_{region}"] = url
        env[f"ADS_TOKEN_URL_{region}"] = token_url
    return Product(env, name)


def stop(product: Product) -> None:
    """Killed, not stopped: a worker's graceful shutdown can take the 20 s `Product.stop` allows,
    and nothing here needs it (the test is over)."""
    if product.worker is not None and product.worker.poll() is None:
        product.kill_worker()
    product.stop()


def processing(app: Any, amazon_seconds: int) -> None:
    app.state.emulator.config.extra["ads_report_processing_seconds"] = amazon_seconds


def reports(app: Any) -> list[Any]:
    """Every report the emulator made (its own record, with the request's dates)."""
    return list(store(app.state.emulator).reports.values())


def finish_now(app: Any, report_ids: set[str]) -> None:
    """The reports `report_ids` are done from now on (they were being made with `SLOW`)."""
    now = app.state.emulator.clock.time()
    for report in reports(app):
        if report.report_id in report_ids:
            report.processing_from = report.ready_at = min(report.ready_at, now)


def window_key(report: Any) -> str:
    """A report's window as the product keys its request (`AdsReportDataset.document_request`)."""
    request = report.request
    return f"{request.report_type.report_type_id}|{report.profile_id}|{request.start}|{request.end}"


def windows_asked(app: Any, *, failed: bool | None = None) -> Counter[str]:
    """How many reports the emulator made per window (only the FAILED ones, or only the others)."""
    return Counter(window_key(r) for r in reports(app) if failed is None or r.failed == failed)


async def settled(h: AdsHarness) -> bool:
    """Every row backfilled and its first delta done, no window in flight."""
    states = await h.states()
    return bool(states) and all(
        s.backfill_completed_at is not None
        and (s.extra or {}).get("last_delta_at")
        and not (s.extra or {}).get("delta")
        for s in states
    )


async def until_settled(h: AdsHarness, check: Callable[[], Awaitable[bool]]) -> None:
    """`check` true within `SETTLED_S`; else the rows still unsettled are added to the failure."""
    try:
        await eventually(check, SETTLED_S, "the Ads sync to settle")
    except AssertionError as exc:
        unsettled = [
            (
                s.entity,
                s.marketplace_id,
                s.backfill_done_until,
                s.next_run_at,
                s.claimed_by,
                s.last_error,
                s.extra,
            )
            for s in await h.states()
            if s.backfill_completed_at is None
            or (s.extra or {}).get("delta")
            or not (s.extra or {}).get("last_delta_at")
        ]
        exc.add_note(f"unsettled at {datetime.now(UTC).isoformat()}: {unsettled}")
        raise


async def hold_started(amazon: httpx.AsyncClient, operation: str) -> bool:
    faults = (await amazon.get("/_emulator/faults")).json()
    return any(f["operation"] == operation and f["remaining"] == 0 for f in faults)


async def throttled(amazon: httpx.AsyncClient, operation: str) -> bool:
    return len(await request_log(amazon, operation=operation, status=429)) >= 3


async def assert_synced_as_amazon_says(h: AdsHarness, advertiser: Advertiser) -> None:
    await assert_every_day_as_amazon_says(h, advertiser.profile_ids)
    await no_duplicate_keys(h)
    async with h.sessionmaker() as session:
        jobs = list((await session.execute(select(Job).where(Job.type == "sync"))).scalars())
    assert jobs and all(j.status == "done" for j in jobs), [
        (j.entity, j.kind, j.status, j.error) for j in jobs
    ]


async def test_worker_killed_mid_report_and_while_loading_it(
    ads: AdsHarness, served: LoopbackEmulator, amazon: httpx.AsyncClient, emulator_app: Any
) -> None:
    h = ads
    product = ads_product(served.url, "ads-kill")
    processing(emulator_app, SLOW)
    fault = {"operation": "ads.createAsyncReport", "latency_after_ms": HOLD_MS, "count": 1}
    assert (await amazon.post("/_emulator/faults", json=fault)).status_code == 200
    product.start_worker()
    product.start_scheduler()
    try:
        advertiser = await h.onboard()
        # Amazon made the report; its answer is held: the worker never hears the report id.
        await eventually(
            lambda: hold_started(amazon, "ads.createAsyncReport"), 30, "a held createAsyncReport", 0.1
        )
        await asyncio.sleep(0.3)
        product.kill_worker()
        await asyncio.sleep(1.0)
        made_before_kill = {window_key(r): r.report_id for r in reports(emulator_app)}
        async with h.sessionmaker() as session:
            unheard = list(
                (
                    await session.execute(select(AmazonDocument).where(AmazonDocument.amazon_id.is_(None)))
                ).scalars()
            )
        # Recorded before Amazon was asked; the held one (at least) was made by Amazon.
        made_unheard = [d.id for d in unheard if d.request_key in made_before_kill]
        assert made_unheard, "the kill landed after Amazon made a report and before its id was recorded"
        unheard_ids = {made_before_kill[d.request_key] for d in unheard if d.request_key in made_before_kill}
        # The reports the killed worker heard of need not wait. Every other report, made before the kill
        # or from now on, is made slowly until the new worker has heard the id of each window the killed
        # one had not: a request the killed worker sent may reach Amazon (a loaded emulator) after the
        # list above was taken, and a report of it made quickly would be done before the new worker asks
        # again (no 425 can join a done report: its window would be asked for twice).
        finish_now(emulator_app, set(made_before_kill.values()) - unheard_ids)
        # Then killed while a finished report's file is being downloaded (the answer held).
        await amazon.delete("/_emulator/faults")
        fault = {"operation": "ads.downloadReport", "latency_after_ms": HOLD_MS, "count": 1}
        assert (await amazon.post("/_emulator/faults", json=fault)).status_code == 200
        product.start_worker()

        async def all_heard() -> bool:
            async with h.sessionmaker() as session:
                found = await session.execute(
                    select(AmazonDocument.amazon_id).where(AmazonDocument.id.in_([d.id for d in unheard]))
                )
                return all(amazon_id is not None for amazon_id in found.scalars())

        await eventually(all_heard, SETTLED_S, "the new worker to learn the unheard reports' ids")
        # Reports asked for from now on take 0.05 s; every one made so far is done now.
        processing(emulator_app, QUICK)
        finish_now(emulator_app, {r.report_id for r in reports(emulator_app)})
        await eventually(lambda: hold_started(amazon, "ads.downloadReport"), 30, "a held download", 0.1)
        await asyncio.sleep(0.3)
        product.kill_worker()
        product.start_worker()

        await until_settled(h, lambda: settled(h))
        await assert_synced_as_amazon_says(h, advertiser)
        # The killed worker's report was joined (425), never made twice; no window was asked twice.
        creates = [e["status"] for e in await request_log(amazon, operation="ads.createAsyncReport")]
        assert 425 in creates, creates
        async with h.sessionmaker() as session:
            found = (
                await session.execute(select(AmazonDocument).where(AmazonDocument.id.in_(made_unheard)))
            ).scalars()
            joined = {d.request_key: d.amazon_id for d in found}
        assert joined == {key: made_before_kill[key] for key in joined}, (joined, made_before_kill)
        asked = windows_asked(emulator_app)
        assert all(n == 1 for n in asked.values()), asked
        # The interrupted download was read again from the same report.
        downloads = Counter(
            e["path"].split("/")[2] for e in await request_log(amazon, operation="ads.downloadReport")
        )
        assert max(downloads.values()) >= 2, downloads
    finally:
        stop(product)
        await amazon.delete("/_emulator/faults")


async def skip_failed_waits(engine: AsyncEngine, delays: list[float]) -> None:
    """Move the product's clock past the wait before a FAILED report's window is asked for again
    (a minute, then two...): the parked rows' `retry_at` and `next_run_at` become now. `delays`
    gets each wait as the product set it."""
    now = datetime.now(UTC)
    async with create_sessionmaker(engine)() as session:
        parked = list(
            (await session.execute(select(SyncState).where(SyncState.claimed_by.is_(None)))).scalars()
        )
        for state in parked:
            extra = dict(state.extra or {})
            changed = False
            for kind in ("backfill", "delta"):
                cursor = extra.get(kind) or {}
                retry_at = cursor.get("retry_at")
                if retry_at and datetime.fromisoformat(retry_at) > now:
                    delays.append((datetime.fromisoformat(retry_at) - now).total_seconds())
                    extra[kind] = {**cursor, "retry_at": now.isoformat()}
                    changed = True
            if changed:
                await session.execute(
                    update(SyncState)
                    .where(SyncState.id == state.id, SyncState.claimed_by.is_(None))
                    .values(extra=extra, next_run_at=now)
                )
        await session.commit()


async def test_425_429_storm_and_failed_reports(
    ads: AdsHarness,
    engine: AsyncEngine,
    served: LoopbackEmulator,
    amazon: httpx.AsyncClient,
    emulator_app: Any,
) -> None:
    h = ads
    product = ads_product(served.url, "ads-refusals")
    advertiser = await h.onboard()
    profile_id = advertiser.profile_ids[0]
    # Someone (the console, a crashed run) already asked for the first backfill window's report.
    request = await h.first_report_request(advertiser, profile_id)
    client = await h.clients.ads(advertiser.connection_id, profile_id=profile_id, max_wait_s=10.0)
    # Still being made when the worker asks, however long its start and the storms take on a loaded
    # machine; it is finished once the worker has met it.
    processing(emulator_app, SLOW)
    already = await client.create_report(request.spec)
    processing(emulator_app, QUICK)
    # The next two purchased-product reports fail; Amazon throttles both reporting calls for a while.
    outcome = {"api": "ads", "outcome": "FAILED", "count": 2, "report_type": "spPurchasedProduct"}
    assert (
        await amazon.post(f"/_emulator/sellers/{DEMO_SELLER_ID}/report-outcomes", json=outcome)
    ).status_code == 200
    storm = {"operation": "ads.createAsyncReport", "throttle_storm_seconds": 120}
    assert (await amazon.post("/_emulator/faults", json=storm)).status_code == 200
    product.start_worker()
    product.start_scheduler()
    try:
        # Storms that last until the worker has met them a few times (its start takes a moment).
        await eventually(lambda: throttled(amazon, "ads.createAsyncReport"), 30, "createAsyncReport refused")
        storm = {"operation": "ads.getAsyncReport", "throttle_storm_seconds": 120}
        assert (await amazon.post("/_emulator/faults", json=storm)).status_code == 200
        await amazon.delete("/_emulator/faults", params={"operation": "ads.createAsyncReport"})
        await eventually(lambda: throttled(amazon, "ads.getAsyncReport"), 30, "getAsyncReport refused")
        await amazon.delete("/_emulator/faults", params={"operation": "ads.getAsyncReport"})

        # Any 425 is not enough: a slow answer retried can meet the worker's own report. Wait for
        # the window's document to hold the report made before, which only its 425 can give it.
        async def joined_before() -> bool:
            async with h.sessionmaker() as session:
                ids = (
                    await session.execute(
                        select(AmazonDocument.amazon_id).where(AmazonDocument.request_key == request.key)
                    )
                ).scalars()
                return already.report_id in set(ids)

        await eventually(joined_before, 60, "the report made before joined after a 425")
        finish_now(emulator_app, {already.report_id})
        delays: list[float] = []

        async def settled_moving_the_clock() -> bool:
            await skip_failed_waits(engine, delays)
            return await settled(h)

        await until_settled(h, settled_moving_the_clock)
        await assert_synced_as_amazon_says(h, advertiser)
        log = await request_log(amazon)
        statuses = Counter((e["operation"], e["status"]) for e in log)
        assert statuses[("ads.createAsyncReport", 429)] and statuses[("ads.getAsyncReport", 429)], statuses
        assert statuses[("ads.createAsyncReport", 425)], statuses
        # The report asked for before was joined, not made again.
        async with h.sessionmaker() as session:
            joined = list(
                (
                    await session.execute(
                        select(AmazonDocument).where(AmazonDocument.request_key == request.key)
                    )
                ).scalars()
            )
        assert [(d.amazon_id, d.status) for d in joined] == [(already.report_id, "done")]
        # Each FAILED report's window was asked for again after a wait (a minute at least), and
        # every window has exactly one report that did not fail.
        failed = [r for r in reports(emulator_app) if r.failed]
        assert len(failed) == 2, failed
        assert delays and min(delays) >= 0.9 * planner.FAILED_DOCUMENT_RETRY_MIN_S, delays
        made = windows_asked(emulator_app, failed=False)
        assert all(n == 1 for n in made.values()), made
        assert windows_asked(emulator_app).total() == made.total() + len(failed)
    finally:
        stop(product)
        await amazon.delete("/_emulator/faults")
