"""Amazon restates a past day's conversions (for up to 28 days): after the next daily run the stored
day equals Amazon's new numbers, per ASIN and for the halo, and no day older than the restatement
window is asked for again or written again. In-process, as the worker runs it (`tests.ads.support`);
the emulator restates through `POST /_emulator/ads/{profileId}/restate`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from amazon_emulator.apis._ads_common import store
from amazon_emulator.config import EmulatorConfig
from fastapi import FastAPI
from sqlalchemy import select

from app.ads.models import AdsSpAdvertisedProductDaily, AdsSpPurchasedProductDaily
from tests.ads.daily_truth import (
    ADVERTISED,
    RESTATEMENT_DAYS,
    assert_every_day_as_amazon_says,
    differences,
    local_today,
    no_duplicate_keys,
    stored_day,
)
from tests.ads.support import AdsHarness
from tests.amazon.support import request_log

pytestmark = pytest.mark.usefixtures("clean_state")


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    # Amazon's minutes in real tenths of a second: reports take 30 Amazon seconds.
    return EmulatorConfig(
        seed=11, demo=True, demo_orders=1500, time_scale=600, extra={"ads_report_processing_seconds": 30}
    )


async def _rows_before(h: AdsHarness, before: date) -> set[tuple[Any, ...]]:
    """Every stored daily row (both tables, every profile) of the days before `before`, whole
    (`updated_at` included: a row written again with the same values would still show)."""
    out: set[tuple[Any, ...]] = set()
    async with h.sessionmaker() as session:
        for table in (AdsSpAdvertisedProductDaily, AdsSpPurchasedProductDaily):
            columns = list(table.__table__.columns)
            found = await session.execute(select(*columns).where(table.date < before))
            out.update((table.__tablename__, *row) for row in found.all())
    return out


async def _outside_every_window(h: AdsHarness, profile_ids: list[str]) -> date:
    """The first day still in some profile's restatement window."""
    return min([await local_today(h, p) for p in profile_ids]) - timedelta(days=RESTATEMENT_DAYS)


async def _restate(h: AdsHarness, profile_id: str, day: date) -> dict[str, Any]:
    response = await h.http.post(f"/_emulator/ads/{profile_id}/restate", json={"date": day.isoformat()})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _busiest(h: AdsHarness, profile_ids: list[str]) -> str:
    """The profile with the most clicks in its restatement window (the most to restate)."""
    clicks: dict[str, int] = {}
    for profile_id in profile_ids:
        today = await local_today(h, profile_id)
        truth = await h.truth(profile_id, today - timedelta(days=RESTATEMENT_DAYS), today)
        clicks[profile_id] = truth["totals"]["clicks"]
    return max(clicks, key=lambda p: clicks[p])


async def _restate_one(h: AdsHarness, profile_id: str, days: list[date]) -> date:
    """Restate the first of `days` whose conversions Amazon changes; that day."""
    for day in days:
        answer = await _restate(h, profile_id, day)
        if answer["after"]["sales14d"] > answer["before"]["sales14d"]:
            return day
    raise AssertionError(f"no restatement changed any of {days}")


async def test_a_restated_day_is_stored_as_amazon_restates_it(
    harness: AdsHarness, emulator_app: FastAPI
) -> None:
    h = harness
    advertiser = await h.onboard()
    await h.until_synced()
    profile_id = await _busiest(h, advertiser.profile_ids)
    today = await local_today(h, profile_id)
    oldest = today - timedelta(days=RESTATEMENT_DAYS)
    first = today - timedelta(days=94)
    yesterday = today - timedelta(days=1)

    # A day older than the window cannot be restated (Amazon's numbers are final).
    too_old = await h.http.post(
        f"/_emulator/ads/{profile_id}/restate", json={"date": (oldest - timedelta(days=1)).isoformat()}
    )
    assert too_old.status_code == 422
    # Two days inside the window, one as close to its oldest day as can be and one as close to today
    # (a day without clicks or organic sales left has nothing to restate): Amazon credits more order
    # lines of those days to ads.
    window = [oldest + timedelta(days=n) for n in range(RESTATEMENT_DAYS)]
    early = await _restate_one(h, profile_id, window)
    late = await _restate_one(h, profile_id, [d for d in reversed(window) if d > early])
    restated = [early, late]
    truth = await h.truth(profile_id, first, yesterday)
    for day in restated:
        day_truth = {
            asin: days[day.isoformat()]
            for asin, days in truth["byAsinDate"].items()
            if day.isoformat() in days
        }
        # Stored as Amazon first reported them: the test can see a stale day.
        assert differences(await stored_day(h, profile_id, day), day_truth, ADVERTISED), day

    reports_before = set(store(emulator_app.state.emulator).reports)
    cutoff = await _outside_every_window(h, advertiser.profile_ids)
    old_rows = await _rows_before(h, cutoff)
    assert old_rows
    await h.http.delete("/_emulator/requests")

    # The next daily run, forced as "Sync now" does.
    assert await h.sync_now(advertiser.tenant_id) == 3 * len(advertiser.profile_ids)
    await h.until_synced()

    # Every stored day (the restated ones included) equals Amazon's latest numbers, the halo too.
    await assert_every_day_as_amazon_says(h, advertiser.profile_ids)
    await no_duplicate_keys(h)

    # Nothing before the window was asked for again: the reports Amazon made since cover the
    # restatement window only (two per profile), and the older days' rows were not touched.
    creates = await request_log(h.http, operation="ads.createAsyncReport")
    assert [e["status"] for e in creates] == [200] * 2 * len(advertiser.profile_ids)
    made = [r for key, r in store(emulator_app.state.emulator).reports.items() if key not in reports_before]
    assert len(made) == len(creates)
    for report in made:
        profile_today = await local_today(h, str(report.profile_id))
        asked = (report.request.start, report.request.end)
        assert asked == (profile_today - timedelta(days=RESTATEMENT_DAYS), profile_today), asked
    assert await _rows_before(h, cutoff) == old_rows
