"""The Ads client against a small stateful fake of the Ads API (httpx.MockTransport) until the
emulator serves the Ads API: headers, 425 reuse, polling, download, id normalisation, lists."""

from __future__ import annotations

import gzip
import json
import re
from datetime import date
from typing import Any

import httpx
import pytest

from app.adsapi import AdsClient, sp_advertised_product, sp_purchased_product, windows
from app.adsapi.models import AsyncReport
from app.adsapi.reports import AdvertisedProductRow
from app.amazon_http import AmazonTransport, RetryPolicy, Throttled
from app.amazon_http.documents import DocumentExpired
from tests.amazon.contract import validate_request

HOST = "https://advertising-api.amazon.com"
# openapi-core skips the models' OAuth2 scheme with a warning; the headers are checked above.
pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type")


class FakeAds:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.reports: dict[str, dict[str, Any]] = {}
        self.polls = 0
        self.throttle_next = 0
        self.expire_next = False
        self.stale_downloads = 0  # how many more downloads answer 403 (an expired pre-signed URL)
        self.downloads: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host == "s3.test":
            self.downloads.append(str(request.url))
            if self.stale_downloads:
                self.stale_downloads -= 1
                return httpx.Response(403, text="<Error><Code>AccessDenied</Code></Error>")
            rows = [
                {
                    "date": "2026-01-01",
                    "campaignId": 123456789012,
                    "adId": 42,
                    "advertisedAsin": "B0001",
                    "impressions": 10,
                    "clicks": 2,
                    "cost": 1.5,
                    "sales7d": 30.0,
                }
            ]
            return httpx.Response(200, content=gzip.compress(json.dumps(rows).encode()))
        self.requests.append(request)
        if self.throttle_next:
            self.throttle_next -= 1
            return httpx.Response(
                429, json={"code": "429", "details": "Too Many Requests"}, headers={"Retry-After": "2"}
            )
        if self.expire_next:
            self.expire_next = False
            return httpx.Response(401, json={"code": "UNAUTHORIZED", "details": "Not authorized"})
        path = request.url.path
        if path == "/v2/profiles":
            return httpx.Response(
                200,
                json=[
                    {
                        "profileId": 3333,
                        "countryCode": "US",
                        "currencyCode": "USD",
                        "timezone": "America/Los_Angeles",
                        "accountInfo": {
                            "marketplaceStringId": "ATVPDKIKX0DER",
                            "id": "A1DEMOSELLER0001",
                            "type": "seller",
                            "name": "Demo",
                        },
                    }
                ],
            )
        if path == "/reporting/reports" and request.method == "POST":
            body = json.loads(request.content)
            for report_id, report in self.reports.items():
                if report["request"] == body and report["status"] != "COMPLETED":
                    detail = f"The Request is a duplicate of : {report_id}"
                    return httpx.Response(425, json={"code": "425", "detail": detail})
            report_id = f"{len(self.reports) + 1:08d}-aaaa-bbbb-cccc-000000000000"
            self.reports[report_id] = {"request": body, "status": "PENDING"}
            return httpx.Response(200, json=self._report(report_id))
        found = re.match(r"^/reporting/reports/([\w-]+)$", path)
        if found:
            self.polls += 1
            report = self.reports[found.group(1)]
            report["status"] = "COMPLETED" if self.polls >= 2 else "PROCESSING"
            return httpx.Response(200, json=self._report(found.group(1)))
        if path.startswith("/sp/") and path.endswith("/list"):
            kind = path.split("/")[2]
            body = json.loads(request.content)
            if kind == "campaigns":
                items = [
                    {
                        "campaignId": "1",
                        "name": "c1",
                        "state": "ENABLED",
                        "targetingType": "AUTO",
                        "budget": {"budget": 10, "budgetType": "DAILY"},
                        "startDate": "2026-01-01",
                    }
                ]
            elif kind == "adGroups":
                items = [
                    {"adGroupId": "2", "campaignId": "1", "name": "g", "state": "ENABLED", "defaultBid": 0.5}
                ]
            else:
                items = [
                    {"adId": "3", "adGroupId": "2", "campaignId": "1", "state": "ENABLED", "asin": "B0001"}
                ]
            if "nextToken" in body:
                return httpx.Response(200, json={kind: items})
            return httpx.Response(200, json={kind: items, "nextToken": "page2"})
        return httpx.Response(404, json={"code": "404", "detail": "Not Found"})

    def _report(self, report_id: str) -> dict[str, Any]:
        report = self.reports[report_id]
        body = report["request"]
        answer = {
            "reportId": report_id,
            "status": report["status"],
            "name": body.get("name"),
            "startDate": body["startDate"],
            "endDate": body["endDate"],
            "configuration": body["configuration"],
            "createdAt": "2026-01-02T00:00:00Z",
            "updatedAt": "2026-01-02T00:00:00Z",
        }
        if report["status"] == "COMPLETED":
            answer["url"] = "https://s3.test/report.json.gz"
        return answer


class Tokens:
    def __init__(self) -> None:
        self.issued = 0

    async def access_token(self, *, expired: str | None = None) -> str:
        if expired is not None or not self.issued:
            self.issued += 1
        return f"Atza|ads{self.issued}"


@pytest.fixture
def fake() -> FakeAds:
    return FakeAds()


@pytest.fixture
def ads(fake: FakeAds) -> AdsClient:
    transport = AmazonTransport(
        httpx.AsyncClient(transport=httpx.MockTransport(fake)),
        limiter=None,
        retry=RetryPolicy(max_attempts=4, base_s=0.001, cap_s=0.01),
    )
    return AdsClient(
        transport, base_url=HOST, region="NA", client_id="amzn1.application-oa2-client.x", tokens=Tokens()
    )


