"""`GET /_emulator/sellers/{id}/orders/truth`: every order as the APIs and reports show it at one instant."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import httpx

from amazon_emulator.apis._orders_v0_shapes import order_items_v0, order_v0
from amazon_emulator.apis._reports_content import flat_file_lines
from amazon_emulator.clock import iso_ts, parse_iso
from amazon_emulator.state import EmulatorState


async def _truth(client: httpx.AsyncClient, seller: str, **params: str) -> tuple[httpx.Response, list[Any]]:
    response = await client.get(f"/_emulator/sellers/{seller}/orders/truth", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return response, [json.loads(line) for line in response.text.splitlines()]


async def test_truth_lists_every_order_as_the_apis_and_reports_show_it(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    created = await client.post(
        "/_emulator/sellers", json={"marketplaces": ["US", "CA"], "orders": 2500, "months": 24, "seed": 4}
    )
    seller_id = created.json()["selling_partner_id"]
    # Whole seconds, so the instant the route uses is exactly the one the shapes are built at below.
    at = float(int(time.time()))
    response, orders = await _truth(client, seller_id, as_of=iso_ts(at))
    assert parse_iso(response.headers["X-Emulator-As-Of"]).timestamp() == at
    assert parse_iso(response.headers["X-Emulator-History-From"]).timestamp() == at - 730 * 86400

    summary_at = await client.get(f"/_emulator/sellers/{seller_id}/summary", params={"as_of": iso_ts(at)})
    summary = summary_at.json()
    assert len(orders) == summary["total_orders"] == 2500  # more than one streamed batch of 1000
    assert sum(len(o["items"]) for o in orders) == summary["total_items"]
    assert sum(i["quantity"] for o in orders for i in o["items"]) == summary["total_units"]
    by_status: dict[str, int] = {}
    for o in orders:
        by_status[o["status"]] = by_status.get(o["status"], 0) + 1
    assert by_status == summary["by_status"]
    assert [o["purchase_date"] for o in orders] == sorted(o["purchase_date"] for o in orders)
    assert {o["priced"] for o in orders} == {True, False}

    seller = state.seller(seller_id)
    assert seller is not None
    for want in orders:
        order = seller.orders_by_id[want["amazon_order_id"]]
        api = order_v0(order, at)
        assert want["marketplace_id"] == api["MarketplaceId"]
        assert want["purchase_date"] == api["PurchaseDate"]
        assert want["last_update_date"] == api["LastUpdateDate"]
        assert want["status"] == api["OrderStatus"]
        assert want["fulfillment_channel"] == api["FulfillmentChannel"]
        assert want["priced"] == ("OrderTotal" in api)
        if want["priced"]:
            assert want["order_total"] == api["OrderTotal"]["Amount"]
            assert want["currency"] == api["OrderTotal"]["CurrencyCode"]
        else:
            assert want["order_total"] is None
        lines = flat_file_lines(order, at)
        for item, api_item, line in zip(want["items"], order_items_v0(order, at), lines, strict=True):
            assert (item["order_item_id"], item["sku"], item["asin"], item["quantity"]) == (
                api_item["OrderItemId"],
                api_item["SellerSKU"],
                api_item["ASIN"],
                api_item["QuantityOrdered"],
            )
            assert (item["sku"], str(item["quantity"])) == (line["sku"], line["quantity"])
            if want["priced"]:
                assert item["item_price"] == api_item["ItemPrice"]["Amount"] == line["item-price"]
                assert Decimal(item["item_tax"]) == Decimal(api_item["ItemTax"]["Amount"]) == 0
                assert Decimal(item["unit_price"]) * item["quantity"] == Decimal(item["item_price"])
            else:
                assert item["item_price"] is item["item_tax"] is item["unit_price"] is None
                assert "ItemPrice" not in api_item and line["item-price"] == ""


async def test_truth_follows_activity_and_as_of(client: httpx.AsyncClient) -> None:
    created = await client.post(
        "/_emulator/sellers", json={"marketplaces": ["US"], "orders": 40, "months": 3, "seed": 8}
    )
    seller_id = created.json()["selling_partner_id"]
    before = iso_ts(time.time() - 1)
    activity = (
        await client.post(f"/_emulator/sellers/{seller_id}/activity", json={"new_orders": 3, "updates": 2})
    ).json()
    _, now = await _truth(client, seller_id)
    _, then = await _truth(client, seller_id, as_of=before)
    ids_now = {o["amazon_order_id"] for o in now}
    assert set(activity["created"]) <= ids_now
    assert not set(activity["created"]) & {o["amazon_order_id"] for o in then}
    assert len(now) == len(then) + 3
    changed = {o["amazon_order_id"]: o for o in now if o["amazon_order_id"] in activity["updated"]}
    earlier = {o["amazon_order_id"]: o for o in then if o["amazon_order_id"] in activity["updated"]}
    assert len(changed) == 2
    assert all(changed[k]["last_update_date"] > earlier[k]["last_update_date"] for k in changed)


async def test_truth_of_an_unknown_seller_or_a_bad_instant(client: httpx.AsyncClient) -> None:
    assert (await client.get("/_emulator/sellers/NOPE/orders/truth")).status_code == 404
    created = await client.post("/_emulator/sellers", json={"marketplaces": ["US"], "orders": 1, "seed": 2})
    seller_id = created.json()["selling_partner_id"]
    response = await client.get(f"/_emulator/sellers/{seller_id}/orders/truth", params={"as_of": "soon"})
    assert response.status_code == 422
