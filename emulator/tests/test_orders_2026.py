"""Orders 2026-01-01: searchOrders/getOrder, includedData, pagination tokens; validated against the model."""

from __future__ import annotations

import httpx
import pytest

from amazon_emulator.config import DEMO_SELLER_ID
from amazon_emulator.state import EmulatorState

from emulator_contract import validate
from emulator_helpers import ago, auth, create_rdt, days_ago

SEARCH = "/orders/2026-01-01/orders"
ALL_DATA = ",".join(
    (
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
    )
)


async def _walk(client: httpx.AsyncClient, token: str, params: dict[str, object]) -> list[dict[str, object]]:
    orders: list[dict[str, object]] = []
    query = dict(params)
    while True:
        r = await client.get(SEARCH, params=query, headers=auth(token))
        assert r.status_code == 200, r.text
        validate("orders2026", r)
        body = r.json()
        orders.extend(body["orders"])
        if "pagination" not in body:
            return orders
        query = {**params, "paginationToken": body["pagination"]["nextToken"]}


async def test_search_all_pages_matches_truth_and_is_stable(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    # Amazon raises plans per seller; do the same so the walk is not throttled.
    plan = {"operation": "orders2026.searchOrders", "rate": 100, "burst": 1000}
    assert (
        await client.post(f"/_emulator/sellers/{DEMO_SELLER_ID}/usage-plans", json=plan)
    ).status_code == 200
    before = ago(state, 130)
    params = {
        "createdAfter": days_ago(state, 729),
        "createdBefore": before,
        "maxResultsPerPage": 100,
        "includedData": ALL_DATA,
    }
    first = await _walk(client, token, params)
    truth = (
        await client.get(f"/_emulator/sellers/{DEMO_SELLER_ID}/summary", params={"as_of": before})
    ).json()
    assert len(first) == truth["total_orders"]
    assert sum(len(o["orderItems"]) for o in first) == truth["total_items"]  # type: ignore[arg-type]
    statuses: dict[str, int] = {}
    for o in first:
        status = o["fulfillment"]["fulfillmentStatus"]  # type: ignore[index]
        statuses[status] = statuses.get(status, 0) + 1
    expected = {
        {"Canceled": "CANCELLED"}.get(k, k.upper().replace("PARTIALLYSHIPPED", "PARTIALLY_SHIPPED")): v
        for k, v in truth["by_status"].items()
    }
    assert statuses == expected
    second = await _walk(client, token, {**params, "includedData": "FULFILLMENT", "maxResultsPerPage": 37})
    assert [o["orderId"] for o in second] == [o["orderId"] for o in first]


async def test_pagination_token_must_keep_filters(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    params = {"createdAfter": days_ago(state, 300), "maxResultsPerPage": 10}
    r = await client.get(SEARCH, params=params, headers=auth(token))
    next_token = r.json()["pagination"]["nextToken"]
    changed = await client.get(
        SEARCH, params={**params, "fulfilledBy": "AMAZON", "paginationToken": next_token}, headers=auth(token)
    )
    assert changed.status_code == 400
    validate("orders2026", changed)
    same = await client.get(
        SEARCH, params={**params, "maxResultsPerPage": 50, "paginationToken": next_token}, headers=auth(token)
    )
    assert same.status_code == 200
    bogus = await client.get(SEARCH, params={**params, "paginationToken": "nope"}, headers=auth(token))
    assert bogus.status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"createdAfter": "A", "lastUpdatedAfter": "A"},
        {"createdAfter": "A", "lastUpdatedBefore": "B"},
        {"createdAfter": "A", "createdBefore": "NOW"},
        {"lastUpdatedAfter": "A", "lastUpdatedBefore": "NOW"},
        {"createdAfter": "A", "maxResultsPerPage": "500"},
        {"createdAfter": "A", "includedData": "EVERYTHING"},
        {"createdAfter": "A", "fulfillmentStatuses": "Shipped"},
    ],
)
async def test_search_rules(
    client: httpx.AsyncClient, token: str, state: EmulatorState, params: dict[str, str]
) -> None:
    values = {"A": days_ago(state, 3), "B": days_ago(state, 1), "NOW": ago(state, 10)}
    query = {k: values.get(v, v) for k, v in params.items()}
    r = await client.get(SEARCH, params=query, headers=auth(token))
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["code"] == "InvalidInput"
    validate("orders2026", r, request=False)


async def test_get_order_included_data_and_pending_without_prices(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    created = (
        await client.post(f"/_emulator/sellers/{DEMO_SELLER_ID}/activity", json={"new_orders": 1})
    ).json()
    oid = created["created"][0]
    bare = await client.get(f"{SEARCH}/{oid}", headers=auth(token))
    assert bare.status_code == 200
    validate("orders2026", bare)
    order = bare.json()["order"]
    assert "buyer" not in order and "fulfillment" not in order
    assert all("price" not in i["product"] for i in order["orderItems"])
    full = await client.get(f"{SEARCH}/{oid}", params={"includedData": ALL_DATA}, headers=auth(token))
    validate("orders2026", full)
    assert full.json()["order"]["fulfillment"]["fulfillmentStatus"] == "PENDING"
    assert "proceeds" not in full.json()["order"]
    # Move it forward: it gets paid and priced.
    await client.post(f"/_emulator/sellers/{DEMO_SELLER_ID}/activity", json={"updates": 50})
    paid = (
        await client.get(
            f"{SEARCH}/{oid}", params={"includedData": "PROCEEDS,FULFILLMENT"}, headers=auth(token)
        )
    ).json()["order"]
    assert paid["fulfillment"]["fulfillmentStatus"] == "UNSHIPPED"
    assert paid["proceeds"]["grandTotal"]["amount"]
    missing = await client.get(f"{SEARCH}/999-9999999-9999999", headers=auth(token))
    assert missing.status_code == 404
    validate("orders2026", missing)


async def test_status_filters_and_last_updated(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    r = await client.get(
        SEARCH,
        params={
            "lastUpdatedAfter": days_ago(state, 5),
            "fulfillmentStatuses": "SHIPPED,CANCELLED",
            "fulfilledBy": "MERCHANT",
            "includedData": "FULFILLMENT",
            "marketplaceIds": "ATVPDKIKX0DER",
        },
        headers=auth(token),
    )
    assert r.status_code == 200
    validate("orders2026", r)
    body = r.json()
    assert "lastUpdatedBefore" in body
    for o in body["orders"]:
        assert o["fulfillment"]["fulfillmentStatus"] in ("SHIPPED", "CANCELLED")
        assert o["fulfillment"]["fulfilledBy"] == "MERCHANT"
        assert o["lastUpdatedTime"] >= days_ago(state, 5)


async def test_rdt_is_not_accepted_and_bucket_limits(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    rdt = (await create_rdt(client, token, [{"method": "GET", "path": "/orders/v0/orders"}])).json()
    params = {"createdAfter": days_ago(state, 1)}
    r = await client.get(SEARCH, params=params, headers=auth(rdt["restrictedDataToken"]))
    assert r.status_code == 403
    statuses = [(await client.get(SEARCH, params=params, headers=auth(token))).status_code for _ in range(21)]
    assert statuses == [200] * 20 + [429]
    throttled = await client.get(SEARCH, params=params, headers=auth(token))
    assert throttled.headers["x-amzn-RateLimit-Limit"] == "0.0056"
    validate("orders2026", throttled)
