"""What every Ads API route shares: the header checks, error shapes, throttling, faults and the ads stores.

Headers, in Amazon's order: ``Authorization: Bearer <Ads access token>`` (401 when missing, unknown, expired
or not an Ads token), ``Amazon-Advertising-API-ClientId`` (401 when missing or not the token's application),
then ``Amazon-Advertising-API-Scope`` (a profile id of this advertiser; not needed on ``GET /v2/profiles``).

Each Ads API answers errors in its own shape, as its model says:

* ``profiles``: ``{"code", "details"}`` (the generic Ads shape);
* ``reporting``: ``{"code": "<http status>", "detail"}`` (``AsyncReportingError``);
* ``sp``: ``{"code": "UNAUTHORIZED"|"INVALID_ARGUMENT"|..., "message"}``.

Regions: Amazon serves each region on its own host and lists only that region's profiles there. A request to
one of Amazon's regional hosts (``advertising-api.amazon.com`` NA, ``advertising-api-eu.amazon.com`` EU,
``advertising-api-fe.amazon.com`` FE; e.g. an HTTP client with that base URL on an in-process transport) sees
that region's profiles only, and a profile of another region is an unknown scope there. Any other host (the
emulator on localhost, where a product points all three regions) serves every region.

A bad scope answers 401 with the documented texts ("Scope header is missing", "No matching advertiser found
for scope", "Not authorized to access scope"), except on reporting where an unknown profile answers 400
"Invalid Advertiser or Marketplace ID." (the model's example).
"""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from amazon_emulator.auth import set_operation
from amazon_emulator.data.ads import AdsAccount, AdsProfile, build_account, profile_id_for, profiles_of
from amazon_emulator.data.ads_metrics import MetricsCache
from amazon_emulator.data.models import Seller
from amazon_emulator.state import EmulatorState, get_state

Flavor = Literal["profiles", "reporting", "sp"]

TOKEN_INVALID = "The access token provided is expired, revoked, malformed, or invalid for other reasons."
CLIENT_MISMATCH = "Amazon-Advertising-API-ClientId is missing or does not match the access token's client."
SCOPE_MISSING = "Scope header is missing"
SCOPE_UNKNOWN = "No matching advertiser found for scope"
SCOPE_FOREIGN = "Not authorized to access scope"
REPORTING_BAD_SCOPE = "Invalid Advertiser or Marketplace ID."
REGION_HOSTS = {
    "advertising-api.amazon.com": "NA",
    "advertising-api-eu.amazon.com": "EU",
    "advertising-api-fe.amazon.com": "FE",
}

_SP_CODES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHORIZED",
    403: "ACCESS_DENIED",
    404: "NOT_FOUND",
    415: "UNSUPPORTED_MEDIA_TYPE",
    429: "THROTTLED",
    500: "INTERNAL_ERROR",
}
_GENERIC_CODES = {400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND",
                  415: "UNSUPPORTED_MEDIA_TYPE", 429: "TOO_MANY_REQUESTS", 500: "INTERNAL_ERROR"}  # fmt: skip


