"""getListingsItem: 404 for the token's own seller (no listing items are kept), 403 for another
seller's id (how the product checks the consent's selling_partner_id), both in Amazon's shapes."""

from __future__ import annotations

import httpx

from amazon_emulator.config import DEMO_SELLER_ID

from emulator_contract import require_models, validate
from emulator_helpers import US


async def test_listings_item_tells_own_seller_from_another(client: httpx.AsyncClient, token: str) -> None:
    require_models()
    headers = {"x-amz-access-token": token}
    own = await client.get(
        f"/listings/2021-08-01/items/{DEMO_SELLER_ID}/no-such-sku",
        params={"marketplaceIds": US},
        headers=headers,
    )
    assert own.status_code == 404, own.text
    validate("listingsItems", own)
    other = await client.get(
        "/listings/2021-08-01/items/A2SOMEONEELSE999/no-such-sku",
        params={"marketplaceIds": US},
        headers=headers,
    )
    assert other.status_code == 403, other.text
    validate("listingsItems", other)
