"""Ads API requests and responses against Amazon's official models (Profiles 3.0, Offline Report v3,
Sponsored Products 3.0) with openapi-core, every object closed so an invented field fails; and our typed
report-type rules against report-types.json. Read at test time only; skipped when the models are absent."""

from __future__ import annotations

import copy
import functools
import gzip
import json
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from test_ads_api import ads_token, create, headers, report_body, us_profile

from amazon_emulator.apis._ads_report_types import REPORT_TYPES, allowed_columns
from amazon_emulator.config import DEMO_SELLER_ID, EmulatorConfig
from amazon_emulator.state import EmulatorState

from emulator_contract import REPO_ROOT, _close_objects, _Request, _Response

SPECS = {
    "profiles": ("Profiles_prod_3p.yaml", "https://advertising-api.amazon.com"),
    "reporting": ("OfflineReport_prod_3p.json", "https://advertising-api.amazon.com"),
    "sp": ("SponsoredProducts_prod_3p.json", "https://advertising-api.amazon.com"),
}
SP_TYPES = {
    "campaigns": "application/vnd.spCampaign.v3+json",
    "adGroups": "application/vnd.spAdGroup.v3+json",
    "productAds": "application/vnd.spProductAd.v3+json",
}
VENDOR_TYPES = (
    *SP_TYPES.values(),
    "application/vnd.createasyncreportrequest.v3+json",
    "application/vnd.createasyncreportresponse.v3+json",
    "application/vnd.getasyncreportresponse.v3+json",
    "application/vnd.deleteasyncreportresponse.v3+json",
)


pytestmark = pytest.mark.filterwarnings("ignore:Unsupported scheme type:UserWarning")


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=600)


def ads_models() -> Path:
    env = os.environ.get("AMAZON_MODELS_DIR")
    base = Path(env) if env else (REPO_ROOT / ".." / "shared" / "amazon-models").resolve()
    folder = base / "ads-api"
    if not (folder / "OfflineReport_prod_3p.json").is_file():
        pytest.skip(
            "Amazon Ads models not found: set AMAZON_MODELS_DIR or provide "
            "<repo>/../shared/amazon-models/ads-api (Profiles, OfflineReport, SponsoredProducts, "
            "report-types.json); contract tests need them"
        )
    return folder


@functools.cache
def _spec(api: str) -> Any:
    from openapi_core import Config, OpenAPI

    name, _ = SPECS[api]
    with open(ads_models() / name, encoding="utf-8") as fh:
        # YAML keys such as response codes load as ints; JSON makes them the strings OpenAPI expects.
        raw = json.loads(json.dumps(yaml.safe_load(fh))) if name.endswith(".yaml") else json.load(fh)
    spec = copy.deepcopy(raw)
    _typed_objects(spec)
    _close_objects(spec)
    # Vendor media types are JSON but openapi-core only knows application/json by name.
    vendor = {name: json.loads for media in VENDOR_TYPES for name in (media, media.lower())}
    if api == "sp":
        # The SP model has invalid defaults elsewhere (e.g. a string default on a number) that the spec check
        # rejects; the operations checked here are unaffected.
        return OpenAPI.from_dict(
            spec, config=Config(spec_validator_cls=None, extra_media_type_deserializers=vendor)
        )
    return OpenAPI.from_dict(spec, config=Config(extra_media_type_deserializers=vendor))


def _typed_objects(node: Any) -> None:
    """The Profiles model leaves ``type: object`` out of its schemas; add it so that they get closed too."""
    if isinstance(node, dict):
        if "properties" in node and "type" not in node:
            node["type"] = "object"
        for value in node.values():
            _typed_objects(value)
    elif isinstance(node, list):
        for item in node:
            _typed_objects(item)


class _AdsRequest(_Request):
    host = "https://advertising-api.amazon.com"

    @property
    def host_url(self) -> str:
        return self.host

    @property
    def content_type(self) -> str:
        # Media types are matched case-sensitively against the model (``vnd.spCampaign``).
        return str(self._request.headers.get("content-type", "application/json"))


class _AdsResponse(_Response):
    @property
    def content_type(self) -> str:
        return str(self._response.headers.get("content-type", "application/json"))


def check(api: str, response: httpx.Response, *, request: bool = True) -> None:
    spec = _spec(api)
    req = _AdsRequest(response.request)
    if request:
        spec.validate_request(req)
    spec.validate_response(req, _AdsResponse(response))


async def test_profiles_contract(client: httpx.AsyncClient) -> None:
    ads_models()
    token = await ads_token(client)
    listed = await client.get("/v2/profiles", headers=headers(token), params={"apiProgram": "report"})
    check("profiles", listed, request=False)
    one = await client.get(f"/v2/profiles/{listed.json()[0]['profileId']}", headers=headers(token))
    check("profiles", one, request=False)


async def test_reporting_contract(client: httpx.AsyncClient, state: EmulatorState) -> None:
    ads_models()
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    created = await create(client, hdrs, report_body())
    check("reporting", created)
    report_id = created.json()["reportId"]
    check("reporting", await create(client, hdrs, report_body()))  # 425
    check("reporting", await create(client, hdrs, report_body(days=40)))  # 400
    check("reporting", await client.get("/reporting/reports/nope", headers=hdrs))  # 404
    check("reporting", await client.get(f"/reporting/reports/{report_id}", headers=hdrs))  # PENDING
    state.clock.advance(15)
    check("reporting", await client.get(f"/reporting/reports/{report_id}", headers=hdrs))  # PROCESSING
    state.clock.advance(16)
    done = await client.get(f"/reporting/reports/{report_id}", headers=hdrs)
    assert done.json()["status"] == "COMPLETED"
    check("reporting", done)
    pending = (await create(client, hdrs, report_body(days=3))).json()["reportId"]
    check("reporting", await client.delete(f"/reporting/reports/{pending}", headers=hdrs))
    unauthorized = await client.get(f"/reporting/reports/{report_id}", headers=headers("Atza|nope", 1))
    assert unauthorized.status_code == 401
    check("reporting", unauthorized, request=False)


