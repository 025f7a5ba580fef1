"""RDT coverage rules: method, concrete and templated paths."""

from __future__ import annotations

import httpx

from amazon_emulator.config import DEMO_SELLER_ID
from amazon_emulator.credentials import RestrictedResource
from amazon_emulator.state import EmulatorState

from emulator_helpers import auth, create_rdt


def test_resource_matching() -> None:
    templated = RestrictedResource("GET", "/orders/v0/orders/{orderId}/address", frozenset())
    assert templated.matches("GET", "/orders/v0/orders/123-1234567-1234567/address")
    assert not templated.matches("POST", "/orders/v0/orders/123-1234567-1234567/address")
    assert not templated.matches("GET", "/orders/v0/orders/123-1234567-1234567/buyerInfo")
    assert not templated.matches("GET", "/orders/v0/orders/123-1234567-1234567/address/extra")
    concrete = RestrictedResource("GET", "/orders/v0/orders/123-1234567-1234567", frozenset({"buyerInfo"}))
    assert concrete.matches("GET", "/orders/v0/orders/123-1234567-1234567")
    assert not concrete.matches("GET", "/orders/v0/orders/999-1234567-1234567")


async def test_rdt_for_one_order_does_not_open_another(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    now = state.clock.time()
    shipped = [o for o in state.sellers[DEMO_SELLER_ID].orders if o.status_at(now) == "Shipped"][:2]
    first, second = (o.amazon_order_id for o in shipped)
    rdt = (
        await create_rdt(client, token, [{"method": "GET", "path": f"/orders/v0/orders/{first}/address"}])
    ).json()
    ok = await client.get(f"/orders/v0/orders/{first}/address", headers=auth(rdt["restrictedDataToken"]))
    assert ok.status_code == 200
    denied = await client.get(f"/orders/v0/orders/{second}/address", headers=auth(rdt["restrictedDataToken"]))
    assert denied.status_code == 403


async def test_rdt_belongs_to_its_seller(client: httpx.AsyncClient, token: str, state: EmulatorState) -> None:
    other = (await client.post("/_emulator/sellers", json={"orders": 50, "marketplaces": ["US"]})).json()
    foreign = state.sellers[other["selling_partner_id"]].orders[0].amazon_order_id
    rdt = (
        await create_rdt(client, token, [{"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}])
    ).json()
    # The demo seller's RDT cannot read another seller's order: it does not exist for this seller.
    r = await client.get(f"/orders/v0/orders/{foreign}/address", headers=auth(rdt["restrictedDataToken"]))
    assert r.status_code == 404
