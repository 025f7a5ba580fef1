"""Orders v0: filters and their rules, pagination, items, PII only with a matching RDT; every response is
validated against the official model."""

from __future__ import annotations

import httpx
import pytest

from amazon_emulator.config import DEMO_SELLER_ID
from amazon_emulator.state import EmulatorState

from emulator_contract import validate
from emulator_helpers import US, access_token_for, ago, auth, create_rdt, days_ago

ORDERS = "/orders/v0/orders"


async def _all_pages(
    client: httpx.AsyncClient, token: str, params: dict[str, object]
) -> tuple[list[dict[str, object]], int]:
    orders: list[dict[str, object]] = []
    pages = 0
    r = await client.get(ORDERS, params=params, headers=auth(token))
    while True:
        assert r.status_code == 200, r.text
        validate("ordersV0", r)
        pages += 1
        payload = r.json()["payload"]
        orders.extend(payload["Orders"])
        if "NextToken" not in payload:
            return orders, pages
        r = await client.get(
            ORDERS, params={"MarketplaceIds": US, "NextToken": payload["NextToken"]}, headers=auth(token)
        )


async def test_pagination_to_last_page_matches_truth(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    before = ago(state, 180)
    params = {
        "MarketplaceIds": US,
        "CreatedAfter": days_ago(state, 729),
        "CreatedBefore": before,
        "MaxResultsPerPage": 100,
    }
    first, pages = await _all_pages(client, token, params)
    truth = (
        await client.get(f"/_emulator/sellers/{DEMO_SELLER_ID}/summary", params={"as_of": before})
    ).json()
    assert pages > 2
    assert len(first) == truth["by_marketplace"][US]
    assert len({o["AmazonOrderId"] for o in first}) == len(first)
    assert [o["PurchaseDate"] for o in first] == sorted(o["PurchaseDate"] for o in first)
    # Back to back: the same search gives the same orders.
    second, _ = await _all_pages(client, token, params)
    assert [o["AmazonOrderId"] for o in second] == [o["AmazonOrderId"] for o in first]


@pytest.mark.parametrize(
    "params",
    [
        {},  # neither CreatedAfter nor LastUpdatedAfter
        {"CreatedAfter": "A", "LastUpdatedAfter": "A"},
        {"CreatedAfter": "A", "LastUpdatedBefore": "B"},
        {"LastUpdatedAfter": "A", "CreatedBefore": "B"},
    ],
)
async def test_exactly_one_of_created_after_and_last_updated_after(
    client: httpx.AsyncClient, token: str, state: EmulatorState, params: dict[str, str]
) -> None:
    values = {"A": days_ago(state, 10), "B": days_ago(state, 1)}
    query = {"MarketplaceIds": US, **{k: values[v] for k, v in params.items()}}
    r = await client.get(ORDERS, params=query, headers=auth(token))
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "InvalidInput"
    validate("ordersV0", r)


@pytest.mark.parametrize(
    "after,before", [("CreatedAfter", "CreatedBefore"), ("LastUpdatedAfter", "LastUpdatedBefore")]
)
async def test_two_minute_rule(
    client: httpx.AsyncClient, token: str, state: EmulatorState, after: str, before: str
) -> None:
    base = {"MarketplaceIds": US, after: days_ago(state, 3)}
    too_recent = await client.get(ORDERS, params={**base, before: ago(state, 60)}, headers=auth(token))
    assert too_recent.status_code == 400
    validate("ordersV0", too_recent)
    ok = await client.get(ORDERS, params={**base, before: ago(state, 125)}, headers=auth(token))
    assert ok.status_code == 200
    validate("ordersV0", ok)
    reversed_window = await client.get(
        ORDERS,
        params={"MarketplaceIds": US, after: days_ago(state, 2), before: days_ago(state, 3)},
        headers=auth(token),
    )
    assert reversed_window.status_code == 400
    # An *After value inside the last two minutes cannot form a window either.
    assert (
        await client.get(ORDERS, params={"MarketplaceIds": US, after: ago(state, 30)}, headers=auth(token))
    ).status_code == 400


@pytest.mark.parametrize(
    "extra",
    [
        {"MaxResultsPerPage": "0"},
        {"MaxResultsPerPage": "101"},
        {"CreatedAfter": "yesterday"},
        {"OrderStatuses": "Lost"},
        {"FulfillmentChannels": "XYZ"},
        {"MarketplaceIds": "A1F83G8C2ARO7P"},  # the seller does not sell there
        {"SellerOrderId": "SO-1", "OrderStatuses": "Shipped"},
        {"AmazonOrderIds": "not-an-id"},
    ],
)
async def test_invalid_input(
    client: httpx.AsyncClient, token: str, state: EmulatorState, extra: dict[str, str]
) -> None:
    params = {"MarketplaceIds": US, "CreatedAfter": days_ago(state, 5), **extra}
    r = await client.get(ORDERS, params=params, headers=auth(token))
    assert r.status_code == 400, r.text
    validate("ordersV0", r, request=False)


async def test_marketplace_ids_required(client: httpx.AsyncClient, token: str, state: EmulatorState) -> None:
    r = await client.get(ORDERS, params={"CreatedAfter": days_ago(state, 5)}, headers=auth(token))
    assert r.status_code == 400
    validate("ordersV0", r, request=False)


async def test_filters_and_pending_orders_have_no_prices(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    created = (
        await client.post(f"/_emulator/sellers/{DEMO_SELLER_ID}/activity", json={"new_orders": 3})
    ).json()
    state.clock.advance(125)
    r = await client.get(
        ORDERS,
        params={
            "MarketplaceIds": ",".join(state.sellers[DEMO_SELLER_ID].marketplace_ids()),
            "CreatedAfter": ago(state, 3600),
            "OrderStatuses": "Pending",
        },
        headers=auth(token),
    )
    assert r.status_code == 200
    validate("ordersV0", r)
    orders = r.json()["payload"]["Orders"]
    assert {o["AmazonOrderId"] for o in orders} >= set(created["created"])
    assert all(o["OrderStatus"] == "Pending" and "OrderTotal" not in o for o in orders)
    items = await client.get(f"{ORDERS}/{created['created'][0]}/orderItems", headers=auth(token))
    assert items.status_code == 200
    validate("ordersV0", items)
    assert all("ItemPrice" not in i for i in items.json()["payload"]["OrderItems"])
    afn = await client.get(
        ORDERS,
        params={"MarketplaceIds": US, "CreatedAfter": days_ago(state, 20), "FulfillmentChannels": "AFN"},
        headers=auth(token),
    )
    assert afn.status_code == 200
    assert {o["FulfillmentChannel"] for o in afn.json()["payload"]["Orders"]} == {"AFN"}


async def test_last_updated_sees_activity(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    start = ago(state, 0)
    state.clock.advance(1)
    activity = await client.post(
        f"/_emulator/sellers/{DEMO_SELLER_ID}/activity", json={"new_orders": 2, "updates": 4}
    )
    changed = set(activity.json()["created"]) | set(activity.json()["updated"])
    # Not visible yet: LastUpdatedBefore must stay two minutes behind now.
    state.clock.advance(121)
    markets = ",".join(state.sellers[DEMO_SELLER_ID].marketplace_ids())
    r = await client.get(
        ORDERS, params={"MarketplaceIds": markets, "LastUpdatedAfter": start}, headers=auth(token)
    )
    assert r.status_code == 200
    validate("ordersV0", r)
    payload = r.json()["payload"]
    assert {o["AmazonOrderId"] for o in payload["Orders"]} == changed
    assert "LastUpdatedBefore" in payload


async def test_next_token_expires_on_scaled_clock(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    state.clock.time_scale = 3600.0  # 24 Amazon hours = 24 real seconds
    r = await client.get(
        ORDERS,
        params={"MarketplaceIds": US, "CreatedAfter": days_ago(state, 700), "MaxResultsPerPage": 5},
        headers=auth(token),
    )
    next_token = r.json()["payload"]["NextToken"]
    state.clock.advance(25)
    fresh = await access_token_for(client)
    r = await client.get(ORDERS, params={"MarketplaceIds": US, "NextToken": next_token}, headers=auth(fresh))
    assert r.status_code == 400
    validate("ordersV0", r)


async def test_get_order_and_not_found(client: httpx.AsyncClient, token: str, state: EmulatorState) -> None:
    order = state.sellers[DEMO_SELLER_ID].orders[10]
    r = await client.get(f"{ORDERS}/{order.amazon_order_id}", headers=auth(token))
    assert r.status_code == 200
    validate("ordersV0", r)
    assert r.json()["payload"]["AmazonOrderId"] == order.amazon_order_id
    assert "BuyerInfo" not in r.json()["payload"]
    missing = await client.get(f"{ORDERS}/111-1111111-1111111", headers=auth(token))
    assert missing.status_code == 404
    validate("ordersV0", missing)
    malformed = await client.get(f"{ORDERS}/nope", headers=auth(token))
    assert malformed.status_code == 400
    validate("ordersV0", malformed)


async def test_restricted_operations_need_a_matching_rdt(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    order = next(
        o for o in state.sellers[DEMO_SELLER_ID].orders if o.status_at(state.clock.time()) == "Shipped"
    )
    oid = order.amazon_order_id
    for suffix in ("address", "buyerInfo", "orderItems/buyerInfo"):
        r = await client.get(f"{ORDERS}/{oid}/{suffix}", headers=auth(token))
        assert r.status_code == 403, suffix
        validate("ordersV0", r)
    # An RDT for another path does not open this one.
    other = (
        await create_rdt(client, token, [{"method": "GET", "path": f"{ORDERS}/{{orderId}}/buyerInfo"}])
    ).json()
    r = await client.get(f"{ORDERS}/{oid}/address", headers=auth(other["restrictedDataToken"]))
    assert r.status_code == 403
    rdt_resp = await create_rdt(
        client,
        token,
        [
            {"method": "GET", "path": f"{ORDERS}/{{orderId}}/address"},
            {"method": "GET", "path": f"{ORDERS}/{oid}/buyerInfo"},
        ],
    )
    assert rdt_resp.status_code == 200
    validate("tokens", rdt_resp)
    rdt = rdt_resp.json()["restrictedDataToken"]
    address = await client.get(f"{ORDERS}/{oid}/address", headers=auth(rdt))
    assert address.status_code == 200
    validate("ordersV0", address)
    assert address.json()["payload"]["ShippingAddress"]["Name"]
    buyer = await client.get(f"{ORDERS}/{oid}/buyerInfo", headers=auth(rdt))
    assert buyer.status_code == 200
    validate("ordersV0", buyer)
    assert buyer.json()["payload"]["BuyerEmail"].endswith("marketplace.amazon.com") or buyer.json()[
        "payload"
    ]["BuyerEmail"].count("@marketplace.amazon.")
    # The RDT is not an access token for other operations.
    r = await client.get("/sellers/v1/marketplaceParticipations", headers=auth(rdt))
    assert r.status_code == 403
    log = (await client.get("/_emulator/requests", params={"operation": "getOrderAddress"})).json()
    assert [e["token_kind"] for e in log] == ["lwa", "rdt", "rdt"]


async def test_rdt_data_elements_and_expiry(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    params = {
        "MarketplaceIds": US,
        "CreatedAfter": days_ago(state, 30),
        "OrderStatuses": "Shipped",
        "MaxResultsPerPage": 3,
    }
    plain = (await client.get(ORDERS, params=params, headers=auth(token))).json()["payload"]["Orders"]
    assert plain and all("Name" not in o["ShippingAddress"] and "BuyerInfo" not in o for o in plain)
    only_address = (
        await create_rdt(
            client, token, [{"method": "GET", "path": ORDERS, "dataElements": ["shippingAddress"]}]
        )
    ).json()["restrictedDataToken"]
    r = await client.get(ORDERS, params=params, headers=auth(only_address))
    assert r.status_code == 200
    validate("ordersV0", r)
    orders = r.json()["payload"]["Orders"]
    assert all(o["ShippingAddress"]["Name"] and "BuyerInfo" not in o for o in orders)
    # The same RDT does not cover getOrder.
    r = await client.get(f"{ORDERS}/{orders[0]['AmazonOrderId']}", headers=auth(only_address))
    assert r.status_code == 403
    # Expiry: 3600 Amazon seconds on the scaled clock.
    state.clock.time_scale = 3600.0
    short = (
        await create_rdt(client, token, [{"method": "GET", "path": ORDERS, "dataElements": ["buyerInfo"]}])
    ).json()["restrictedDataToken"]
    ok = await client.get(ORDERS, params=params, headers=auth(short))
    assert ok.status_code == 200 and all("BuyerInfo" in o for o in ok.json()["payload"]["Orders"])
    state.clock.advance(1.01)
    expired = await client.get(ORDERS, params=params, headers=auth(short))
    assert expired.status_code == 403
    assert expired.json()["errors"][0]["details"] == "The access token you provided has expired."


@pytest.mark.parametrize(
    "resources",
    [
        [],
        [{"method": "", "path": ORDERS}],
        [{"method": "GET", "path": "/sellers/v1/marketplaceParticipations"}],
        [{"method": "GET", "path": f"{ORDERS}/{{orderId}}/address", "dataElements": ["buyerInfo"]}],
        [{"method": "GET", "path": ORDERS, "dataElements": ["creditCard"]}],
    ],
)
async def test_rdt_request_validation(
    client: httpx.AsyncClient, token: str, resources: list[dict[str, object]]
) -> None:
    r = await create_rdt(client, token, resources)
    assert r.status_code == 400
    assert r.json()["errors"][0]["code"] == "InvalidRequest"
    validate("tokens", r, request=False)


async def test_get_orders_bucket_burst_then_429(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    params = {"MarketplaceIds": US, "CreatedAfter": days_ago(state, 2)}
    statuses = [(await client.get(ORDERS, params=params, headers=auth(token))).status_code for _ in range(21)]
    assert statuses == [200] * 20 + [429]
    r = await client.get(ORDERS, params=params, headers=auth(token))
    assert r.headers["x-amzn-RateLimit-Limit"] == "0.0167"
    validate("ordersV0", r)
    # One token comes back after 1 / 0.0167 = 60 seconds.
    state.clock.advance(59)
    assert (await client.get(ORDERS, params=params, headers=auth(token))).status_code == 429
    state.clock.advance(2)
    assert (await client.get(ORDERS, params=params, headers=auth(token))).status_code == 200


@pytest.mark.parametrize(
    "extra,expect_empty",
    [
        ({"EasyShipShipmentStatuses": "PendingPickUp"}, True),
        ({"ElectronicInvoiceStatuses": "Accepted"}, True),
        ({"ElectronicInvoiceStatuses": "NotRequired"}, False),
        ({"IsISPU": "true"}, True),
        ({"IsISPU": "false"}, False),
        ({"StoreChainStoreId": "store-1"}, True),
    ],
)
async def test_rare_filters(
    client: httpx.AsyncClient, token: str, state: EmulatorState, extra: dict[str, str], expect_empty: bool
) -> None:
    params = {"MarketplaceIds": US, "CreatedAfter": days_ago(state, 60), **extra}
    r = await client.get(ORDERS, params=params, headers=auth(token))
    assert r.status_code == 200
    validate("ordersV0", r)
    assert (r.json()["payload"]["Orders"] == []) is expect_empty


async def test_delivery_date_filter_keeps_seller_fulfilled_orders(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    params = {
        "MarketplaceIds": US,
        "CreatedAfter": days_ago(state, 60),
        "LatestDeliveryDateAfter": days_ago(state, 40),
    }
    r = await client.get(ORDERS, params=params, headers=auth(token))
    assert r.status_code == 200
    orders = r.json()["payload"]["Orders"]
    assert orders and all(
        o["FulfillmentChannel"] == "MFN" and o["LatestDeliveryDate"] >= days_ago(state, 40) for o in orders
    )
    bad = await client.get(ORDERS, params={**params, "IsISPU": "maybe"}, headers=auth(token))
    assert bad.status_code == 400


async def test_orders_older_than_two_years_disappear(client: httpx.AsyncClient, state: EmulatorState) -> None:
    seller = state.sellers[DEMO_SELLER_ID]
    oldest = seller.orders[0]
    token = await access_token_for(client)
    assert (await client.get(f"{ORDERS}/{oldest.amazon_order_id}", headers=auth(token))).status_code == 200
    # Let the oldest order age just past 730 days.
    state.clock.advance(730 * 86400 - (state.clock.time() - oldest.purchase_ts) + 60)
    token = await access_token_for(client)
    gone = await client.get(f"{ORDERS}/{oldest.amazon_order_id}", headers=auth(token))
    assert gone.status_code == 404
    r = await client.get(
        ORDERS,
        params={
            "MarketplaceIds": oldest.marketplace_id,
            "CreatedAfter": days_ago(state, 800),
            "CreatedBefore": days_ago(state, 700),
        },
        headers=auth(token),
    )
    assert r.status_code == 200
    assert oldest.amazon_order_id not in {o["AmazonOrderId"] for o in r.json()["payload"]["Orders"]}
    now = state.clock.time()
    visible = [o for o in seller.orders if now - 730 * 86400 <= o.purchase_ts <= now]
    summary = (await client.get(f"/_emulator/sellers/{DEMO_SELLER_ID}/summary")).json()
    assert summary["total_orders"] == len(visible)


async def test_last_updated_window_uses_current_last_update_date(
    client: httpx.AsyncClient, token: str, state: EmulatorState
) -> None:
    start = ago(state, 1)
    created = (
        await client.post(f"/_emulator/sellers/{DEMO_SELLER_ID}/activity", json={"new_orders": 1})
    ).json()
    oid = created["created"][0]
    market = state.sellers[DEMO_SELLER_ID].orders_by_id[oid].marketplace_id
    first_end = ago(state, -10)
    state.clock.advance(200)

    async def window_ids(after: str, before: str) -> set[str]:
        r = await client.get(
            ORDERS,
            params={"MarketplaceIds": market, "LastUpdatedAfter": after, "LastUpdatedBefore": before},
            headers=auth(token),
        )
        assert r.status_code == 200, r.text
        return {o["AmazonOrderId"] for o in r.json()["payload"]["Orders"]}

    assert oid in await window_ids(start, first_end)
    # Updated again: now it belongs to the later window only.
    await client.post(f"/_emulator/sellers/{DEMO_SELLER_ID}/activity", json={"updates": 100})
    state.clock.advance(130)
    assert oid not in await window_ids(start, first_end)
    assert oid in await window_ids(first_end, ago(state, 121))
