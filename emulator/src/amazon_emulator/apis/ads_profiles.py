"""Ads API Profiles: ``GET /v2/profiles`` and ``GET /v2/profiles/{profileId}``.

One profile per marketplace of the advertiser (the seller that authorized on ``/ap/oa``), listed on the host
of its region (see :mod:`._ads_common`: a local host lists every region), with the country code, currency and
timezone the Profiles model lists (``UK``, not ``GB``). ``accountInfo.id`` is the seller's
merchant id, the same in every marketplace as the model warns; ``validPaymentMethod`` is left out because the
model documents it for vendors only. No Scope header is needed on these two calls.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse

from amazon_emulator.apis._ads_common import AdsError, gate, host_region, install_error_handler
from amazon_emulator.data.ads import AdsProfile, profiles_of
from amazon_emulator.data.models import Seller
from amazon_emulator.usage_plans import register_plan

router = APIRouter(tags=["Ads API: Profiles"])

# Amazon publishes no numbers for the Ads API; these are generous enough for a sync, low enough to test.
register_plan("ads.listProfiles", 2.0, 10)
register_plan("ads.getProfileById", 2.0, 10)

_QUERY_ENUMS = {
    "apiProgram": ("billing", "campaign", "paymentMethod", "store", "report", "account", "posts"),
    "accessLevel": ("edit", "view"),
    "profileTypeFilter": ("seller", "vendor", "agency"),
    "validPaymentMethodFilter": ("true", "false"),
}


def regional_profiles(request: Request, seller: Seller | None) -> list[AdsProfile]:
    """The seller's profiles served on the host the request was sent to."""
    region = host_region(request)
    profiles = profiles_of(seller) if seller is not None else []
    return [p for p in profiles if region is None or p.region == region]


def profile_body(profile: AdsProfile) -> dict[str, Any]:
    return {
        "profileId": profile.profile_id,
        "countryCode": profile.country_code,
        "currencyCode": profile.currency,
        "dailyBudget": profile.daily_budget,
        "timezone": profile.timezone,
        "accountInfo": {
            "marketplaceStringId": profile.marketplace.marketplace_id,
            "id": profile.seller_id,
            "type": "seller",
            "name": profile.seller_name,
        },
    }


@router.get("/v2/profiles")
async def list_profiles(request: Request) -> JSONResponse:
    caller = await gate(request, "profiles", "ads.listProfiles", scoped=False)
    for name, allowed in _QUERY_ENUMS.items():
        value = request.query_params.get(name)
        if value is not None and value not in allowed:
            raise AdsError("profiles", 400, f"Invalid value for {name}: {value}")
    profiles = regional_profiles(request, caller.seller)
    types = request.query_params.get("profileTypeFilter")
    if types is not None and "seller" not in types.split(","):
        profiles = []
    # Sellers carry no validPaymentMethod, which the model says passes the "true" filter only.
    if request.query_params.get("validPaymentMethodFilter") == "false":
        profiles = []
    return JSONResponse([profile_body(p) for p in profiles])


@router.get("/v2/profiles/{profileId}")
async def get_profile(profileId: str, request: Request) -> JSONResponse:
    caller = await gate(request, "profiles", "ads.getProfileById", scoped=False)
    for profile in regional_profiles(request, caller.seller):
        if str(profile.profile_id) == profileId.strip():
            return JSONResponse(profile_body(profile))
    raise AdsError("profiles", 404, "Profile not found")


def register(app: FastAPI) -> None:
    install_error_handler(app)
    app.include_router(router)
