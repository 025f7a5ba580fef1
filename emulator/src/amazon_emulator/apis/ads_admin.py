"""Admin views of the Ads data under ``/_emulator/ads`` (tests and demos only).

* ``GET /_emulator/ads/{profileId}/truth?start=YYYY-MM-DD&end=YYYY-MM-DD[&as_of=ISO]``: what a sync of the
  Sponsored Products reports over those local days must reproduce, as Amazon reports it at ``as_of`` (default
  now; restatements after it are not seen):

  * ``totals``: the spAdvertisedProduct sums (impressions, clicks, cost; purchases, unitsSoldClicks, sales
    and their same-SKU variants ``purchasesSameSku``, ``unitsSoldSameSku``, ``attributedSalesSameSku`` at
    1/7/14/30 days); the same per advertised ASIN (``byAdvertisedAsin``), per local day (``byDate``) and per
    advertised ASIN and day (``byAsinDate``: ``{asin: {day: totals}}``);
  * ``purchasedByAdvertisedAsin``: the halo, i.e. the spPurchasedProduct rows (other-SKU purchases) summed
    per ``advertisedAsin``: ``{asin: {purchasesNd, unitsSoldClicksNd, salesNd}}``;
  * ``orderSalesByAsinDate`` (``{asin: {day: sales}}``) and ``orderSalesByAsin`` (its sums): see
    :func:`order_sales_by_date` (orders Unshipped, PartiallyShipped or Shipped at ``as_of``, purchase time in
    the profile's local day, each line's ItemPrice = unit price x quantity in cents).
* ``POST /_emulator/ads/{profileId}/restate`` ``{"date": "YYYY-MM-DD"}``: Amazon restates that local day's
  conversions now (:mod:`amazon_emulator.data.ads_restatement`); answers ``{"date", "before", "after"}`` with
  the day's ``totals``. 422 for a day older than 28 days before the profile's today or after it.
* ``GET /_emulator/ads/sellers/{sellingPartnerId}/profiles``: a seller's profiles, without a token.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from amazon_emulator.apis._ads_common import account_for, find_profile, store
from amazon_emulator.apis.ads_profiles import profile_body
from amazon_emulator.clock import iso_ms, parse_iso
from amazon_emulator.data.ads import AdsAccount, profiles_of
from amazon_emulator.data.ads_metrics import (
    RESTATEMENT_DAYS,
    AdDay,
    halo_totals,
    order_sales_by_date,
    totals,
)
from amazon_emulator.data.ads_restatement import restate
from amazon_emulator.data.models import Seller
from amazon_emulator.state import EmulatorState, get_state

router = APIRouter(prefix="/_emulator/ads", tags=["emulator admin"])


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422, f"{name} must be YYYY-MM-DD") from None


def _account(state: EmulatorState, profile_id: int) -> tuple[Seller, AdsAccount]:
    found = find_profile(state, profile_id)
    if found is None:
        raise HTTPException(404, "unknown profile")
    seller, profile = found
    return seller, account_for(state, seller, profile)


@router.get("/{profile_id}/truth")
async def truth(
    profile_id: int, start: str, end: str, request: Request, as_of: str | None = None
) -> dict[str, Any]:
    """What the profile's Sponsored Products reports over the local days ``start..end`` add up to, as Amazon
    reports them at ``as_of`` (default now).

    Order sales (``orderSalesByAsinDate``: ``{asin: {YYYY-MM-DD: sales}}``, and ``orderSalesByAsin``, their
    sums) count the orders of the profile's marketplace whose purchase time falls in that local day of the
    profile's time zone and whose status at ``as_of`` is Unshipped, PartiallyShipped or Shipped (Pending
    orders have no price yet, Canceled ones are left out), adding each order line's ``ItemPrice`` (unit price
    x quantity, rounded to cents, as the Orders API shows it) under the line's ASIN. Attributed sales only
    ever come from such lines, so the same-SKU sales of an ASIN on a day never exceed its order sales that
    day."""
    state = get_state(request)
    seller, account = _account(state, profile_id)
    first, last = _day(start, "start"), _day(end, "end")
    if last < first:
        raise HTTPException(422, "end before start")
    try:
        now = parse_iso(as_of).timestamp() if as_of else state.clock.time()
    except ValueError:
        raise HTTPException(422, "as_of must be an ISO timestamp") from None
    days = store(state).metrics.days(account, seller, first, last, now)
    by_asin: dict[str, list[AdDay]] = defaultdict(list)
    by_date: dict[str, list[AdDay]] = defaultdict(list)
    by_asin_date: dict[str, dict[str, list[AdDay]]] = defaultdict(lambda: defaultdict(list))
    for row in days:
        by_asin[row.ad.asin].append(row)
        by_date[row.day.isoformat()].append(row)
        by_asin_date[row.ad.asin][row.day.isoformat()].append(row)
    order_sales = order_sales_by_date(account, seller, first, last, now)
    profile = account.profile
    return {
        "profileId": profile_id,
        "currencyCode": profile.currency,
        "timezone": profile.timezone,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "asOf": iso_ms(now),
        "rows": len(days),
        "totals": totals(days),
        "byAdvertisedAsin": {asin: totals(rows) for asin, rows in sorted(by_asin.items())},
        "byDate": {day: totals(rows) for day, rows in sorted(by_date.items())},
        "byAsinDate": {
            asin: {day: totals(rows) for day, rows in sorted(per_day.items())}
            for asin, per_day in sorted(by_asin_date.items())
        },
        "purchasedByAdvertisedAsin": halo_totals(days),
        "orderSalesByAsinDate": order_sales,
        "orderSalesByAsin": {asin: round(sum(per_day.values()), 2) for asin, per_day in order_sales.items()},
    }


class RestateIn(BaseModel):
    date: str


@router.post("/{profile_id}/restate")
async def restate_day(profile_id: int, body: RestateIn, request: Request) -> dict[str, Any]:
    """Amazon restates one local day's conversions now: more of the day's order lines are credited to its
    ads (never beyond an ASIN's order sales that day); reports created from now on and ``/truth`` show it."""
    state = get_state(request)
    seller, account = _account(state, profile_id)
    day = _day(body.date, "date")
    metrics = store(state).metrics
    with state.lock:
        now = state.clock.time()
        today = account.profile.local_date(now)
        if day > today or day < today - timedelta(days=RESTATEMENT_DAYS):
            raise HTTPException(
                422, f"date must be between {today - timedelta(days=RESTATEMENT_DAYS)} and {today}"
            )
        before = metrics.days(account, seller, day, day, now)
        plan = metrics.plan(account, seller, day, now)
        metrics.add_restated(profile_id, day, restate(plan, metrics.restated(profile_id, day), now))
        after = metrics.days(account, seller, day, day, now)
    return {"date": day.isoformat(), "before": totals(before), "after": totals(after)}


@router.get("/sellers/{selling_partner_id}/profiles")
async def seller_profiles(selling_partner_id: str, request: Request) -> list[dict[str, Any]]:
    seller = get_state(request).seller(selling_partner_id)
    if seller is None:
        raise HTTPException(404, "unknown seller")
    return [profile_body(p) for p in profiles_of(seller)]
