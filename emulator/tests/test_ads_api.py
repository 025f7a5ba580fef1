"""Ads API behaviour: consent -> code -> token -> profiles, header checks, reporting v3 and SP v3 lists."""

from __future__ import annotations

import gzip
import json
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from amazon_emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SELLER_ID, EmulatorConfig
from amazon_emulator.state import EmulatorState

REDIRECT = "http://127.0.0.1:8000/api/ads/oauth/callback"
CREATE_TYPE = "application/vnd.createasyncreportrequest.v3+json"
AP_COLUMNS = [
    "date",
    "campaignId",
    "adGroupId",
    "adId",
    "advertisedAsin",
    "advertisedSku",
    "impressions",
    "clicks",
    "cost",
    "purchases7d",
    "purchases14d",
    "unitsSoldClicks7d",
    "sales7d",
    "sales14d",
]


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=600)


async def ads_token(client: httpx.AsyncClient, seller: str = DEMO_SELLER_ID) -> str:
    """The whole Ads onboarding: consent page, Allow, code exchange."""
    params = {
        "client_id": DEMO_CLIENT_ID,
        "scope": "advertising::campaign_management",
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "s1",
    }
    page = await client.get("/ap/oa", params=params)
    assert page.status_code == 200
    allow = await client.post(
        "/ap/oa/consent", data={**params, "decision": "allow", "selling_partner_id": seller}
    )
    assert allow.status_code == 302
    query = parse_qs(urlparse(allow.headers["location"]).query)
    assert query["state"] == ["s1"]
    r = await client.post(
        "/auth/o2/token",
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": REDIRECT,
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        },
    )
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token


def headers(token: str, profile_id: int | str | None = None) -> dict[str, str]:
    out = {"Authorization": f"Bearer {token}", "Amazon-Advertising-API-ClientId": DEMO_CLIENT_ID}
    if profile_id is not None:
        out["Amazon-Advertising-API-Scope"] = str(profile_id)
    return out


