"""Ads API behaviours the specs and Amazon's documented answers fix: profiles per region on the regional
hosts, the 31-day range and 95-day retention in the profile's days, FAILED reports on demand, and usage plans
(429 with ``Retry-After``, per-seller plans)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from test_ads_api import ads_token, create, headers, report_body, us_profile

from amazon_emulator.config import DEMO_SELLER_ID
from amazon_emulator.data.ads import profiles_of
from amazon_emulator.state import EmulatorState

SELLER = "A3REGIONSELLER01"
SP_CAMPAIGN = "application/vnd.spCampaign.v3+json"


def _local_body(state: EmulatorState, seller_id: str, first_back: int, last_back: int) -> dict[str, Any]:
    """An spAdvertisedProduct request over local days ``today - first_back .. today - last_back`` of the
    seller's US profile."""
    profile = next(p for p in profiles_of(state.sellers[seller_id]) if p.country_code == "US")
    today = profile.local_date(state.clock.time())
    body = report_body()
    body["startDate"] = (today - timedelta(days=first_back)).isoformat()
    body["endDate"] = (today - timedelta(days=last_back)).isoformat()
    return body


async def test_each_region_lists_its_own_profiles(client: httpx.AsyncClient, app: FastAPI) -> None:
    made = await client.post(
        "/_emulator/sellers",
        json={"selling_partner_id": SELLER, "orders": 200, "marketplaces": ["US", "GB", "DE", "JP"]},
    )
    assert made.status_code == 201
    token = await ads_token(client, SELLER)
    everywhere = (await client.get("/v2/profiles", headers=headers(token))).json()
    assert {p["countryCode"] for p in everywhere} == {"US", "UK", "DE", "JP"}  # a local host: every region
    assert {p["accountInfo"]["id"] for p in everywhere} == {SELLER}
    by_country = {p["countryCode"]: p for p in everywhere}
    expected = {"": {"US"}, "-eu": {"UK", "DE"}, "-fe": {"JP"}}
    transport = httpx.ASGITransport(app=app)
    for suffix, countries in expected.items():
        base = f"https://advertising-api{suffix}.amazon.com"
        async with httpx.AsyncClient(transport=transport, base_url=base) as regional:
            listed = (await regional.get("/v2/profiles", headers=headers(token))).json()
            assert {p["countryCode"] for p in listed} == countries, base
            assert all(p == by_country[p["countryCode"]] for p in listed)
            foreign = by_country["JP" if suffix != "-fe" else "US"]["profileId"]
            missing = await regional.get(f"/v2/profiles/{foreign}", headers=headers(token))
            assert missing.status_code == 404
            sp = await regional.post(
                "/sp/campaigns/list",
                headers={**headers(token, foreign), "Content-Type": SP_CAMPAIGN},
                json={},
            )
            assert sp.status_code == 401 and sp.json()["message"] == "No matching advertiser found for scope"
            report = await regional.get("/reporting/reports/x", headers=headers(token, foreign))
            assert (
                report.status_code == 400
                and report.json()["detail"] == "Invalid Advertiser or Marketplace ID."
            )
            own = by_country[sorted(countries)[0]]["profileId"]
            ok = await regional.post(
                "/sp/campaigns/list", headers={**headers(token, own), "Content-Type": SP_CAMPAIGN}, json={}
            )
            assert ok.status_code == 200


async def test_range_and_retention_in_the_profile_days(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    seller = DEMO_SELLER_ID
    oldest = _local_body(state, seller, 95, 65)  # 31 days, starting on the first retained day
    assert (await create(client, hdrs, oldest)).status_code == 200
    too_old = _local_body(state, seller, 96, 66)
    r = await create(client, hdrs, too_old)
    assert r.status_code == 400
    retained = oldest["startDate"]
    assert r.json() == {
        "code": "400",
        "detail": f"startDate ({too_old['startDate']}) must be equal to or after report type data retention "
        f"start date ({retained})",
    }
    r = await create(client, hdrs, _local_body(state, seller, 40, 9))  # 32 days
    assert r.status_code == 400 and "31 days" in r.json()["detail"]
    r = await create(client, hdrs, _local_body(state, seller, 3, -1))  # ends tomorrow
    assert r.status_code == 400 and "future" in r.json()["detail"]
    today = await create(client, hdrs, _local_body(state, seller, 0, 0))
    assert today.status_code == 200


async def test_forced_failed_reports(client: httpx.AsyncClient, state: EmulatorState) -> None:
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    seller = DEMO_SELLER_ID
    url = f"/_emulator/sellers/{seller}/report-outcomes"
    wrong = await client.post(url, json={"api": "ads", "outcome": "FATAL"})
    assert wrong.status_code == 422
    forced = await client.post(
        url, json={"api": "ads", "outcome": "FAILED", "count": 1, "report_type": "spAdvertisedProduct"}
    )
    assert forced.status_code == 200 and forced.json()["pending"] == 1
    campaigns = report_body("spCampaigns", groupBy=["campaign"], columns=["campaignId", "date", "clicks"])
    first = await create(client, hdrs, campaigns)  # another report type: not forced
    failed = await create(client, hdrs, report_body(days=5))
    later = await create(client, hdrs, report_body(days=6))
    state.clock.advance(31)
    statuses = {}
    for created in (first, failed, later):
        body = (await client.get(f"/reporting/reports/{created.json()['reportId']}", headers=hdrs)).json()
        statuses[created.json()["reportId"]] = (body["status"], body.get("failureReason"), "url" in body)
    assert statuses[failed.json()["reportId"]] == (
        "FAILED",
        "Report generation failed due to an internal error. Please retry",
        False,
    )
    assert statuses[first.json()["reportId"]][0] == statuses[later.json()["reportId"]][0] == "COMPLETED"


async def test_usage_plans_throttle_with_retry_after(client: httpx.AsyncClient, state: EmulatorState) -> None:
    plans = (await client.get("/_emulator/usage-plans")).json()
    for operation in ("ads.listProfiles", "ads.createAsyncReport", "ads.getAsyncReport",
                      "ads.ListSponsoredProductsProductAds"):  # fmt: skip
        assert plans[operation]["rate"] > 0 and plans[operation]["burst"] >= 1
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    seller = DEMO_SELLER_ID
    lowered = {"operation": "ads.ListSponsoredProductsCampaigns", "rate": 0.1, "burst": 2}
    assert (await client.post(f"/_emulator/sellers/{seller}/usage-plans", json=lowered)).status_code == 200
    media = {**hdrs, "Content-Type": SP_CAMPAIGN}
    answers = [
        await client.post("/sp/campaigns/list", headers=media, content=json.dumps({})) for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[-1].json()["code"] == "THROTTLED" and int(answers[-1].headers["Retry-After"]) == 10
    state.clock.advance(10)
    assert (await client.post("/sp/campaigns/list", headers=media, json={})).status_code == 200


@pytest.mark.parametrize(
    "content_type", ["application/vnd.createasyncreportrequest.v3+json", "application/json"]
)
async def test_create_takes_both_request_types_and_answers_the_vendor_type(
    client: httpx.AsyncClient, content_type: str
) -> None:
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    r = await create(client, hdrs, report_body(), content_type=content_type)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.createasyncreportresponse.v3+json"
    got = await client.get(f"/reporting/reports/{r.json()['reportId']}", headers=hdrs)
    assert got.headers["content-type"] == "application/vnd.getasyncreportresponse.v3+json"