async def test_profiles_without_scope_then_scoped_calls(ads: AdsClient, fake: FakeAds) -> None:
    profiles = await ads.list_profiles()
    assert profiles[0].profile_id == "3333" and profiles[0].timezone == "America/Los_Angeles"
    scoped = ads.for_profile(profiles[0].profile_id)
    await scoped.list_campaigns(states=["ENABLED"])
    first, second = fake.requests[0], fake.requests[1]
    assert "amazon-advertising-api-scope" not in first.headers
    assert second.headers["amazon-advertising-api-scope"] == "3333"
    for request in fake.requests:
        assert request.headers["authorization"].startswith("Bearer Atza|")
        assert request.headers["amazon-advertising-api-clientid"] == "amzn1.application-oa2-client.x"
    with pytest.raises(ValueError, match="profile"):
        await ads.list_campaigns()


async def report_rows(client: AdsClient, report: AsyncReport) -> list[AdvertisedProductRow]:
    return [row async for block in client.report_blocks(report, AdvertisedProductRow) for row in block]


async def test_report_end_to_end_with_a_425_duplicate(ads: AdsClient, fake: FakeAds) -> None:
    client = ads.for_profile("3333")
    request = sp_advertised_product(date(2026, 1, 1), date(2026, 1, 31))
    first = await client.create_report(request)
    again = await client.create_report(request)  # identical while PENDING -> 425 -> the same report
    assert again.report_id == first.report_id
    # create (200), create again (425), then the existing report fetched by id.
    assert [r.method for r in fake.requests] == ["POST", "POST", "GET"]
    report = await client.get_report(first.report_id)
    while report.status != "COMPLETED":
        report = await client.get_report(first.report_id)
    rows = await report_rows(client, report)
    assert rows[0].campaignId == 123456789012 and rows[0].adId == 42
    posts = [r for r in fake.requests if r.method == "POST"]
    assert all(r.headers["content-type"] == "application/vnd.createasyncreportrequest.v3+json" for r in posts)


async def test_an_expired_report_url_is_fetched_again_once(ads: AdsClient, fake: FakeAds) -> None:
    client = ads.for_profile("3333")
    report = await client.create_report(sp_advertised_product(date(2026, 1, 1), date(2026, 1, 31)))
    while report.status != "COMPLETED":
        report = await client.get_report(report.report_id)
    reads = len(fake.requests)
    fake.stale_downloads = 1
    rows = await report_rows(client, report)
    # The stale URL, then the report read again and its fresh URL: every row once.
    assert [row.adId for row in rows] == [42]
    assert len(fake.downloads) == 2
    assert [r.url.path for r in fake.requests[reads:]] == [f"/reporting/reports/{report.report_id}"]
    fake.stale_downloads = 2
    with pytest.raises(DocumentExpired):
        await report_rows(client, report)
    assert len(fake.downloads) == 4


async def test_retry_after_on_429_and_refresh_on_401(ads: AdsClient, fake: FakeAds) -> None:
    fake.throttle_next = 1
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    ads.transport._sleep = sleep
    await ads.list_profiles()
    assert sleeps == [2.0]
    fake.expire_next = True
    await ads.list_profiles()
    tokens = [r.headers["authorization"] for r in fake.requests[-2:]]
    assert tokens[0] != tokens[1]
    # A worker does not sleep: it gets the time back.
    fake.throttle_next = 1
    worker = AdsClient(
        ads.transport, base_url=HOST, region="NA", client_id="c", tokens=Tokens(), max_wait_s=0.5
    )
    with pytest.raises(Throttled) as caught:
        await worker.list_profiles()
    assert caught.value.retry_after == 2.0


async def test_lists_follow_next_token(ads: AdsClient) -> None:
    client = ads.for_profile("3333")
    campaigns = await client.list_campaigns()
    groups = await client.list_ad_groups(campaign_ids=["1"])
    product_ads = await client.list_product_ads(ad_group_ids=["2"])
    assert len(campaigns) == len(groups) == len(product_ads) == 2
    assert product_ads[0].asin == "B0001" and campaigns[0].budget is not None


def test_report_requests_respect_amazons_limits() -> None:
    with pytest.raises(ValueError, match="31 days"):
        sp_advertised_product(date(2026, 1, 1), date(2026, 2, 15))
    assert windows(date(2026, 1, 1), date(2026, 3, 5)) == [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 1), date(2026, 3, 3)),
        (date(2026, 3, 4), date(2026, 3, 5)),
    ]
    purchased = sp_purchased_product(date(2026, 1, 1), date(2026, 1, 7))
    assert purchased["configuration"]["groupBy"] == ["asin"]


async def test_requests_match_the_official_ads_models(ads: AdsClient, fake: FakeAds) -> None:
    await ads.list_profiles()
    client = ads.for_profile("3333")
    report = await client.create_report(sp_advertised_product(date(2026, 1, 1), date(2026, 1, 31)))
    await client.create_report(sp_purchased_product(date(2026, 1, 1), date(2026, 1, 31)))
    await client.get_report(report.report_id)
    await client.list_campaigns(states=["ENABLED"])
    await client.list_ad_groups(campaign_ids=["1"])
    await client.list_product_ads(ad_group_ids=["2"])
    models = {
        "/v2/profiles": "ads-api/Profiles_prod_3p.yaml",
        "/reporting": "ads-api/OfflineReport_prod_3p.json",
        "/sp/": "ads-api/SponsoredProducts_prod_3p.json",
    }
    for request in fake.requests:
        model = next(m for prefix, m in models.items() if request.url.path.startswith(prefix))
        validate_request(model, request, HOST)
