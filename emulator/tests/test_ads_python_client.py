"""python-amazon-ad-api, an independent Ads client used unmodified, drives the emulator's reporting end to
end: LWA refresh -> profiles -> create an spAdvertisedProduct report -> poll -> download and parse the rows.

Only where it sends requests changes: the API base URL goes in through its documented ``marketplace``
argument (an object whose ``endpoint`` is the emulator instead of one of the ``Marketplaces`` members), and
the LWA token endpoint through its public ``AccessTokenClient`` (its ``scheme`` and ``host``), whose access
token the clients take through their documented ``access_token`` argument."""

from __future__ import annotations

import json
from datetime import timedelta
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from ad_api.api.profiles import Profiles
from ad_api.api.reports import Reports
from ad_api.auth import AccessTokenClient
from test_ads_api import AP_COLUMNS

from amazon_emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SELLER_ID
from amazon_emulator.data.ads import profiles_of
from amazon_emulator.state import EmulatorState


def _token_client(served: str, credentials: dict[str, str]) -> AccessTokenClient:
    class EmulatorTokenClient(AccessTokenClient):
        scheme = f"{urlparse(served).scheme}://"
        host = urlparse(served).netloc

    return EmulatorTokenClient(credentials=credentials)


def test_python_amazon_ad_api_reads_a_report(served: str, state: EmulatorState) -> None:
    granted = httpx.post(
        f"{served}/_emulator/self-authorize",
        json={"client_id": DEMO_CLIENT_ID, "selling_partner_id": DEMO_SELLER_ID, "kind": "ads"},
    )
    assert granted.status_code == 200, granted.text
    credentials = {
        "refresh_token": granted.json()["refresh_token"],
        "client_id": DEMO_CLIENT_ID,
        "client_secret": DEMO_CLIENT_SECRET,
    }
    access_token = _token_client(served, credentials).get_auth().access_token
    assert access_token
    region = SimpleNamespace(endpoint=served)

    listed = Profiles(credentials=credentials, marketplace=region, access_token=access_token,
                      verify_additional_credentials=False).list_profiles()  # fmt: skip
    us = next(p for p in listed.payload if p["countryCode"] == "US")
    assert us["accountInfo"]["id"] == DEMO_SELLER_ID

    reports = Reports(credentials={**credentials, "profile_id": str(us["profileId"])}, marketplace=region,
                      access_token=access_token)  # fmt: skip
    profile = next(p for p in profiles_of(state.sellers[DEMO_SELLER_ID]) if p.profile_id == us["profileId"])
    end = profile.local_date(state.clock.time()) - timedelta(days=2)
    start = end - timedelta(days=13)
    body: dict[str, Any] = {
        "name": "python-amazon-ad-api",
        "startDate": start.isoformat(),
        "endDate": end.isoformat(),
        "configuration": {
            "adProduct": "SPONSORED_PRODUCTS",
            "groupBy": ["advertiser"],
            "columns": AP_COLUMNS,
            "reportTypeId": "spAdvertisedProduct",
            "timeUnit": "DAILY",
            "format": "GZIP_JSON",
        },
    }
    created = reports.post_report(body=json.dumps(body)).payload
    assert created["status"] == "PENDING"
    seen = []
    report = created
    for _ in range(20):
        report = reports.get_report(reportId=created["reportId"]).payload
        seen.append(report["status"])
        if report["status"] in ("COMPLETED", "FAILED"):
            break
        state.clock.advance(5)
    assert seen[0] == "PENDING" and "PROCESSING" in seen and seen[-1] == "COMPLETED", seen

    rows = reports.download_report(url=report["url"], format="data").payload
    assert rows and all(list(row) == AP_COLUMNS for row in rows)
    truth = httpx.get(
        f"{served}/_emulator/ads/{us['profileId']}/truth",
        params={"start": start.isoformat(), "end": end.isoformat()},
    ).json()
    for column in ("impressions", "clicks", "purchases7d", "unitsSoldClicks7d"):
        assert sum(row[column] for row in rows) == truth["totals"][column], column
    for column in ("cost", "sales7d", "sales14d"):
        assert sum(row[column] for row in rows) == pytest.approx(truth["totals"][column], abs=0.01), column
    calls = httpx.get(f"{served}/_emulator/requests", params={"path_prefix": "/reporting/"}).json()
    assert {c["token_kind"] for c in calls} == {"ads"} and all(c["status"] == 200 for c in calls)
