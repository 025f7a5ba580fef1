"""Contract sweep: call every SP-API operation the emulator serves, in success and error cases, and validate
each request and response against the official OpenAPI models (skips when the models are absent)."""

from __future__ import annotations

import httpx
import pytest

from amazon_emulator.config import DEMO_SELLER_ID
from amazon_emulator.state import EmulatorState

from emulator_contract import require_models, validate
from emulator_helpers import US, auth, create_rdt, days_ago


@pytest.fixture(autouse=True)
def _models() -> None:
    require_models()


async def test_orders_v0_every_operation(client: httpx.AsyncClient, token: str, state: EmulatorState) -> None:
    now = state.clock.time()
    seller = state.sellers[DEMO_SELLER_ID]
    samples = {}
    for order in seller.orders:
        status = order.status_at(now)
        if status is not None and status not in samples:
            samples[status] = order.amazon_order_id
    assert {"Shipped", "Canceled"} <= set(samples)
    rdt_resp = await create_rdt(
        client,
        token,
        [
            {"method": "GET", "path": "/orders/v0/orders", "dataElements": ["buyerInfo", "shippingAddress"]},
            {
                "method": "GET",
                "path": "/orders/v0/orders/{orderId}",
                "dataElements": ["buyerInfo", "shippingAddress"],
            },
            {
                "method": "GET",
                "path": "/orders/v0/orders/{orderId}/orderItems",
                "dataElements": ["buyerInfo"],
            },
            {"method": "GET", "path": "/orders/v0/orders/{orderId}/address"},
            {"method": "GET", "path": "/orders/v0/orders/{orderId}/buyerInfo"},
            {"method": "GET", "path": "/orders/v0/orders/{orderId}/orderItems/buyerInfo"},
        ],
    )
    validate("tokens", rdt_resp)
    rdt = rdt_resp.json()["restrictedDataToken"]
    for tok in (token, rdt):
        r = await client.get(
            "/orders/v0/orders",
            params={
                "MarketplaceIds": ",".join(seller.marketplace_ids()),
                "CreatedAfter": days_ago(state, 60),
                "MaxResultsPerPage": 50,
            },
            headers=auth(tok),
        )
        validate("ordersV0", r)
        for oid in samples.values():
            for suffix in ("", "/orderItems", "/address", "/buyerInfo", "/orderItems/buyerInfo"):
                r = await client.get(f"/orders/v0/orders/{oid}{suffix}", headers=auth(tok))
                assert r.status_code in (200, 403), r.text
                validate("ordersV0", r)


async def test_orders_2026_every_dataset(client: httpx.AsyncClient, token: str, state: EmulatorState) -> None:
    for dataset in (
        "BUYER",
        "RECIPIENT",
        "PROCEEDS",
        "EXPENSE",
        "PROMOTION",
        "CANCELLATION",
        "FULFILLMENT",
        "PACKAGES",
        "TAX",
        "PAYMENT",
        "FULFILLMENT_ORDERS",
    ):
        r = await client.get(
            "/orders/2026-01-01/orders",
            params={
                "lastUpdatedAfter": days_ago(state, 20),
                "includedData": dataset,
                "maxResultsPerPage": 20,
            },
            headers=auth(token),
        )
        assert r.status_code == 200, r.text
        validate("orders2026", r)
        oid = r.json()["orders"][0]["orderId"]
        single = await client.get(
            f"/orders/2026-01-01/orders/{oid}", params={"includedData": dataset}, headers=auth(token)
        )
        validate("orders2026", single)


async def test_error_envelopes(client: httpx.AsyncClient, token: str, state: EmulatorState) -> None:
    r = await client.get(
        "/orders/v0/orders", params={"MarketplaceIds": US, "CreatedAfter": days_ago(state, 1)}
    )
    assert r.status_code == 403
    validate("ordersV0", r)
    r = await client.get("/orders/2026-01-01/orders", params={"createdAfter": days_ago(state, 1)})
    assert r.status_code == 403
    validate("orders2026", r)
    r = await client.post("/tokens/2021-03-01/restrictedDataToken", json={"restrictedResources": []})
    assert r.status_code == 403
    validate("tokens", r, request=False)
    await client.post(
        "/_emulator/faults", json={"operation": "*", "error_rate": 1.0, "status": 503, "count": 3}
    )
    for api, path in (
        ("ordersV0", "/orders/v0/orders/111-1111111-1111111"),
        ("orders2026", "/orders/2026-01-01/orders/111-1111111-1111111"),
        ("sellers", "/sellers/v1/marketplaceParticipations"),
    ):
        r = await client.get(path, headers=auth(token))
        assert r.status_code == 503
        validate(api, r)
