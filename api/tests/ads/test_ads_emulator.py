"""The Ads client end to end against the emulator: Ads tokens from LWA, profiles, a Sponsored
Products report with a 425 duplicate reused, rows that add up to the emulator's truth, SP lists."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig

from app.adsapi import sp_advertised_product
from app.adsapi.reports import AdvertisedProductRow
from app.tokens.repository import ConnectionRef, MemoryTokenStore
from app.tokens.service import TokenManager
from tests.amazon.support import DEMO_SELLER_ID, request_log, self_authorize


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=400, extra={"ads_report_processing_seconds": 1})


@pytest.fixture
async def ads_connection(emulator_http: httpx.AsyncClient, token_store: MemoryTokenStore) -> ConnectionRef:
    connection = ConnectionRef(str(uuid.uuid4()), None, "amazon_ads", "NA", DEMO_SELLER_ID)
    token_store.tokens[connection.connection_id] = await self_authorize(emulator_http, kind="ads")
    return connection


async def test_ads_report_end_to_end_with_a_425_duplicate(
    token_manager: TokenManager, ads_connection: ConnectionRef, emulator_http: httpx.AsyncClient
) -> None:
    ads = token_manager.ads_client(ads_connection)
    profiles = await ads.list_profiles()
    us = next(p for p in profiles if p.account_info.marketplace_string_id == "ATVPDKIKX0DER")
    client = ads.for_profile(us.profile_id)
    end = date.today() - timedelta(days=2)
    start = end - timedelta(days=6)
    request = sp_advertised_product(start, end)
    first = await client.create_report(request)
    duplicate = await client.create_report(request)
    assert duplicate.report_id == first.report_id
    statuses = [e["status"] for e in await request_log(emulator_http, operation="ads.createAsyncReport")]
    assert statuses == [200, 425]
    report = first
    for _ in range(100):
        report = await client.get_report(first.report_id)
        if report.status in ("COMPLETED", "FAILED"):
            break
        await asyncio.sleep(0.1)
    assert report.status == "COMPLETED"
    rows = [row async for block in client.report_blocks(report, AdvertisedProductRow) for row in block]
    assert rows and all(r.campaignId is not None and r.adId is not None for r in rows)
    truth = (
        await emulator_http.get(
            f"/_emulator/ads/{us.profile_id}/truth",
            params={"start": start.isoformat(), "end": end.isoformat()},
        )
    ).json()
    assert sum(r.impressions or 0 for r in rows) == truth["totals"]["impressions"]
    assert sum(r.clicks or 0 for r in rows) == truth["totals"]["clicks"]
    # Amounts come as Decimals of the file's text (never through a float).
    assert all(type(r.cost) is Decimal for r in rows)
    assert float(sum(r.cost or 0 for r in rows)) == pytest.approx(truth["totals"]["cost"], abs=0.05)
    assert float(sum(r.sales7d or 0 for r in rows)) == pytest.approx(truth["totals"]["sales7d"], abs=0.05)
    log = await request_log(emulator_http)
    api_calls = [e for e in log if e["path"].startswith(("/v2/", "/reporting/", "/sp/"))]
    assert api_calls and all(e["token_kind"] == "ads" for e in api_calls)
    # The pre-signed download gets no token at all.
    downloads = [e for e in log if e not in api_calls and e["path"] != "/auth/o2/token"]
    assert downloads and all(e["token_kind"] == "none" for e in downloads)


async def test_campaign_structure(token_manager: TokenManager, ads_connection: ConnectionRef) -> None:
    ads = token_manager.ads_client(ads_connection)
    profile = (await ads.list_profiles())[0]
    client = ads.for_profile(profile.profile_id)
    campaigns = await client.list_campaigns()
    groups = await client.list_ad_groups(campaign_ids=[campaigns[0].campaign_id])
    product_ads = await client.list_product_ads(ad_group_ids=[g.ad_group_id for g in groups])
    assert campaigns and groups and product_ads
    assert {g.campaign_id for g in groups} == {campaigns[0].campaign_id}
    assert all(a.asin for a in product_ads)
