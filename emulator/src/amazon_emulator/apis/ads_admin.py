"""Admin views of the Ads data under ``/_emulator/ads`` (tests and demos only).

* ``GET /_emulator/ads/{profileId}/truth?start=YYYY-MM-DD&end=YYYY-MM-DD[&as_of=ISO]``: what a sync of the
  spAdvertisedProduct report over those local days must reproduce: ``totals``, the same per advertised ASIN
  (``byAdvertisedAsin``) and per local day (``byDate``), and the profile's order sales per ASIN over the days
  (``orderSalesByAsin``, the ceiling of any attributed sales). ``as_of`` (default now) evaluates the current
  day as it was known then.
* ``GET /_emulator/ads/sellers/{sellingPartnerId}/profiles``: a seller's profiles, without a token.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request

from amazon_emulator.apis._ads_common import account_for, find_profile, store
from amazon_emulator.apis.ads_profiles import profile_body
from amazon_emulator.clock import parse_iso
from amazon_emulator.data.ads import profiles_of
from amazon_emulator.data.ads_metrics import AdDay, order_sales, totals
from amazon_emulator.state import get_state

router = APIRouter(prefix="/_emulator/ads", tags=["emulator admin"])


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"{name} must be YYYY-MM-DD") from None


@router.get("/{profile_id}/truth")
async def truth(
    profile_id: int, start: str, end: str, request: Request, as_of: str | None = None
) -> dict[str, Any]:
    state = get_state(request)
    found = find_profile(state, profile_id)
    if found is None:
        raise HTTPException(404, "unknown profile")
    seller, profile = found
    first, last = _day(start, "start"), _day(end, "end")
    if last < first:
        raise HTTPException(422, "end before start")
    account = account_for(state, seller, profile)
    try:
        now = parse_iso(as_of).timestamp() if as_of else state.clock.time()
    except ValueError:
        raise HTTPException(422, "as_of must be an ISO timestamp") from None
    days = store(state).metrics.days(account, seller, first, last, now)
    by_asin: dict[str, list[AdDay]] = defaultdict(list)
    by_date: dict[str, list[AdDay]] = defaultdict(list)
    for row in days:
        by_asin[row.ad.asin].append(row)
        by_date[row.day.isoformat()].append(row)
    return {
        "profileId": profile_id,
        "currencyCode": profile.currency,
        "timezone": profile.timezone,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "rows": len(days),
        "totals": totals(days),
        "byAdvertisedAsin": {asin: totals(rows) for asin, rows in sorted(by_asin.items())},
        "byDate": {day: totals(rows) for day, rows in sorted(by_date.items())},
        "orderSalesByAsin": order_sales(account, seller, first, last, now),
    }


@router.get("/sellers/{selling_partner_id}/profiles")
async def seller_profiles(selling_partner_id: str, request: Request) -> list[dict[str, Any]]:
    seller = get_state(request).seller(selling_partner_id)
    if seller is None:
        raise HTTPException(404, "unknown seller")
    return [profile_body(p) for p in profiles_of(seller)]
