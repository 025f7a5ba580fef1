"""`AdsRepository`: report rows mapped as Amazon wrote them, upserts that count what they did, and a
second write of the same rows that changes nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.ads.models import AdsCampaign, AdsSpAdvertisedProductDaily, AdsSpPurchasedProductDaily
from app.ads.report_mapping import advertised_row, purchased_row
from app.ads.repository import AdsRepository
from app.ads.structure_sync import campaign_row
from app.adsapi.reports import normalise_row
from app.sync.dataset import Counts
from tests.factories.ads import make_ads_profile


def report_row(day: str, ad: int, **metrics: Any) -> dict[str, Any]:
    """An spAdvertisedProduct row as Amazon's file has it (ids as numbers)."""
    return normalise_row(
        {
            "date": day,
            "campaignId": 1000,
            "adGroupId": 2000,
            "adId": ad,
            "advertisedAsin": "b0test0001",
            "advertisedSku": "SKU-1",
            "campaignBudgetCurrencyCode": "USD",
            "impressions": 300,
            "clicks": 4,
            "cost": 3.1,
            "sales7d": 25.99,
            "purchases7d": 1,
            "unitsSoldClicks7d": 1,
            "attributedSalesSameSku7d": 25.99,
            "sales30d": None,
            **metrics,
        }
    )


def test_a_report_row_becomes_the_table_columns() -> None:
    row = advertised_row(report_row("2026-11-02", 31))
    assert row is not None
    assert (row["date"], row["campaign_id"], row["ad_id"], row["advertised_asin"]) == (
        date(2026, 11, 2),
        "1000",
        "31",
        "B0TEST0001",
    )
    assert (row["cost"], row["sales_7d"], row["sales_same_sku_7d"], row["sales_30d"]) == (
        Decimal("3.1"),
        Decimal("25.99"),
        Decimal("25.99"),
        Decimal(0),
    )
    assert (row["clicks"], row["purchases_7d"], row["units_sold_7d"], row["purchases_14d"]) == (4, 1, 1, 0)
    assert advertised_row({"date": "2026-11-02"}) is None
    halo = purchased_row(
        {
            "date": "2026-11-02",
            "campaignId": "1",
            "adGroupId": "2",
            "advertisedAsin": "B01",
            "purchasedAsin": "B02",
        }
    )
    assert halo is not None and halo["advertised_sku"] == "" and halo["sales_7d"] == Decimal(0)


async def test_upserts_count_and_a_second_write_changes_nothing(session: AsyncSession) -> None:
    profile = await make_ads_profile(session)
    repo = AdsRepository(session)
    rows = [advertised_row(report_row(f"2026-11-{d:02d}", ad)) for d in (1, 2) for ad in (31, 32)]
    day_rows = [r for r in rows if r is not None]
    first = await repo.upsert_advertised_daily(profile.tenant_id, profile.profile_id, day_rows)
    assert first == Counts(seen=4, inserted=4)
    again = await repo.upsert_advertised_daily(profile.tenant_id, profile.profile_id, day_rows)
    assert again == Counts(seen=4, unchanged=4)
    restated = [advertised_row(report_row("2026-11-01", 31, sales7d=51.98, purchases7d=2))]
    changed = await repo.upsert_advertised_daily(profile.tenant_id, profile.profile_id, restated)  # type: ignore[arg-type]
    assert changed == Counts(seen=1, updated=1)
    stored = (
        await session.execute(
            select(AdsSpAdvertisedProductDaily.sales_7d, AdsSpAdvertisedProductDaily.purchases_7d).where(
                AdsSpAdvertisedProductDaily.ad_id == "31",
                AdsSpAdvertisedProductDaily.date == date(2026, 11, 1),
            )
        )
    ).one()
    assert tuple(stored) == (Decimal("51.98"), 2)

    halo = {
        "date": date(2026, 11, 1),
        "campaign_id": "1000",
        "ad_group_id": "2000",
        "advertised_asin": "B0TEST0001",
        "advertised_sku": "",
        "purchased_asin": "B0OTHER001",
        "currency": "USD",
        "sales_7d": Decimal("9.99"),
        "sales_14d": Decimal("9.99"),
        "purchases_7d": 1,
        "purchases_14d": 1,
        "units_7d": 1,
        "units_14d": 1,
    }
    assert await repo.upsert_purchased_daily(profile.tenant_id, profile.profile_id, [halo]) == Counts(1, 1)
    assert await repo.upsert_purchased_daily(profile.tenant_id, profile.profile_id, [halo]) == Counts(
        seen=1, unchanged=1
    )
    assert len((await session.execute(select(AdsSpPurchasedProductDaily))).all()) == 1


async def test_structure_upserts_are_idempotent(session: AsyncSession) -> None:
    profile = await make_ads_profile(session)
    repo = AdsRepository(session)
    item = {
        "campaignId": "77",
        "name": "Bottles",
        "state": "ENABLED",
        "targetingType": "AUTO",
        "budget": {"budget": 25.5, "budgetType": "DAILY"},
        "startDate": "2026-09-01",
    }
    assert await repo.upsert_campaigns(profile.tenant_id, profile.profile_id, [campaign_row(item)]) == Counts(
        1, 1
    )
    assert await repo.upsert_campaigns(profile.tenant_id, profile.profile_id, [campaign_row(item)]) == Counts(
        seen=1, unchanged=1
    )
    paused = campaign_row({**item, "state": "PAUSED"})
    assert await repo.upsert_campaigns(profile.tenant_id, profile.profile_id, [paused]) == Counts(
        seen=1, updated=1
    )
    campaign = (await session.execute(select(AdsCampaign))).scalars().one()
    assert (campaign.state, campaign.budget, campaign.start_date) == (
        "PAUSED",
        Decimal("25.50"),
        date(2026, 9, 1),
    )
