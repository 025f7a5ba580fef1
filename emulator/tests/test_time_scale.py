"""A time-scaled emulator looks like a faster Amazon: every rate and lifetime it announces is in real units
(requests per real second, whole real seconds), and what it announces is what really happens."""

from __future__ import annotations

import calendar
import time
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from amazon_emulator.clock import Clock, parse_iso
from amazon_emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EmulatorConfig
from amazon_emulator.state import EmulatorState

from emulator_contract import validate
from emulator_helpers import US, auth, create_rdt, days_ago, refresh_grant, refresh_token_for

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"
SCALE = 60.0


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=200, time_scale=SCALE)


@pytest.mark.parametrize(
    ("scale", "amazon_seconds", "announced"),
    [(1, 3600, 3600), (60, 3600, 60), (7, 3600, 514), (60, 300, 5), (3600, 3600, 1), (1e6, 3600, 1)],
)
def test_announced_lifetime_is_whole_real_seconds_at_least_one(
    scale: float, amazon_seconds: float, announced: int
) -> None:
    assert Clock(scale).announced_seconds(amazon_seconds) == announced


async def test_rate_limit_header_is_the_real_rate(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    headers = auth(token)
    ok = await client.get(PARTICIPATIONS, headers=headers)
    assert ok.status_code == 200 and ok.headers["x-amzn-RateLimit-Limit"] == "0.96"  # 0.016 x 60
    statuses = [(await client.get(PARTICIPATIONS, headers=headers)).status_code for _ in range(15)]
    assert statuses[-1] == 429
    throttled = await client.get(PARTICIPATIONS, headers=headers)
    assert throttled.headers["x-amzn-RateLimit-Limit"] == "0.96"
    # The header tells the truth: 1 / 0.96 real seconds later the bucket has a token again.
    state.clock.advance(1 / 0.96)
    assert (await client.get(PARTICIPATIONS, headers=headers)).status_code == 200


async def test_lwa_expires_in_is_the_real_lifetime(client: httpx.AsyncClient, state: EmulatorState) -> None:
    body = (await refresh_grant(client, await refresh_token_for(client))).json()
    assert body["expires_in"] == 60  # 3600 Amazon seconds at x60
    headers = auth(body["access_token"])
    state.clock.advance(59.5)
    assert (await client.get(PARTICIPATIONS, headers=headers)).status_code == 200
    state.clock.advance(0.6)
    expired = await client.get(PARTICIPATIONS, headers=headers)
    assert expired.status_code == 403
    assert expired.json()["errors"][0]["details"] == "The access token you provided has expired."


async def test_grantless_and_huge_scales_announce_at_least_one_second(
    client: httpx.AsyncClient, state: EmulatorState, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The wall clock stands still (only `advance` moves time), so a loaded machine's slow requests
    # do not use up the token's one second.
    wall = time.time()
    monkeypatch.setattr(state.clock, "time", lambda: wall + state.clock._offset)
    state.clock.time_scale = 1e6  # an Amazon hour would last 3.6 ms: the token lives (and says) 1 s
    r = await client.post(
        "/auth/o2/token",
        data={
            "grant_type": "client_credentials",
            "scope": "sellingpartnerapi::notifications",
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        },
    )
    assert r.json()["expires_in"] == 1
    headers = auth(r.json()["access_token"])
    state.clock.advance(0.9)
    assert (await client.get("/notifications/v1/destinations", headers=headers)).status_code == 200
    state.clock.advance(0.2)
    assert (await client.get("/notifications/v1/destinations", headers=headers)).status_code == 403


async def test_rdt_expires_in_is_the_real_lifetime(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    resource = {"method": "GET", "path": "/orders/v0/orders", "dataElements": ["buyerInfo"]}
    r = await create_rdt(client, token, [resource])
    validate("tokens", r)
    assert r.json()["expiresIn"] == 60
    headers = auth(r.json()["restrictedDataToken"])
    params = {"MarketplaceIds": US, "CreatedAfter": days_ago(state, 30)}
    state.clock.advance(59.5)
    assert (await client.get("/orders/v0/orders", params=params, headers=headers)).status_code == 200
    state.clock.advance(0.6)
    assert (await client.get("/orders/v0/orders", params=params, headers=headers)).status_code == 403


async def test_document_url_expiry_is_in_real_seconds(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    body = {
        "reportType": "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
        "marketplaceIds": [US],
        "dataStartTime": days_ago(state, 20),
    }
    report_id = (await client.post("/reports/2021-06-30/reports", json=body, headers=auth(token))).json()[
        "reportId"
    ]
    state.clock.advance(1.1)  # 60 Amazon seconds of processing
    report = (await client.get(f"/reports/2021-06-30/reports/{report_id}", headers=auth(token))).json()
    assert report["processingStatus"] == "DONE", report
    document_id = report["reportDocumentId"]
    r = await client.get(f"/reports/2021-06-30/documents/{document_id}", headers=auth(token))
    validate("reports", r)
    url = r.json()["url"]
    assert parse_qs(urlparse(url).query)["X-Amz-Expires"] == ["5"]  # 300 Amazon seconds at x60
    state.clock.advance(4.5)
    assert (await client.get(url)).status_code == 200
    state.clock.advance(1.0)
    expired = await client.get(url)
    assert expired.status_code == 403 and "Request has expired" in expired.text


async def test_ads_report_url_expiry_is_in_real_seconds(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    from test_ads_api import ads_token, create, headers, report_body, us_profile

    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    created = await create(client, hdrs, report_body(days=3, end_ago=2))
    assert created.status_code == 200, created.text
    state.clock.advance(0.6)  # 30 Amazon seconds of processing
    done = (await client.get(f"/reporting/reports/{created.json()['reportId']}", headers=hdrs)).json()
    assert done["status"] == "COMPLETED"
    query = parse_qs(urlparse(done["url"]).query)
    assert query["X-Amz-Expires"] == ["59"]  # 3600 Amazon seconds at x60, as Amazon's 3599 of 3600
    signed = calendar.timegm(time.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ"))
    assert parse_iso(done["urlExpiresAt"]).timestamp() == signed + 60
    state.clock.advance(signed + 59.5 - state.clock.time())
    assert (await client.get(done["url"])).status_code == 200
    state.clock.advance(1.0)
    assert (await client.get(done["url"])).status_code == 403
