"""Admin routes for Feeds and the listings they change (tests, demos), under ``/_emulator``.

* ``GET /_emulator/sellers/{id}/listings?marketplace_id=&offset=0&limit=100``: the seller's listings in the
  marketplace (default: the seller's first) as they are now, after the feeds applied so far, in the order
  of the listings report. Answers ``{"items": [{"sku", "asin", "price", "currency", "quantity",
  "handling_time", "fulfillment_channel"}], "total"}``; ``price`` is a number with two decimals in the
  marketplace's ``currency``, ``handling_time`` a number of days or ``null`` (Amazon-fulfilled offers),
  ``fulfillment_channel`` ``"DEFAULT"`` (merchant) or ``"AMAZON_NA"``; ``total`` is the number of listings
  (the catalogue's, or the count set with ``POST /_emulator/sellers/{id}/listings``). ``limit`` <= 10,000.
* ``GET /_emulator/sellers/{id}/feeds``: every feed ever created for the seller (any application), oldest
  first: ``{"feeds": [{"feedId", "feedType", "processingStatus", "createdTime", "inputFeedDocumentId",
  "contentType"}]}`` (``contentType``: the one declared at createFeedDocument). Tests count them to prove a
  feed was created exactly once.
"""

from __future__ import annotations

from itertools import islice
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request

from amazon_emulator.apis._listing_changes import changes_for
from amazon_emulator.apis._outcomes import listing_count
from amazon_emulator.apis._reports_catalog import listings
from amazon_emulator.apis.feeds import jobs, settle_jobs
from amazon_emulator.clock import iso_ts
from amazon_emulator.data.marketplaces import MARKETPLACES
from amazon_emulator.data.models import Seller
from amazon_emulator.state import EmulatorState, get_state

router = APIRouter(prefix="/_emulator", tags=["emulator admin"])


def _seller(state: EmulatorState, selling_partner_id: str) -> Seller:
    seller = state.seller(selling_partner_id)
    if seller is None:
        raise HTTPException(404, "unknown seller")
    return seller


@router.get("/sellers/{selling_partner_id}/listings")
async def seller_listings(
    selling_partner_id: str,
    request: Request,
    marketplace_id: str | None = None,
    offset: int = Query(0, ge=0),
    limit: int = Query(100, ge=1, le=10_000),
) -> dict[str, Any]:
    """The seller's listings now (prices, quantities, handling times after the applied feeds)."""
    state = get_state(request)
    seller = _seller(state, selling_partner_id)
    markets = seller.marketplace_ids()
    market = marketplace_id or markets[0]
    if market not in markets:
        raise HTTPException(422, f"the seller does not sell in marketplace {market}")
    settle_jobs(state)
    count = listing_count(state, selling_partner_id)
    total = len(seller.catalogue) if count is None else count
    changes = changes_for(state, selling_partner_id, market)
    currency = MARKETPLACES[market].currency
    page = islice(listings(seller, market, count, state.clock.time(), changes, start=offset), limit)
    items = [
        {
            "sku": item.sku,
            "asin": item.asin,
            "price": round(item.price, 2),
            "currency": currency,
            "quantity": item.quantity,
            "handling_time": item.handling_time,
            "fulfillment_channel": item.fulfillment_channel,
        }
        for item in page
    ]
    return {"items": items, "total": total}


@router.get("/sellers/{selling_partner_id}/feeds")
async def seller_feeds(selling_partner_id: str, request: Request) -> dict[str, Any]:
    """Every feed created for the seller, oldest first, with its status now."""
    state = get_state(request)
    _seller(state, selling_partner_id)
    settle_jobs(state)
    now = state.clock.time()
    created = sorted(jobs(state).for_seller(selling_partner_id), key=lambda j: int(j.job_id))
    return {
        "feeds": [
            {
                "feedId": job.job_id,
                "feedType": job.attrs["feedType"],
                "processingStatus": job.status(now),
                "createdTime": iso_ts(job.created),
                "inputFeedDocumentId": job.attrs["input"],
                "contentType": job.attrs.get("contentType"),
            }
            for job in created
        ]
    }