async def us_profile(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    r = await client.get("/v2/profiles", headers=headers(token))
    assert r.status_code == 200, r.text
    profile: dict[str, Any] = next(p for p in r.json() if p["countryCode"] == "US")
    return profile


def report_body(
    report_type: str = "spAdvertisedProduct", days: int = 31, end_ago: int = 1, **config: Any
) -> dict[str, Any]:
    end = date.today() - timedelta(days=end_ago)
    configuration = {
        "adProduct": "SPONSORED_PRODUCTS",
        "groupBy": ["advertiser"],
        "columns": AP_COLUMNS,
        "reportTypeId": report_type,
        "timeUnit": "DAILY",
        "format": "GZIP_JSON",
        **config,
    }
    return {
        "name": f"{report_type} test",
        "startDate": (end - timedelta(days=days - 1)).isoformat(),
        "endDate": end.isoformat(),
        "configuration": configuration,
    }


async def create(
    client: httpx.AsyncClient, hdrs: dict[str, str], body: dict[str, Any], content_type: str = CREATE_TYPE
) -> httpx.Response:
    return await client.post(
        "/reporting/reports", headers={**hdrs, "Content-Type": content_type}, content=json.dumps(body)
    )


async def finished_rows(
    client: httpx.AsyncClient, state: EmulatorState, hdrs: dict[str, str], body: dict[str, Any]
) -> list[dict[str, Any]]:
    r = await create(client, hdrs, body)
    assert r.status_code == 200, r.text
    state.clock.advance(31)
    done = await client.get(f"/reporting/reports/{r.json()['reportId']}", headers=hdrs)
    assert done.json()["status"] == "COMPLETED"
    file = await client.get(done.json()["url"])
    assert file.status_code == 200
    rows: list[dict[str, Any]] = json.loads(gzip.decompress(file.content))
    return rows


async def test_consent_code_token_profiles(client: httpx.AsyncClient) -> None:
    token = await ads_token(client)
    r = await client.get("/v2/profiles", headers=headers(token))
    assert r.status_code == 200
    profiles = r.json()
    assert {p["accountInfo"]["marketplaceStringId"] for p in profiles} == {
        "ATVPDKIKX0DER",
        "A2Q3Y263D00KWC",
        "A2EUQ1WTGCTBG2",
        "A1AM78C64UM0Y8",
    }
    us = next(p for p in profiles if p["countryCode"] == "US")
    assert isinstance(us["profileId"], int) and us["profileId"] < 2**53
    assert (us["currencyCode"], us["timezone"]) == ("USD", "America/Los_Angeles")
    assert us["accountInfo"]["type"] == "seller" and us["accountInfo"]["id"] == DEMO_SELLER_ID
    one = await client.get(f"/v2/profiles/{us['profileId']}", headers=headers(token))
    assert one.json() == us


async def test_headers_enforced(client: httpx.AsyncClient, token: str) -> None:
    ads = await ads_token(client)
    profile_id = (await us_profile(client, ads))["profileId"]
    assert (await client.get("/v2/profiles")).status_code == 401
    # An SP-API access token is not an Ads token.
    assert (await client.get("/v2/profiles", headers=headers(token))).status_code == 401
    wrong_client = {**headers(ads), "Amazon-Advertising-API-ClientId": "amzn1.application-oa2-client.other"}
    assert (await client.get("/v2/profiles", headers=wrong_client)).status_code == 401
    sp = {"Content-Type": "application/vnd.spCampaign.v3+json"}
    r = await client.post("/sp/campaigns/list", headers={**headers(ads), **sp}, json={})
    assert r.status_code == 401 and r.json() == {"code": "UNAUTHORIZED", "message": "Scope header is missing"}
    r = await client.post("/sp/campaigns/list", headers={**headers(ads, 12345), **sp}, json={})
    assert r.status_code == 401 and "scope" in r.json()["message"]
    r = await client.get("/reporting/reports/x", headers=headers(ads, 12345))
    assert r.status_code == 400 and r.json() == {
        "code": "400",
        "detail": "Invalid Advertiser or Marketplace ID.",
    }
    # A profile of another advertiser.
    other = await client.post("/_emulator/sellers", json={"orders": 50, "marketplaces": ["US"]})
    other_profiles = await client.get(f"/_emulator/ads/sellers/{other.json()['selling_partner_id']}/profiles")
    r = await client.post(
        "/sp/campaigns/list", headers={**headers(ads, other_profiles.json()[0]["profileId"]), **sp}, json={}
    )
    assert r.status_code == 401 and r.json()["message"] == "Not authorized to access scope"
    ok = await client.post("/sp/campaigns/list", headers={**headers(ads, profile_id), **sp}, json={})
    assert ok.status_code == 200
    log = await client.get("/_emulator/requests", params={"path_prefix": "/sp/", "status": 200})
    assert log.json()[-1]["token_kind"] == "ads"


async def test_report_lifecycle_matches_truth(client: httpx.AsyncClient, state: EmulatorState) -> None:
    token = await ads_token(client)
    profile_id = (await us_profile(client, token))["profileId"]
    hdrs = headers(token, profile_id)
    body = report_body(end_ago=2)  # days over in every time zone (see test_other_report_types)
    r = await create(client, hdrs, body)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/vnd.createasyncreportresponse.v3+json"
    report = r.json()
    assert report["status"] == "PENDING" and isinstance(report["reportId"], str)
    assert report["configuration"] == body["configuration"]
    state.clock.advance(15)
    r = await client.get(f"/reporting/reports/{report['reportId']}", headers=hdrs)
    assert r.json()["status"] == "PROCESSING" and "url" not in r.json()
    state.clock.advance(16)
    done = (await client.get(f"/reporting/reports/{report['reportId']}", headers=hdrs)).json()
    assert done["status"] == "COMPLETED" and done["fileSize"] > 0 and done["urlExpiresAt"]
    file = await client.get(done["url"])  # no Amazon headers, as on S3
    assert file.status_code == 200 and len(file.content) == done["fileSize"]
    rows = json.loads(gzip.decompress(file.content))
    assert rows and all(set(row) == set(AP_COLUMNS) for row in rows)
    assert all(isinstance(row["campaignId"], int) and isinstance(row["adId"], int) for row in rows)
    truth = (
        await client.get(
            f"/_emulator/ads/{profile_id}/truth", params={"start": body["startDate"], "end": body["endDate"]}
        )
    ).json()
    totals = truth["totals"]
    for column in ("impressions", "clicks", "purchases7d", "purchases14d", "unitsSoldClicks7d"):
        assert sum(row[column] for row in rows) == totals[column], column
    for column in ("cost", "sales7d", "sales14d"):
        assert sum(row[column] for row in rows) == pytest.approx(totals[column], abs=0.01), column
    assert 0 < totals["sales14d"] <= sum(truth["orderSalesByAsin"].values())
    by_date = truth["byDate"]
    for day, day_totals in by_date.items():
        assert sum(row["clicks"] for row in rows if row["date"] == day) == day_totals["clicks"], day
    assert 0.02 < totals["cost"] / totals["sales14d"] < 1.5  # a plausible ACOS
    # The URL expires an hour later (scaled) and is signed.
    tampered = done["url"].replace("X-Amz-Signature=", "X-Amz-Signature=0")
    assert (await client.get(tampered)).status_code == 403
    state.clock.advance(3601)
    expired = await client.get(done["url"])
    assert expired.status_code == 403 and b"expired" in expired.content


async def test_duplicate_answers_425_with_running_id(client: httpx.AsyncClient, state: EmulatorState) -> None:
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    first = await create(client, hdrs, report_body(), content_type="application/json")
    assert first.status_code == 200
    again = await create(client, hdrs, {**report_body(), "name": "another name"})
    assert again.status_code == 425
    assert again.json() == {
        "code": "425",
        "detail": f"The Request is a duplicate of : {first.json()['reportId']}",
    }
    state.clock.advance(31)
    assert (await create(client, hdrs, report_body())).status_code == 200  # the first one finished


async def test_create_validation(client: httpx.AsyncClient) -> None:
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    too_long = await create(client, hdrs, report_body(days=32))
    assert too_long.status_code == 400 and "31 days" in too_long.json()["detail"]
    too_old = await create(client, hdrs, report_body(days=10, end_ago=90))
    assert too_old.status_code == 400 and "retention start date" in too_old.json()["detail"]
    bad_column = await create(client, hdrs, report_body(columns=["date", "impressions", "sales"]))
    assert bad_column.status_code == 400
    assert bad_column.json()["detail"].startswith("configuration columns includes invalid values: (sales).")
    summary_date = await create(client, hdrs, report_body(timeUnit="SUMMARY"))
    assert summary_date.status_code == 400 and "(date)" in summary_date.json()["detail"]
    bad_group = await create(client, hdrs, report_body(groupBy=["campaign"]))
    assert bad_group.status_code == 400 and "groupBy" in bad_group.json()["detail"]
    bad_filter = await create(
        client, hdrs, report_body(filters=[{"field": "campaignStatus", "values": ["ENABLED"]}])
    )
    assert bad_filter.status_code == 400
    assert "invalid for groupBys: advertiser" in bad_filter.json()["detail"]
    assert "adCreativeStatus" in bad_filter.json()["detail"]
    no_time_unit = report_body()
    del no_time_unit["configuration"]["timeUnit"]
    r = await create(client, hdrs, no_time_unit)
    assert r.json()["detail"] == "Required fields are invalid or missing: configuration timeUnit"
    assert (await create(client, hdrs, report_body(), content_type="text/plain")).status_code == 415
    unknown = await client.get("/reporting/reports/00000000-0000-4000-8000-000000000000", headers=hdrs)
    assert unknown.status_code == 404 and unknown.json() == {"code": "404", "detail": "Not Found"}


async def test_create_throttled_with_retry_after(client: httpx.AsyncClient, state: EmulatorState) -> None:
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    statuses = [
        (await create(client, hdrs, report_body(days=5, end_ago=n))).status_code for n in range(1, 12)
    ]
    assert statuses == [200] * 10 + [429]
    r = await create(client, hdrs, report_body(days=5, end_ago=20))
    assert r.status_code == 429 and r.json()["code"] == "429"
    assert int(r.headers["Retry-After"]) == 60  # one create per 60 Amazon seconds, time scale 1
    state.clock.advance(60)
    assert (await create(client, hdrs, report_body(days=5, end_ago=20))).status_code == 200


async def test_delete_pending_report(client: httpx.AsyncClient, state: EmulatorState) -> None:
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    report_id = (await create(client, hdrs, report_body())).json()["reportId"]
    r = await client.delete(f"/reporting/reports/{report_id}", headers=hdrs)
    assert r.status_code == 200
    assert r.json() == {"code": "200", "detail": "Report deleted", "reportId": report_id}
    assert (await client.get(f"/reporting/reports/{report_id}", headers=hdrs)).status_code == 404
    later = (await create(client, hdrs, report_body())).json()["reportId"]
    state.clock.advance(31)
    assert (await client.delete(f"/reporting/reports/{later}", headers=hdrs)).status_code == 400


async def test_other_report_types(client: httpx.AsyncClient, state: EmulatorState) -> None:
    token = await ads_token(client)
    profile_id = (await us_profile(client, token))["profileId"]
    hdrs = headers(token, profile_id)
    # Days that are over in every time zone: the profile's current day (yesterday in UTC for a
    # US profile early in the UTC day) keeps receiving clicks while the clock runs.
    body = report_body(end_ago=2)
    campaigns = await finished_rows(
        client,
        state,
        hdrs,
        report_body(
            "spCampaigns",
            end_ago=2,
            groupBy=["campaign", "adGroup"],
            timeUnit="SUMMARY",
            columns=[
                "campaignId",
                "campaignName",
                "adGroupId",
                "startDate",
                "endDate",
                "clicks",
                "cost",
                "sales14d",
            ],
        ),
    )
    truth = (
        await client.get(
            f"/_emulator/ads/{profile_id}/truth", params={"start": body["startDate"], "end": body["endDate"]}
        )
    ).json()
    assert sum(row["clicks"] for row in campaigns) == truth["totals"]["clicks"]
    assert all(row["startDate"] == body["startDate"] for row in campaigns)
    placements = await finished_rows(
        client,
        state,
        hdrs,
        report_body(
            "spCampaigns",
            end_ago=2,
            groupBy=["campaignPlacement"],
            columns=["date", "campaignId", "placementClassification", "impressions"],
        ),
    )
    assert sum(row["impressions"] for row in placements) == truth["totals"]["impressions"]
    purchased = await finished_rows(
        client,
        state,
        hdrs,
        report_body(
            "spPurchasedProduct",
            groupBy=["asin"],
            columns=["date", "advertisedAsin", "purchasedAsin", "sales7d", "salesOtherSku7d", "purchases14d"],
        ),
    )
    assert all(row["purchasedAsin"] != row["advertisedAsin"] for row in purchased)
    assert all(row["sales7d"] == row["salesOtherSku7d"] for row in purchased)


async def _list_all(
    client: httpx.AsyncClient, hdrs: dict[str, str], kind: str, media: str, key: str, body: dict[str, Any]
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = dict(body)
    while True:
        r = await client.post(
            f"/sp/{kind}/list", headers={**hdrs, "Content-Type": media, "Accept": media}, json=page
        )
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == media
        items += r.json()[key]
        if "nextToken" not in r.json():
            assert r.json()["totalResults"] == len(items)
            return items
        page["nextToken"] = r.json()["nextToken"]


async def test_sp_lists_paginate_to_the_end(client: httpx.AsyncClient) -> None:
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    campaigns = await _list_all(
        client, hdrs, "campaigns", "application/vnd.spCampaign.v3+json", "campaigns", {"maxResults": 1}
    )
    assert {c["state"] for c in campaigns} == {"ENABLED", "PAUSED", "ARCHIVED"}
    assert all(isinstance(c["campaignId"], str) for c in campaigns)
    enabled = await _list_all(
        client,
        hdrs,
        "campaigns",
        "application/vnd.spCampaign.v3+json",
        "campaigns",
        {"stateFilter": {"include": ["ENABLED"]}},
    )
    assert {c["state"] for c in enabled} == {"ENABLED"}
    groups = await _list_all(
        client, hdrs, "adGroups", "application/vnd.spAdGroup.v3+json", "adGroups", {"maxResults": 2}
    )
    assert {g["campaignId"] for g in groups} == {c["campaignId"] for c in campaigns}
    ads = await _list_all(
        client,
        hdrs,
        "productAds",
        "application/vnd.spProductAd.v3+json",
        "productAds",
        {"maxResults": 3, "includeExtendedDataFields": True},
    )
    assert len({a["adId"] for a in ads}) == len(ads) > 3
    assert {a["adGroupId"] for a in ads} <= {g["adGroupId"] for g in groups}
    assert all(a["extendedData"]["servingStatus"] for a in ads)
    one_campaign = await _list_all(
        client,
        hdrs,
        "productAds",
        "application/vnd.spProductAd.v3+json",
        "productAds",
        {"campaignIdFilter": {"include": [campaigns[0]["campaignId"]]}},
    )
    assert one_campaign and {a["campaignId"] for a in one_campaign} == {campaigns[0]["campaignId"]}
    wrong_type = await client.post(
        "/sp/campaigns/list", headers={**hdrs, "Content-Type": "application/json"}, json={}
    )
    assert wrong_type.status_code == 415 and wrong_type.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
    media = {"Content-Type": "application/vnd.spCampaign.v3+json"}
    bad_token = await client.post("/sp/campaigns/list", headers={**hdrs, **media}, json={"nextToken": "nope"})
    assert bad_token.status_code == 400 and bad_token.json()["code"] == "INVALID_ARGUMENT"


async def test_expired_token_and_faults(client: httpx.AsyncClient, state: EmulatorState) -> None:
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    fault = {"operation": "ads.getAsyncReport", "error_rate": 1.0, "status": 503, "count": 1}
    assert (await client.post("/_emulator/faults", json=fault)).status_code == 200
    r = await client.get("/reporting/reports/x", headers=hdrs)
    assert r.status_code == 503 and r.json()["code"] == "503"
    assert (await client.get("/reporting/reports/x", headers=hdrs)).status_code == 404
    storm = {"operation": "ads.ListSponsoredProductsCampaigns", "throttle_storm_seconds": 5}
    await client.post("/_emulator/faults", json=storm)
    media = {"Content-Type": "application/vnd.spCampaign.v3+json"}
    r = await client.post("/sp/campaigns/list", headers={**hdrs, **media}, json={})
    assert r.status_code == 429 and r.json()["code"] == "THROTTLED" and "Retry-After" in r.headers
    state.clock.advance(3600)  # the access token's hour
    expired = await client.get("/v2/profiles", headers=headers(token))
    assert expired.status_code == 401 and "expired" in expired.json()["details"]


async def test_summary_and_status_filter(client: httpx.AsyncClient, state: EmulatorState) -> None:
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    columns = ["adId", "startDate", "endDate", "impressions", "clicks", "cost", "sales14d", "acosClicks14d"]
    everything = await finished_rows(client, state, hdrs, report_body(timeUnit="SUMMARY", columns=columns))
    assert len({row["adId"] for row in everything}) == len(everything)
    media = {"Content-Type": "application/vnd.spProductAd.v3+json"}
    listed = await client.post("/sp/productAds/list", headers={**hdrs, **media}, json={})
    paused = {int(a["adId"]) for a in listed.json()["productAds"] if a["state"] == "PAUSED"}
    only_paused = await finished_rows(
        client,
        state,
        hdrs,
        report_body(
            timeUnit="SUMMARY",
            columns=columns,
            filters=[{"field": "adCreativeStatus", "values": ["PAUSED"]}],
            end_ago=2,
        ),
    )
    assert {row["adId"] for row in only_paused} <= paused
    for row in everything:
        if row["sales14d"]:
            assert row["acosClicks14d"] == pytest.approx(row["cost"] / row["sales14d"] * 100, abs=0.01)


async def test_time_scale_speeds_up_processing_and_refills() -> None:
    from amazon_emulator.app import create_app

    app = create_app(EmulatorConfig(seed=7, demo=True, demo_orders=200, time_scale=60))
    state: EmulatorState = app.state.emulator
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://emulator.test"
    ) as client:
        token = await ads_token(client)
        hdrs = headers(token, (await us_profile(client, token))["profileId"])
        statuses = [
            (await create(client, hdrs, report_body(days=3, end_ago=n))).status_code for n in range(1, 12)
        ]
        assert statuses[-1] == 429
        r = await create(client, hdrs, report_body(days=3, end_ago=30))
        assert r.status_code == 429 and int(r.headers["Retry-After"]) == 1  # 60 Amazon seconds / 60
        state.clock.advance(1)
        report = await create(client, hdrs, report_body(days=3, end_ago=30))
        assert report.status_code == 200
        state.clock.advance(0.6)  # 30 Amazon seconds of processing
        done = await client.get(f"/reporting/reports/{report.json()['reportId']}", headers=hdrs)
        assert done.json()["status"] == "COMPLETED"
