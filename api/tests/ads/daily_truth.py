"""The Ads daily tables against the emulator's truth (`GET /_emulator/ads/{profileId}/truth`): per
advertised ASIN and local day, and the halo per advertised ASIN."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.ads.models import AdsSpAdvertisedProductDaily, AdsSpPurchasedProductDaily
from app.ads.report_mapping import PURCHASED_KEY
from app.connections.models import AdsProfile
from tests.ads.support import AdsHarness

RESTATEMENT_DAYS = 28
HISTORY_DAYS = 95
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


async def local_today(h: AdsHarness, profile_id: str) -> date:
    async with h.sessionmaker() as session:
        timezone = await session.scalar(
            select(AdsProfile.timezone).where(AdsProfile.profile_id == profile_id)
        )
    return datetime.now(UTC).astimezone(ZoneInfo(timezone or "UTC")).date()


Sums = dict[str, tuple[dict[str, Decimal | int], int]]


async def stored_day(h: AdsHarness, profile_id: str, day: date) -> Sums:
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


async def stored_halo(h: AdsHarness, profile_id: str, first: date, last: date) -> Sums:
    table = AdsSpPurchasedProductDaily
    columns = [func.sum(getattr(table, c)) for c in HALO]
    async with h.sessionmaker() as session:
        rows = await session.execute(
            select(table.advertised_asin, func.count(), *columns)
            .where(table.profile_id == profile_id, table.date >= first, table.date <= last)
            .group_by(table.advertised_asin)
        )
        return {asin: (dict(zip(HALO, sums, strict=True)), n) for asin, n, *sums in rows.all()}


def differences(stored: Sums, truth: dict[str, dict[str, Any]], fields: dict[str, str]) -> list[Any]:
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


async def assert_every_day_as_amazon_says(h: AdsHarness, profile_ids: list[str]) -> None:
    """Every stored local day of the profiles' history up to yesterday equals Amazon's latest
    numbers per advertised ASIN, and the halo per advertised ASIN too."""
    for profile_id in profile_ids:
        today = await local_today(h, profile_id)
        first, last = today - timedelta(days=HISTORY_DAYS - 1), today - timedelta(days=1)
        truth = await h.truth(profile_id, first, last)
        day = first
        while day <= last:
            key = day.isoformat()
            day_truth = {asin: days[key] for asin, days in truth["byAsinDate"].items() if key in days}
            assert differences(await stored_day(h, profile_id, day), day_truth, ADVERTISED) == [], (
                profile_id,
                day,
            )
            day += timedelta(days=1)
        halo = await stored_halo(h, profile_id, first, last)
        assert differences(halo, truth["purchasedByAdvertisedAsin"], HALO) == [], profile_id


async def no_duplicate_keys(h: AdsHarness) -> None:
    """No daily row twice for its key (count per key)."""
    keys = ((AdsSpAdvertisedProductDaily, ("date", "ad_id")), (AdsSpPurchasedProductDaily, PURCHASED_KEY))
    async with h.sessionmaker() as session:
        for table, key in keys:
            columns = [table.tenant_id, table.profile_id, *(getattr(table, c) for c in key)]
            counted = select(*columns, func.count()).group_by(*columns).having(func.count() > 1)
            assert (await session.execute(counted)).all() == [], table.__tablename__
