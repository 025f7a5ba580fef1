"""Default usage plans of the Ads API operations this client calls."""

from __future__ import annotations

from app.amazon_http.ratelimit import FALLBACK_PLAN, UsagePlan

_P = UsagePlan

# The Ads API publishes no per-operation plans (limits are dynamic, answered with 429 + Retry-After).
# These keep one tenant's bursts polite; Retry-After does the rest.
ADS_PLANS: dict[str, UsagePlan] = {
    "ads.listProfiles": _P(1.0, 5),
    "ads.createAsyncReport": _P(1.0, 5),
    "ads.getAsyncReport": _P(2.0, 10),
    "ads.listCampaigns": _P(2.0, 10),
    "ads.listAdGroups": _P(2.0, 10),
    "ads.listProductAds": _P(2.0, 10),
}


def plan_for(operation: str) -> UsagePlan:
    return ADS_PLANS.get(operation) or FALLBACK_PLAN
