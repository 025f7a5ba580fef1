"""Listings Items API 2021-08-01: getListingsItem, used to check whose token we hold."""

from __future__ import annotations

from app.amazon_http.errors import Forbidden, InvalidInput, NotFound
from app.spapi.primitives import Operation, SpApiCaller

GET_LISTINGS_ITEM = Operation(
    "listingsItems", "getListingsItem", "GET", "/listings/2021-08-01/items/{sellerId}/{sku}"
)

# No seller lists this SKU: the call can only answer "not found" (ours) or "denied" (not ours).
PROBE_SKU = "spapi-saas-seller-check"


class ListingsApi:
    def __init__(self, client: SpApiCaller) -> None:
        self._client = client

    async def is_own_seller_id(self, seller_id: str, marketplace_id: str) -> bool:
        """Whether `seller_id` is the selling partner this client's token belongs to.

        The path's seller id must be the token's own: Amazon answers 403 (or 400) for another
        seller's id and 404 for an unknown SKU of the token's own seller."""
        try:
            await self._client.call(
                GET_LISTINGS_ITEM,
                path_params={"sellerId": seller_id, "sku": PROBE_SKU},
                params={"marketplaceIds": marketplace_id},
            )
        except NotFound:
            return True
        except (Forbidden, InvalidInput):
            return False
        return True
