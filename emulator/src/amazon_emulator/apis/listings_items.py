"""Listings Items API 2021-08-01: ``getListingsItem``, as far as onboarding uses it.

The product calls it once per consent with the ``selling_partner_id`` the consent redirect carried
and a SKU no seller has: Amazon answers 404 when the id is the token's own seller and 403
``Unauthorized`` when it is someone else's, which is how the product checks the id it was handed.
The emulator keeps no listing items (its listings live in feeds), so every SKU is unknown.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from amazon_emulator.auth import Caller, sp_operation
from amazon_emulator.errors import SpApiError, unauthorized

router = APIRouter(tags=["Listings Items"])


@router.get("/listings/2021-08-01/items/{sellerId}/{sku}")
async def get_listings_item(
    sellerId: str,
    sku: str,
    caller: Annotated[Caller, Depends(sp_operation("listingsItems.getListingsItem"))],
) -> None:
    if sellerId != caller.require_seller():
        raise unauthorized("")
    raise SpApiError(404, "NOT_FOUND", f"SKU '{sku[:40]}' not found in marketplace.")
