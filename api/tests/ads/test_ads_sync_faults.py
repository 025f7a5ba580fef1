"""How the Ads datasets meet Amazon's refusals, in-process: a 429 parks the run (no sleeping retry), a
425 joins the report Amazon is already making, a FAILED report is asked for again later and later
and the window is never lost. (The same with real processes killed and restarted: the end-to-end
fault tests.)"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from amazon_emulator.config import EmulatorConfig
from fastapi import FastAPI
from sqlalchemy import func, select

from app.ads.models import AdsSpAdvertisedProductDaily
from app.adsapi.usage_plans import plan_for
from app.documents.models import AmazonDocument
from app.sync import planner
from app.sync.models import Job, SyncState
from tests.ads.support import AdsHarness
from tests.amazon.support import request_log

pytestmark = pytest.mark.usefixtures("clean_state")

ADVERTISED = "ads_advertised_product"


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    # Reports take 300 Amazon seconds: half a real second at this scale, long enough to meet one in flight.
    return EmulatorConfig(
        seed=7, demo=True, demo_orders=200, time_scale=600, extra={"ads_report_processing_seconds": 300}
    )


# One token of createAsyncReport's plan at the rate the limiter keeps to (`RateLimiter` safety 0.97).
NEXT_SLOT_S = 1 / (plan_for("ads.createAsyncReport").rate * 0.97)


async def _row(h: AdsHarness, profile_id: str, entity: str = ADVERTISED) -> SyncState:
    return next(s for s in await h.states() if s.marketplace_id == profile_id and s.entity == entity)


async def test_a_429_parks_the_run_without_waiting_for_it(harness: AdsHarness) -> None:
    h = harness
    advertiser = await h.onboard()
    storm = {"operation": "ads.createAsyncReport", "throttle_storm_seconds": 30}
    assert (await h.http.post("/_emulator/faults", json=storm)).status_code == 200
    messages = await h.dispatch()
    reports = [m for m in messages if (await _entity(h, m)) != "ads_structure"]
    assert reports
    for message in messages:
        outcome = await h.run(message)
        if message not in reports:
            continue
        # Parked until Amazon's Retry-After (1 s) or our limiter's next slot: the 429 emptied the
        # bucket, so at most one token's refill at the plan's rate under the limiter's safety margin.
        # The claim is released: nothing slept in the run.
        assert outcome.kind == "throttled" and 0 < outcome.delay_s <= max(1.0, NEXT_SLOT_S)
        assert outcome.next_run_at > datetime.now(UTC)
    throttled = await request_log(h.http, operation="ads.createAsyncReport", status=429)
    # At most one call per run: a sleeping retry would have asked again.
    assert 1 <= len(throttled) <= len(reports)
    assert await request_log(h.http, operation="ads.createAsyncReport", status=200) == []
    async with h.sessionmaker() as session:
        counted = await session.scalar(
            select(func.sum(Job.throttled_429)).where(Job.entity != "ads_structure")
        )
    assert counted == len(throttled)
    await h.http.delete("/_emulator/faults")
    await h.until_synced()
    assert await _stored(h) > 0
    assert len(advertiser.profile_ids) >= 2


async def _entity(h: AdsHarness, message: dict[str, str]) -> str:
    return next(s.entity for s in await h.states() if str(s.id) == message["state_id"])


async def _stored(h: AdsHarness) -> int:
    async with h.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(AdsSpAdvertisedProductDaily)) or 0)


async def test_a_425_joins_the_report_amazon_is_making(harness: AdsHarness, emulator_app: FastAPI) -> None:
    h = harness
    advertiser = await h.onboard()
    profile_id = advertiser.profile_ids[0]
    request = await h.first_report_request(advertiser, profile_id)
    client = await h.clients.ads(advertiser.connection_id, profile_id=profile_id, max_wait_s=10.0)
    # Someone (a crashed run, the console) already asked Amazon for that very report, which takes
    # Amazon a while (10 real seconds here).
    extra = emulator_app.state.emulator.config.extra
    extra["ads_report_processing_seconds"] = 6000
    already = await client.create_report(request.spec)
    extra["ads_report_processing_seconds"] = 300
    await h.until_synced()
    statuses = [e["status"] for e in await request_log(h.http, operation="ads.createAsyncReport")]
    assert 425 in statuses
    async with h.sessionmaker() as session:
        records = list(
            (
                await session.execute(select(AmazonDocument).where(AmazonDocument.request_key == request.key))
            ).scalars()
        )
    assert [(r.amazon_id, r.status) for r in records] == [(already.report_id, "done")]
    assert await _stored(h) > 0


async def test_a_failed_report_is_asked_for_again_later_and_later(
    harness: AdsHarness, emulator_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    monkeypatch.setattr(planner, "FAILED_DOCUMENT_RETRY_MIN_S", 0.5)
    extra = emulator_app.state.emulator.config.extra
    extra["ads_report_failure_rate"] = 1.0
    advertiser = await h.onboard()
    profile_id = advertiser.profile_ids[0]
    failures: list[int] = []
    delays: list[float] = []
    # Bounded by time, not by a count of turns: on a loaded machine 200 turns passed before the
    # third failure's retry came due.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        row = await _row(h, profile_id)
        cursor = (row.extra or {}).get("backfill") or {}
        if cursor.get("failures", 0) >= 3:
            break
        for message in await h.dispatch():
            await h.run(message)
            seen = ((await _row(h, profile_id)).extra or {}).get("backfill") or {}
            if seen.get("failures") and (not failures or seen["failures"] != failures[-1]):
                failures.append(seen["failures"])
                retry_at = datetime.fromisoformat(seen["retry_at"])
                delays.append((retry_at - datetime.now(UTC)).total_seconds())
        await asyncio.sleep(0.05)
    # Each failure waits longer before the window's report is asked for again; the window stays open.
    assert failures[:3] == [1, 2, 3]
    assert delays[0] < delays[1] < delays[2]
    row = await _row(h, profile_id)
    assert row.backfill_done_until is None and row.backfill_completed_at is None
    extra["ads_report_failure_rate"] = 0.0
    await h.until_synced()
    row = await _row(h, profile_id)
    assert row.backfill_completed_at is not None
    key_prefix = f"spAdvertisedProduct|{profile_id}|{row.backfill_from.date().isoformat()}|"  # type: ignore[union-attr]
    async with h.sessionmaker() as session:
        records = list(
            (
                await session.execute(
                    select(AmazonDocument).where(AmazonDocument.request_key.startswith(key_prefix))
                )
            ).scalars()
        )
    statuses = sorted(r.status for r in records)
    assert statuses.count("done") == 1 and statuses.count("fatal") >= 3, statuses
    assert await _stored(h) > 0
    assert datetime.now(UTC) - row.backfill_completed_at < timedelta(minutes=5)  # type: ignore[operator]