async def test_sp_lists_contract(client: httpx.AsyncClient) -> None:
    ads_models()
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    for kind, media in SP_TYPES.items():
        for body in (
            {},
            {"maxResults": 2, "includeExtendedDataFields": True, "stateFilter": {"include": ["ENABLED"]}},
        ):
            r = await client.post(
                f"/sp/{kind}/list",
                headers={**hdrs, "Content-Type": media, "Accept": media},
                content=json.dumps(body),
            )
            assert r.status_code == 200, r.text
            check("sp", r)
        page = await client.post(
            f"/sp/{kind}/list", headers={**hdrs, "Content-Type": media}, json={"maxResults": 0}
        )
        assert page.status_code == 400
        check("sp", page)
        denied = await client.post(
            f"/sp/{kind}/list", headers={**headers(token), "Content-Type": media}, json={}
        )
        assert denied.status_code == 401
        check("sp", denied, request=False)


def test_report_type_rules_match_the_table() -> None:
    table = json.loads((ads_models() / "report-types.json").read_text())["reportTypes"]
    for report_type_id, ours in REPORT_TYPES.items():
        theirs = table[report_type_id]
        assert ours.ad_product == theirs["adProduct"]
        assert (ours.max_days, ours.retention_days) == (
            theirs["maxDateRangeDays"],
            theirs["dataRetentionDays"],
        )
        assert set(ours.time_units) == set(theirs["timeUnit"]) and set(ours.formats) == set(theirs["format"])
        assert list(ours.base_columns) == theirs["baseColumns"]
        assert list(ours.group_bys) == theirs["groupBy"]
        for name, group in ours.group_bys.items():
            detail = theirs["groupByDetails"][name]
            assert list(group.columns) == detail["additionalColumns"], (report_type_id, name)
            assert {k: list(v) for k, v in group.filters.items()} == detail["filters"], (report_type_id, name)


async def test_report_values_have_the_documented_types(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    types = json.loads((ads_models() / "report-types.json").read_text())["columnTypes"]
    token = await ads_token(client)
    hdrs = headers(token, (await us_profile(client, token))["profileId"])
    cases = [("spAdvertisedProduct", ["advertiser"]), ("spPurchasedProduct", ["asin"]),
             ("spCampaigns", ["campaign", "adGroup"]), ("spCampaigns", ["campaignPlacement"])]  # fmt: skip
    python_types = {"Integer": (int,), "Decimal": (int, float), "String": (str,)}
    for report_type_id, group_by in cases:
        columns = allowed_columns(REPORT_TYPES[report_type_id], group_by, "DAILY")
        body = report_body(report_type_id, groupBy=group_by, columns=columns)
        r = await create(client, hdrs, body)
        assert r.status_code == 200, r.text
        state.clock.advance(31)
        done = (await client.get(f"/reporting/reports/{r.json()['reportId']}", headers=hdrs)).json()
        rows = json.loads(gzip.decompress((await client.get(done["url"])).content))
        assert rows or report_type_id == "spPurchasedProduct"
        for row in rows:
            assert list(row) == columns
            for column, value in row.items():
                if value is not None:
                    assert isinstance(value, python_types[types[column]]), (report_type_id, column, value)
                    assert not isinstance(value, bool)


async def test_failed_throttled_and_regional_contract(
    client: httpx.AsyncClient, state: EmulatorState, app: Any
) -> None:
    ads_models()
    token = await ads_token(client)
    profile_id = (await us_profile(client, token))["profileId"]
    hdrs = headers(token, profile_id)
    forced = {"api": "ads", "outcome": "FAILED", "count": 1}
    assert (await client.post(f"/_emulator/sellers/{DEMO_SELLER_ID}/report-outcomes", json=forced)).is_success
    failed = await create(client, hdrs, report_body(days=7))
    state.clock.advance(31)
    got = await client.get(f"/reporting/reports/{failed.json()['reportId']}", headers=hdrs)
    assert got.json()["status"] == "FAILED"
    check("reporting", got)
    check("reporting", await create(client, hdrs, report_body(days=10, end_ago=90)))  # retention: 400
    storm = {"operation": "ads.createAsyncReport", "throttle_storm_seconds": 5}
    assert (await client.post("/_emulator/faults", json=storm)).is_success
    throttled = await create(client, hdrs, report_body(days=3))
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
    check("reporting", throttled)
    storm["operation"] = "ads.ListSponsoredProductsProductAds"
    assert (await client.post("/_emulator/faults", json=storm)).is_success
    media = SP_TYPES["productAds"]
    sp = await client.post("/sp/productAds/list", headers={**hdrs, "Content-Type": media}, content="{}")
    assert sp.status_code == 429
    check("sp", sp)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://advertising-api.amazon.com") as na:
        listed = await na.get("/v2/profiles", headers=headers(token))
        assert listed.status_code == 200 and listed.json()
        check("profiles", listed, request=False)
