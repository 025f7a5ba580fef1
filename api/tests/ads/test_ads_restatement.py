"""Amazon restates a past day's conversions (for up to 28 days): after the next daily run the stored
day equals Amazon's new numbers, per ASIN and for the halo, and no day older than the restatement
window is asked for again or written again. In-process, as the worker runs it (`tests.ads.support`);
the emulator restates through `POST /_emulator/ads/{profileId}/restate`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from amazon_emulator.apis._ads_common import store
from amazon_emulator.config import EmulatorConfig
from fastapi import FastAPI
from sqlalchemy import func, select

from app.ads.models import AdsSpAdvertisedProductDaily, AdsSpPurchasedProductDaily
from app.connections.models import AdsProfile
from tests.ads.support import AdsHarness
from tests.amazon.support import request_log

pytestmark = pytest.mark.usefixtures("clean_tables")

RESTATEMENT_DAYS = 28
# Stored column -> the emulator's truth of a day and ASIN (spAdvertisedProduct).
ADVERTISED = {
    "cost": "cost",
    "sales_7d": "sales7d",
    "sales_14d": "sales14d",
    "purchases_7d": "purchases7d",
    "purchases_14d": "purchases14d",
    "units_sold_7d": "unitsSoldClicks7d",
    "units_sold_14d": "unitsSoldClicks14d",
    "sales_same_sku_7d": "attributedSalesSameSku7d",
}
# Stored column -> the truth's halo per advertised ASIN (spPurchasedProduct).
HALO = {
    "sales_7d": "sales7d",
    "sales_14d": "sales14d",
    "units_7d": "unitsSoldClicks7d",
    "units_14d": "unitsSoldClicks14d",
    "purchases_7d": "purchases7d",
    "purchases_14d": "purchases14d",
}
MONEY = {"cost", "sales_7d", "sales_14d", "sales_same_sku_7d"}


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    # Amazon's minutes in real tenths of a second: reports take 30 Amazon seconds.
    return EmulatorConfig(
        seed=11, demo=True, demo_orders=1500, time_scale=600, extra={"ads_report_processing_seconds": 30}
    )


async def _today(h: AdsHarness, profile_id: str) -> date:
    async with h.sessionmaker() as session:
        timezone = await session.scalar(
            select(AdsProfile.timezone).where(AdsProfile.profile_id == profile_id)
        )
    return datetime.now(UTC).astimezone(ZoneInfo(timezone or "UTC")).date()


Sums = dict[str, tuple[dict[str, Decimal | int], int]]


async def _stored_day(h: AdsHarness, profile_id: str, day: date) -> Sums:
    """Per advertised ASIN of one local day: the sums of `ADVERTISED`'s columns, and the rows."""
    table = AdsSpAdvertisedProductDaily
    columns = [func.sum(getattr(table, c)) for c in ADVERTISED]
    async with h.sessionmaker() as session:
        rows = await session.execute(
            select(table.advertised_asin, func.count(), *columns)
            .where(table.profile_id == profile_id, table.date == day)
            .group_by(table.advertised_asin)
        )
        return {asin: (dict(zip(ADVERTISED, sums, strict=True)), n) for asin, n, *sums in rows.all()}


async def _stored_halo(h: AdsHarness, profile_id: str, first: date, last: date) -> Sums:
    table = AdsSpPurchasedProductDaily
    columns = [func.sum(getattr(table, c)) for c in HALO]
    async with h.sessionmaker() as session:
        rows = await session.execute(
            select(table.advertised_asin, func.count(), *columns)
            .where(table.profile_id == profile_id, table.date >= first, table.date <= last)
            .group_by(table.advertised_asin)
        )
        return {asin: (dict(zip(HALO, sums, strict=True)), n) for asin, n, *sums in rows.all()}


def _differences(stored: Sums, truth: dict[str, dict[str, Any]], fields: dict[str, str]) -> list[Any]:
    """What differs between the stored sums and the truth, per ASIN and column (money within the
    cents each stored row was rounded to: the truth rounds the sum)."""
    out: list[Any] = []
    for asin in sorted(set(stored) | set(truth)):
        sums, rows = stored.get(asin, ({}, 0))
        want = truth.get(asin, {})
        for column, field in fields.items():
            ours, theirs = sums.get(column) or 0, want.get(field, 0)
            slack = 0.005 * rows + 0.001 if column in MONEY else 0
            if abs(float(ours) - float(theirs)) > slack:
                out.append((asin, column, ours, theirs))
    return out


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
    return min([await _today(h, p) for p in profile_ids]) - timedelta(days=RESTATEMENT_DAYS)


async def _restate(h: AdsHarness, profile_id: str, day: date) -> dict[str, Any]:
    response = await h.http.post(f"/_emulator/ads/{profile_id}/restate", json={"date": day.isoformat()})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _busiest(h: AdsHarness, profile_ids: list[str]) -> str:
    """The profile with the most clicks in its restatement window (the most to restate)."""
    clicks: dict[str, int] = {}
    for profile_id in profile_ids:
        today = await _today(h, profile_id)
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
    today = await _today(h, profile_id)
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
        assert _differences(await _stored_day(h, profile_id, day), day_truth, ADVERTISED), day

    reports_before = set(store(emulator_app.state.emulator).reports)
    cutoff = await _outside_every_window(h, advertiser.profile_ids)
    old_rows = await _rows_before(h, cutoff)
    assert old_rows
    await h.http.delete("/_emulator/requests")

    # The next daily run, forced as "Sync now" does.
    assert await h.sync_now(advertiser.tenant_id) == 3 * len(advertiser.profile_ids)
    await h.until_synced()

    # Every stored day of the profile (the restated ones included) equals Amazon's latest numbers.
    truth = await h.truth(profile_id, first, yesterday)
    day = first
    while day <= yesterday:
        day_truth = {
            asin: days[day.isoformat()]
            for asin, days in truth["byAsinDate"].items()
            if day.isoformat() in days
        }
        assert _differences(await _stored_day(h, profile_id, day), day_truth, ADVERTISED) == [], day
        day += timedelta(days=1)
    # The halo (purchased-product rows) per advertised ASIN, of every profile, likewise.
    for each in advertiser.profile_ids:
        each_today = await _today(h, each)
        each_first, each_last = each_today - timedelta(days=94), each_today - timedelta(days=1)
        halo_truth = (await h.truth(each, each_first, each_last))["purchasedByAdvertisedAsin"]
        halo = await _stored_halo(h, each, each_first, each_last)
        assert halo_truth and halo, each
        assert _differences(halo, halo_truth, HALO) == [], each

    # Nothing before the window was asked for again: the reports Amazon made since cover the
    # restatement window only (two per profile), and the older days' rows were not touched.
    creates = await request_log(h.http, operation="ads.createAsyncReport")
    assert [e["status"] for e in creates] == [200] * 2 * len(advertiser.profile_ids)
    made = [r for key, r in store(emulator_app.state.emulator).reports.items() if key not in reports_before]
    assert len(made) == len(creates)
    for report in made:
        profile_today = await _today(h, str(report.profile_id))
        asked = (report.request.start, report.request.end)
        assert asked == (profile_today - timedelta(days=RESTATEMENT_DAYS), profile_today), asked
    assert await _rows_before(h, cutoff) == old_rows
