"""Sellers API v1: ``getMarketplaceParticipations`` (and ``getAccount``'s plan is declared, not served)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from amazon_emulator.auth import Caller, sp_operation
from amazon_emulator.errors import unauthorized
from amazon_emulator.state import get_state

router = APIRouter(tags=["Sellers"])


@router.get("/sellers/v1/marketplaceParticipations")
async def get_marketplace_participations(
    request: Request, caller: Annotated[Caller, Depends(sp_operation("sellers.getMarketplaceParticipations"))]
) -> dict[str, Any]:
    seller = get_state(request).seller(caller.require_seller())
    if seller is None:
        raise unauthorized("")
    return {
        "payload": [
            {
                "marketplace": {
                    "id": m.marketplace_id,
                    "name": m.name,
                    "countryCode": m.country_code,
                    "defaultCurrencyCode": m.currency,
                    "defaultLanguageCode": m.language,
                    "domainName": m.domain,
                },
                "participation": {"isParticipating": True, "hasSuspendedListings": False},
                "storeName": seller.store_name,
            }
            for m in seller.marketplaces
        ]
    }
