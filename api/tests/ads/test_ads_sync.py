"""The Ads datasets through the sync engine against the emulator, in-process as the worker runs them:
onboarding gives every profile one row per dataset, the backfill stores what the emulator's truth
says, a re-run changes nothing, and the daily delta asks for exactly the restatement window."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import func, select

from app.ads.models import AdsAd, AdsAdGroup, AdsCampaign, AdsSpAdvertisedProductDaily
from app.ads.service import request_sync
from app.connections.models import AdsProfile
from app.documents.models import AmazonDocument
from app.kit.errors import NotFound
from app.sync.models import Job
from app.worker.enqueue import discard_buffered_jobs
from tests.ads.support import ADS_DATASETS, AdsHarness, Advertiser
from tests.amazon.support import request_log

pytestmark = pytest.mark.usefixtures("clean_state")


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    # Amazon's minutes in real tenths of a second: reports take 30 Amazon seconds, 60 creates a minute.
    return EmulatorConfig(
        seed=7, demo=True, demo_orders=400, time_scale=600, extra={"ads_report_processing_seconds": 30}
    )


async def _today(h: AdsHarness, profile_id: str) -> date:
    async with h.sessionmaker() as session:
        timezone = await session.scalar(
            select(AdsProfile.timezone).where(AdsProfile.profile_id == profile_id)
        )
    return datetime.now(UTC).astimezone(ZoneInfo(timezone or "UTC")).date()


async def _counts(h: AdsHarness) -> dict[str, int]:
    async with h.sessionmaker() as session:
        return {
            model.__tablename__: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (AdsCampaign, AdsAdGroup, AdsAd, AdsSpAdvertisedProductDaily)
        }


async def test_onboarding_syncs_every_profile_as_the_truth_says(harness: AdsHarness) -> None:
    h = harness
    advertiser: Advertiser = await h.onboard()
    assert len(advertiser.profile_ids) >= 2
    assert sorted((s.marketplace_id, s.entity) for s in await h.states()) == [
        (p, e) for p in advertiser.profile_ids for e in ADS_DATASETS
    ]
    await h.until_synced()
    counts = await _counts(h)
    assert all(counts.values()), counts
    for profile_id in advertiser.profile_ids:
        today = await _today(h, profile_id)
        first, last = today - timedelta(days=94), today - timedelta(days=1)
        truth = await h.truth(profile_id, first, last)
        ours = await h.stored_by_asin(profile_id, first, last)
        assert truth["byAdvertisedAsin"], profile_id
        assert set(ours) <= set(truth["byAdvertisedAsin"])
        for asin, want in truth["byAdvertisedAsin"].items():
            cost, sales, clicks, rows = ours.get(asin, (0, 0, 0, 0))
            # Amazon rounds each row's money to the cent; the truth rounds the sum.
            cents = 0.005 * rows + 0.01
            assert clicks == want["clicks"], (profile_id, asin)
            assert float(cost) == pytest.approx(want["cost"], abs=cents), (profile_id, asin)
            assert float(sales) == pytest.approx(want["sales7d"], abs=cents), (profile_id, asin)
    async with h.sessionmaker() as session:
        jobs = list((await session.execute(select(Job))).scalars())
    assert jobs and all(j.status == "done" for j in jobs)
    backfills = [j for j in jobs if j.kind == "backfill" and j.entity != "ads_structure"]
    # 95 days less the restatement window (the deltas'): 66 local days in windows of at most 31.
    assert len(backfills) == 3 * 2 * len(advertiser.profile_ids)
    assert all(j.window_end - j.window_start <= timedelta(days=31) for j in backfills)
    assert sorted({(j.window_end - j.window_start).days for j in backfills}) == [4, 31]


async def test_running_the_backfill_again_changes_nothing(harness: AdsHarness) -> None:
    h = harness
    await h.onboard()
    await h.until_synced()
    before = await _counts(h)
    started = datetime.now(UTC)
    await h.rewind_backfill()
    await h.until_synced()
    async with h.sessionmaker() as session:
        again = list(
            (
                await session.execute(select(Job).where(Job.kind == "backfill", Job.created_at >= started))
            ).scalars()
        )
    reports = [j for j in again if j.entity != "ads_structure"]
    assert reports and all(j.status == "done" for j in reports)
    assert sum(j.orders_inserted + j.orders_updated for j in reports) == 0
    assert sum(j.orders_seen for j in reports) == sum((j.result or {})["unchanged"] for j in reports) > 0
    assert await _counts(h) == before


async def test_the_daily_delta_asks_for_the_restatement_window_only(harness: AdsHarness) -> None:
    h = harness
    advertiser = await h.onboard()
    await h.until_synced()
    await h.http.delete("/_emulator/requests")
    asked_from = datetime.now(UTC)
    assert await h.sync_now(advertiser.tenant_id) == 3 * len(advertiser.profile_ids)
    await h.until_synced()
    creates = await request_log(h.http, operation="ads.createAsyncReport")
    assert [e["status"] for e in creates] == [200] * 2 * len(advertiser.profile_ids)
    async with h.sessionmaker() as session:
        documents = list(
            (
                await session.execute(select(AmazonDocument).where(AmazonDocument.created_at >= asked_from))
            ).scalars()
        )
    assert len(documents) == len(creates)
    for document in documents:
        profile_id = document.request_key.split("|")[1]
        today = await _today(h, profile_id)
        client = await h.clients.ads(advertiser.connection_id, profile_id=profile_id, max_wait_s=10.0)
        report = await client.get_report(str(document.amazon_id))
        # What Amazon was asked for, by its own record: the 28 days before today, and today.
        assert (report.start_date, report.end_date) == (today - timedelta(days=28), today)
        assert document.status == "done"


async def test_sync_now_for_an_unknown_profile_is_refused(harness: AdsHarness) -> None:
    advertiser = await harness.onboard()
    async with harness.sessionmaker() as session:
        with pytest.raises(NotFound):
            await request_sync(session, advertiser.tenant_id, "999")
        assert await request_sync(session, uuid.uuid4(), None) == 0
        with pytest.raises(NotFound):  # another tenant's profile
            await request_sync(session, uuid.uuid4(), advertiser.profile_ids[0])
        discard_buffered_jobs(session)
    assert await harness.sync_now(advertiser.tenant_id, advertiser.profile_ids[0]) == 3