class AdsError(Exception):
    """An Ads API error, rendered in the shape of the API that raised it."""

    def __init__(self, flavor: Flavor, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        self.flavor = flavor
        self.status = status
        self.text = text
        self.headers = headers or {}
        super().__init__(f"{status}: {text}")

    def body(self) -> dict[str, Any]:
        if self.flavor == "reporting":
            return {"code": str(self.status), "detail": self.text}
        if self.flavor == "sp":
            return {"code": _SP_CODES.get(self.status, "INTERNAL_ERROR"), "message": self.text}
        return {"code": _GENERIC_CODES.get(self.status, "INTERNAL_ERROR"), "details": self.text}


async def _render(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AdsError)
    request.state.note = exc.text
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


def install_error_handler(app: FastAPI) -> None:
    app.add_exception_handler(AdsError, _render)


# Stores
# -------------------------------------------------------------------------------------------------


class AdsStore:
    """Accounts built on first use (per profile), the finished-day metrics cache and the reports."""

    def __init__(self) -> None:
        # Keyed by profile; the seller object is kept so a seller re-created under the same id is rebuilt.
        self.accounts: dict[int, tuple[Seller, AdsAccount]] = {}
        self.metrics = MetricsCache()
        self.reports: dict[str, Any] = {}
        # profileId -> (seller id, marketplace id), rebuilt when the set of sellers changes.
        self.profile_index: dict[int, tuple[str, str]] = {}
        self.indexed_sellers: frozenset[tuple[str, int]] = frozenset()


def store(state: EmulatorState) -> AdsStore:
    return state.extension("ads", AdsStore)


def find_profile(state: EmulatorState, profile_id: int) -> tuple[Seller, AdsProfile] | None:
    ads = store(state)
    with state.lock:
        sellers = frozenset((sid, id(seller)) for sid, seller in state.sellers.items())
        if sellers != ads.indexed_sellers:
            ads.profile_index = {
                profile_id_for(seller.selling_partner_id, market.marketplace_id): (
                    seller.selling_partner_id,
                    market.marketplace_id,
                )
                for seller in state.sellers.values()
                for market in seller.marketplaces
            }
            ads.indexed_sellers = sellers
        entry = ads.profile_index.get(profile_id)
    seller = state.seller(entry[0]) if entry else None
    if seller is None:
        return None
    return seller, next(p for p in profiles_of(seller) if p.profile_id == profile_id)


def account_for(state: EmulatorState, seller: Seller, profile: AdsProfile) -> AdsAccount:
    ads = store(state)
    with state.lock:
        entry = ads.accounts.get(profile.profile_id)
        if entry is None or entry[0] is not seller:
            entry = (seller, build_account(seller, profile, state.clock.time()))
            ads.accounts[profile.profile_id] = entry
            ads.metrics.forget(profile.profile_id)
        return entry[1]


# The gate
# -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdsCaller:
    advertiser_id: str
    application_id: str
    client_id: str
    seller: Seller | None
    profile: AdsProfile | None

    def scoped(self) -> tuple[Seller, AdsProfile]:
        assert self.seller is not None and self.profile is not None
        return self.seller, self.profile


async def _faults(state: EmulatorState, flavor: Flavor, operation: str) -> None:
    decision = state.faults.decide(operation, state.clock.time())
    if decision.latency_s > 0:
        await asyncio.sleep(decision.latency_s)
    if decision.throttled:
        # Storms last real seconds (``throttle_storm_seconds``); Retry-After is in real seconds too.
        raise AdsError(flavor, 429, "Too Many Requests", {"Retry-After": "1"})
    if decision.error_status is not None:
        raise AdsError(flavor, decision.error_status, "Internal Server Error")


def host_region(request: Request) -> str | None:
    """The region of the Amazon host the request was sent to; ``None`` (every region) for any other host."""
    return REGION_HOSTS.get(request.headers.get("host", "").split(":")[0].strip().lower())


def _scope(
    state: EmulatorState, flavor: Flavor, raw: str, advertiser: str, region: str | None
) -> tuple[Seller, AdsProfile]:
    if not raw.strip():
        raise AdsError(flavor, 401, SCOPE_MISSING)
    try:
        profile_id = int(raw.strip())
    except ValueError:
        found = None
    else:
        found = find_profile(state, profile_id)
    if found is not None and region is not None and found[1].region != region:
        found = None
    if found is None:
        raise AdsError(flavor, 400 if flavor == "reporting" else 401,
                       REPORTING_BAD_SCOPE if flavor == "reporting" else SCOPE_UNKNOWN)  # fmt: skip
    if found[0].selling_partner_id != advertiser:
        raise AdsError(flavor, 400 if flavor == "reporting" else 401,
                       REPORTING_BAD_SCOPE if flavor == "reporting" else SCOPE_FOREIGN)  # fmt: skip
    return found


async def gate(request: Request, flavor: Flavor, operation: str, *, scoped: bool = True) -> AdsCaller:
    """Faults, token, client id, scope, then the (application, advertiser, operation) bucket."""
    state = get_state(request)
    set_operation(request, operation)
    await _faults(state, flavor, operation)
    header = request.headers.get("authorization", "")
    scheme, _, raw = header.partition(" ")
    token = state.credentials.access.get(raw.strip()) if scheme.lower() == "bearer" else None
    if token is None or token.kind != "ads" or token.selling_partner_id is None:
        request.state.token_kind = "invalid" if token is None else token.kind
        raise AdsError(flavor, 401, TOKEN_INVALID)
    request.state.token_kind = "ads"
    request.state.application_id = token.application_id
    request.state.selling_partner_id = token.selling_partner_id
    if state.clock.time() >= token.expires_at:
        raise AdsError(flavor, 401, TOKEN_INVALID)
    if request.headers.get("amazon-advertising-api-clientid", "").strip() != token.client_id:
        raise AdsError(flavor, 401, CLIENT_MISMATCH)
    seller: Seller | None = None
    profile: AdsProfile | None = None
    if scoped:
        seller, profile = _scope(state, flavor, request.headers.get("amazon-advertising-api-scope", ""),
                                 token.selling_partner_id, host_region(request))  # fmt: skip
    else:
        seller = state.seller(token.selling_partner_id)
    throttle(state, flavor, token.application_id, token.selling_partner_id, operation)
    return AdsCaller(token.selling_partner_id, token.application_id, token.client_id, seller, profile)


def throttle(
    state: EmulatorState, flavor: Flavor, application_id: str, advertiser: str, operation: str
) -> None:
    """Take a token from the advertiser's bucket; else 429 with ``Retry-After`` (real seconds to a refill)."""
    decision = state.ratelimiter.take(application_id, advertiser, operation)
    if decision.allowed:
        return
    refill = state.clock.real_rate(decision.plan.rate)
    wait = (1.0 - decision.remaining) / refill if refill > 0 else 60.0
    raise AdsError(flavor, 429, "Too Many Requests", {"Retry-After": str(max(1, math.ceil(wait)))})


async def json_body(request: Request, flavor: Flavor) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise AdsError(flavor, 400, "Request body is not valid JSON") from exc
    if not isinstance(data, dict):
        raise AdsError(flavor, 400, "Request body must be a JSON object")
    return data


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()
