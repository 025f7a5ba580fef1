"""Sponsored Products v3 list endpoints: ``POST /sp/campaigns/list``, ``/sp/adGroups/list``,
``/sp/productAds/list``.

Each takes and returns its own vendor type (``application/vnd.spCampaign.v3+json``, ``...spAdGroup...``,
``...spProductAd...``) as Content-Type and Accept; anything else answers 415 ``UNSUPPORTED_MEDIA_TYPE``.
Filters: ``stateFilter``, id filters, ``nameFilter`` (EXACT_MATCH by default, BROAD_MATCH = contains,
case-insensitive), ``portfolioIdFilter``, ``campaignTargetingTypeFilter``; ``maxResults`` 1..1000 (default
1000) with an opaque ``nextToken`` bound to the filters; ``totalResults`` counts every match. Ids are strings.
Errors are ``{"code", "message"}`` with the model's codes. Throttling: 5 calls/s, burst 10, per advertiser and
operation.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from amazon_emulator.apis._ads_common import (
    AdsError,
    account_for,
    gate,
    install_error_handler,
    json_body,
    media_type,
)
from amazon_emulator.clock import iso_ts
from amazon_emulator.data.ads import ARCHIVED, ENABLED, AdGroup, AdsAccount, Campaign, ProductAd
from amazon_emulator.state import get_state
from amazon_emulator.usage_plans import register_plan

router = APIRouter(tags=["Ads API: Sponsored Products"])

for _op in (
    "ListSponsoredProductsCampaigns",
    "ListSponsoredProductsAdGroups",
    "ListSponsoredProductsProductAds",
):
    register_plan(f"ads.{_op}", 5.0, 10)

STATES = ("ARCHIVED", "ENABLED", "ENABLING", "OTHER", "PAUSED", "PROPOSED", "USER_DELETED")
MAX_RESULTS = 1000


def _bad(text: str) -> AdsError:
    return AdsError("sp", 400, text)


def _check_media(request: Request, media: str) -> None:
    if media_type(request) != media.lower():
        raise AdsError("sp", 415, f"Content-Type must be {media}")
    accept = request.headers.get("accept", "").lower()
    if accept and "*/*" not in accept and media.lower() not in accept:
        raise AdsError("sp", 415, f"Accept must be {media}")


def _include(body: dict[str, Any], name: str, limit: int) -> list[str] | None:
    raw = body.get(name)
    if raw is None:
        return None
    values = raw.get("include") if isinstance(raw, dict) else None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _bad(f"{name}.include must be a list of strings")
    if len(values) > limit:
        raise _bad(f"{name}.include accepts at most {limit} values")
    return values


def _name_match(body: dict[str, Any]) -> Callable[[str], bool] | None:
    raw = body.get("nameFilter")
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise _bad("nameFilter must be an object")
    names = raw.get("include", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names) or len(names) > 100:
        raise _bad("nameFilter.include must be a list of at most 100 strings")
    mode = raw.get("queryTermMatchType", "EXACT_MATCH")
    if mode not in ("EXACT_MATCH", "BROAD_MATCH"):
        raise _bad(f"Invalid queryTermMatchType: {mode}")
    if mode == "EXACT_MATCH":
        return lambda name: name in names
    lowered = [n.lower() for n in names]
    return lambda name: any(n in name.lower() for n in lowered)


def _common(body: dict[str, Any]) -> tuple[set[str] | None, int]:
    states = _include(body, "stateFilter", 10)
    if states is not None and any(s not in STATES for s in states):
        raise _bad(f"stateFilter.include values must be among {', '.join(STATES)}")
    size = body.get("maxResults", MAX_RESULTS)
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_RESULTS:
        raise _bad(f"maxResults must be an integer between 1 and {MAX_RESULTS}")
    return (set(states) if states is not None else None), size


def _page(body: dict[str, Any], items: Sequence[Any], size: int, key: str) -> dict[str, Any]:
    query = {k: v for k, v in body.items() if k not in ("nextToken", "maxResults")}
    fingerprint = hashlib.sha256(json.dumps(query, sort_keys=True).encode()).hexdigest()[:16]
    offset = 0
    token = body.get("nextToken")
    if token is not None:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(str(token).encode()))
            offset = int(decoded["o"])
            valid = decoded["q"] == fingerprint and 0 <= offset <= len(items)
        except (ValueError, KeyError, TypeError):
            valid = False
        if not valid:
            raise _bad("Invalid nextToken")
    out: dict[str, Any] = {key: list(items[offset : offset + size]), "totalResults": len(items)}
    if offset + size < len(items):
        raw = json.dumps({"o": offset + size, "q": fingerprint}).encode()
        out["nextToken"] = base64.urlsafe_b64encode(raw).decode()
    return out


def _extended(created: float, stopped: date | None, status: str) -> dict[str, Any]:
    updated = created
    if stopped is not None:
        updated = max(created, datetime(stopped.year, stopped.month, stopped.day).timestamp())
    return {
        "creationDateTime": iso_ts(created),
        "lastUpdateDateTime": iso_ts(updated),
        "servingStatus": status,
    }


def _campaign(c: Campaign, extended: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "campaignId": c.campaign_id,
        "name": c.name,
        "state": c.state,
        "targetingType": c.targeting_type,
        "budget": {"budget": c.budget, "budgetType": "DAILY", "effectiveBudget": c.budget},
        "startDate": c.start_date.isoformat(),
        "dynamicBidding": {"strategy": "LEGACY_FOR_SALES", "placementBidding": []},
    }
    if extended:
        status = {ENABLED: "CAMPAIGN_STATUS_ENABLED", ARCHIVED: "CAMPAIGN_ARCHIVED"}.get(
            c.state, "CAMPAIGN_PAUSED"
        )
        out["extendedData"] = _extended(c.created_ts, c.stopped_on, status)
    return out


def _ad_group(g: AdGroup, extended: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"adGroupId": g.ad_group_id, "campaignId": g.campaign_id, "name": g.name,
                           "state": g.state, "defaultBid": g.default_bid}  # fmt: skip
    if extended:
        status = {ENABLED: "AD_GROUP_STATUS_ENABLED", ARCHIVED: "AD_GROUP_ARCHIVED"}.get(
            g.state, "AD_GROUP_PAUSED"
        )
        out["extendedData"] = _extended(g.created_ts, g.stopped_on, status)
    return out


def _product_ad(a: ProductAd, extended: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"adId": a.ad_id, "adGroupId": a.ad_group_id, "campaignId": a.campaign_id,
                           "asin": a.asin, "sku": a.sku, "state": a.state}  # fmt: skip
    if extended:
        status = {ENABLED: "AD_STATUS_LIVE", ARCHIVED: "AD_ARCHIVED"}.get(a.state, "AD_PAUSED")
        out["extendedData"] = _extended(a.created_ts, a.stopped_on, status)
    return out


async def _account(request: Request, operation: str, media: str) -> tuple[AdsAccount, dict[str, Any]]:
    caller = await gate(request, "sp", operation)
    _check_media(request, media)
    body = await json_body(request, "sp")
    seller, profile = caller.scoped()
    return account_for(get_state(request), seller, profile), body


CAMPAIGN_TYPE = "application/vnd.spCampaign.v3+json"
AD_GROUP_TYPE = "application/vnd.spAdGroup.v3+json"
PRODUCT_AD_TYPE = "application/vnd.spProductAd.v3+json"


@router.post("/sp/campaigns/list")
async def list_campaigns(request: Request) -> JSONResponse:
    account, body = await _account(request, "ads.ListSponsoredProductsCampaigns", CAMPAIGN_TYPE)
    states, size = _common(body)
    ids = _include(body, "campaignIdFilter", 1000)
    portfolios = _include(body, "portfolioIdFilter", 100)
    names = _name_match(body)
    extended = bool(body.get("includeExtendedDataFields"))
    found = [
        _campaign(c, extended)
        for c in account.campaigns
        if (states is None or c.state in states)
        and (ids is None or c.campaign_id in ids)
        and (portfolios is None or not portfolios)  # no campaign is in a portfolio
        and (names is None or names(c.name))
    ]
    return JSONResponse(_page(body, found, size, "campaigns"), media_type=CAMPAIGN_TYPE)


@router.post("/sp/adGroups/list")
async def list_ad_groups(request: Request) -> JSONResponse:
    account, body = await _account(request, "ads.ListSponsoredProductsAdGroups", AD_GROUP_TYPE)
    states, size = _common(body)
    ids = _include(body, "adGroupIdFilter", 1000)
    campaigns = _include(body, "campaignIdFilter", 100)
    names = _name_match(body)
    targeting = body.get("campaignTargetingTypeFilter")
    if targeting is not None and targeting not in ("AUTO", "MANUAL"):
        raise _bad("campaignTargetingTypeFilter must be AUTO or MANUAL")
    extended = bool(body.get("includeExtendedDataFields"))
    found = [
        _ad_group(g, extended)
        for g in account.ad_groups
        if (states is None or g.state in states)
        and (ids is None or g.ad_group_id in ids)
        and (campaigns is None or g.campaign_id in campaigns)
        and (names is None or names(g.name))
        and (targeting is None or account.campaign_by_id[g.campaign_id].targeting_type == targeting)
    ]
    return JSONResponse(_page(body, found, size, "adGroups"), media_type=AD_GROUP_TYPE)


@router.post("/sp/productAds/list")
async def list_product_ads(request: Request) -> JSONResponse:
    account, body = await _account(request, "ads.ListSponsoredProductsProductAds", PRODUCT_AD_TYPE)
    states, size = _common(body)
    ids = _include(body, "adIdFilter", 1000)
    groups = _include(body, "adGroupIdFilter", 100)
    campaigns = _include(body, "campaignIdFilter", 100)
    extended = bool(body.get("includeExtendedDataFields"))
    found = [
        _product_ad(a, extended)
        for a in account.ads
        if (states is None or a.state in states)
        and (ids is None or a.ad_id in ids)
        and (groups is None or a.ad_group_id in groups)
        and (campaigns is None or a.campaign_id in campaigns)
    ]
    return JSONResponse(_page(body, found, size, "productAds"), media_type=PRODUCT_AD_TYPE)


def register(app: FastAPI) -> None:
    install_error_handler(app)
    app.include_router(router)
