"""`AdsRepository`: report rows mapped as Amazon wrote them, upserts that count what they did, and a
second write of the same rows that changes nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.ads.models import AdsCampaign, AdsSpAdvertisedProductDaily, AdsSpPurchasedProductDaily
from app.ads.report_mapping import advertised_row, purchased_row
from app.ads.repository import AdsRepository
from app.ads.structure_sync import campaign_row
from app.adsapi.reports import AdvertisedProductRow, PurchasedProductRow
from app.sync.dataset import Counts
from tests.factories.ads import make_ads_profile


def report_row(day: str, ad: int, **metrics: Any) -> AdvertisedProductRow:
    """An spAdvertisedProduct row as Amazon's file has it (ids as numbers), decoded as the report
    client decodes it."""
    row = {
        "date": day,
        "campaignId": 1000,
        "adGroupId": 2000,
        "adId": ad,
        "advertisedAsin": " b0test0001",
        "advertisedSku": "SKU-1",
        "campaignBudgetCurrencyCode": "USD",
        "impressions": 300,
        "clicks": 4,
        "cost": 3.10,
        "sales7d": 25.99,
        "purchases7d": 1,
        "unitsSoldClicks7d": 1,
        "attributedSalesSameSku7d": 25.99,
        "sales30d": None,
        **metrics,
    }
    # The amounts' text as Amazon writes it ("3.10", not 3.1).
    text = json.dumps(row).replace('"cost": 3.1,', '"cost": 3.10,')
    return msgspec.json.decode(text, type=AdvertisedProductRow)


def stored_advertised(session: AsyncSession) -> Any:
    table = AdsSpAdvertisedProductDaily
    return session.execute(
        select(
            table.date,
            table.campaign_id,
            table.ad_id,
            table.advertised_asin,
            table.advertised_sku,
            table.cost,
            table.sales_7d,
            table.sales_same_sku_7d,
            table.sales_30d,
            table.clicks,
            table.purchases_7d,
            table.units_sold_7d,
            table.purchases_14d,
        ).order_by(table.date, table.ad_id)
    )


async def test_a_report_row_becomes_the_table_columns(session: AsyncSession) -> None:
    profile = await make_ads_profile(session)
    row = report_row("2026-11-02", 31, advertisedSku="  ")
    assert row.cost == Decimal("3.10") and row.adId == 31
    assert advertised_row(row) is row
    assert advertised_row(msgspec.convert({"date": "2026-11-02"}, AdvertisedProductRow)) is None
    assert advertised_row(msgspec.convert({"adId": 5}, AdvertisedProductRow)) is None
    await AdsRepository(session).upsert_advertised_daily(profile.tenant_id, profile.profile_id, [row])
    stored = (await stored_advertised(session)).one()
    assert tuple(stored) == (
        date(2026, 11, 2),
        "1000",
        "31",
        "B0TEST0001",
        None,
        Decimal("3.10"),
        Decimal("25.99"),
        Decimal("25.99"),
        Decimal(0),
        4,
        1,
        1,
        0,
    )
    halo = purchased_row(
        msgspec.convert(
            {
                "date": "2026-11-02",
                "campaignId": "1",
                "adGroupId": "2",
                "advertisedAsin": "B01",
                "purchasedAsin": "b02",
            },
            PurchasedProductRow,
        )
    )
    assert halo is not None and halo["advertised_sku"] == "" and halo["sales_7d"] == Decimal(0)
    assert halo["purchased_asin"] == "B02" and halo["date"] == date(2026, 11, 2)


async def test_text_that_needs_quoting_is_stored_as_written(session: AsyncSession) -> None:
    """SKUs are the seller's own text: quotes, commas, backslashes, brackets and line breaks reach
    the table as they are (the COPY's careful path), in the same batch as plain rows."""
    profile = await make_ads_profile(session)
    skus = ['a "quoted", sku', "back\\slash", "x],[y", "two\nlines", "null", "plain"]
    rows = [report_row("2026-11-03", 40 + i, advertisedSku=sku) for i, sku in enumerate(skus)]
    counts = await AdsRepository(session).upsert_advertised_daily(profile.tenant_id, profile.profile_id, rows)
    assert counts == Counts(seen=len(skus), inserted=len(skus))
    assert [r.advertised_sku for r in (await stored_advertised(session)).all()] == skus


async def test_upserts_count_and_a_second_write_changes_nothing(session: AsyncSession) -> None:
    profile = await make_ads_profile(session)
    repo = AdsRepository(session)
    day_rows = [report_row(f"2026-11-{d:02d}", ad) for d in (1, 2) for ad in (31, 32)]
    first = await repo.upsert_advertised_daily(profile.tenant_id, profile.profile_id, day_rows)
    assert first == Counts(seen=4, inserted=4)
    again = await repo.upsert_advertised_daily(profile.tenant_id, profile.profile_id, day_rows)
    assert again == Counts(seen=4, unchanged=4)
    # A key twice in one batch: the last row is the one kept.
    restated = [report_row("2026-11-01", 31), report_row("2026-11-01", 31, sales7d=51.98, purchases7d=2)]
    changed = await repo.upsert_advertised_daily(profile.tenant_id, profile.profile_id, restated)
    assert changed == Counts(seen=2, updated=1)
    stored = (
        await session.execute(
            select(AdsSpAdvertisedProductDaily.sales_7d, AdsSpAdvertisedProductDaily.purchases_7d).where(
                AdsSpAdvertisedProductDaily.ad_id == "31",
                AdsSpAdvertisedProductDaily.date == date(2026, 11, 1),
            )
        )
    ).one()
    assert tuple(stored) == (Decimal("51.98"), 2)


async def test_purchased_rows_upsert_idempotently(session: AsyncSession) -> None:
    profile = await make_ads_profile(session)
    repo = AdsRepository(session)
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
