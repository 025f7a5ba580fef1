"""Orders 2026-01-01 and v0 behind one interface, against the emulator: same answers, RDT only
where v0 needs it, no PII in what sync stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.spapi import SpApiClient
from app.spapi.operations.orders import OrderQuery, default_before
from tests.amazon.support import as_row, request_log

US = "ATVPDKIKX0DER"


def _window() -> OrderQuery:
    before = default_before()
    return OrderQuery(
        marketplace_ids=[US],
        last_updated_after=before - timedelta(days=20),
        last_updated_before=before,
        max_results=5,
    )


async def _all_orders(client: SpApiClient, version: str) -> dict[str, object]:
    api = client.orders_v0 if version == "v0" else client.orders_2026
    found = {}
    pages = 0
    async for page in api.search(_window()):
        pages += 1
        assert page.request_id
        for order in page.orders:
            found[order.amazon_order_id] = order
    return {"orders": found, "pages": pages}


async def test_both_versions_return_the_same_orders(sp_client: SpApiClient) -> None:
    v0 = await _all_orders(sp_client, "v0")
    v2026 = await _all_orders(sp_client, "2026")
    orders_v0, orders_2026 = v0["orders"], v2026["orders"]
    assert isinstance(orders_v0, dict) and isinstance(orders_2026, dict)
    assert orders_v0, "the demo seller has recent orders"
    assert orders_v0.keys() == orders_2026.keys()
    for order_id, old_order in orders_v0.items():
        old, new = as_row(old_order), as_row(orders_2026[order_id])
        assert (old["order_status"], old["marketplace_id"], old["purchase_date"]) == (
            new["order_status"],
            new["marketplace_id"],
            new["purchase_date"],
        )
        assert old["fulfillment_channel"] == new["fulfillment_channel"]
        if old["order_total"] is not None and new["order_total"] is not None:
            assert old["currency"] == new["currency"]
    assert int(str(v0["pages"])) > 1, "pagination followed"


@pytest.mark.parametrize("version", ["v0", "2026-01-01"])
async def test_interface_by_setting(sp_client: SpApiClient, version: str) -> None:
    client = SpApiClient(
        sp_client.transport,
        base_url=sp_client.base_url,
        region="NA",
        application_id=sp_client.application_id,
        selling_partner_id=sp_client.selling_partner_id,
        tokens=sp_client.token_provider,
        orders_api_version=version,  # type: ignore[arg-type]
    )
    assert client.orders.version == version
    page = await anext(aiter(client.orders.search(_window())))
    order = page.orders[0]
    again = await client.orders.get_order(order.amazon_order_id)
    assert again.amazon_order_id == order.amazon_order_id
    items = await client.orders.get_items(again.amazon_order_id)
    quantity = "QuantityOrdered" if version == "v0" else "quantityOrdered"
    assert items and all(int(i[quantity]) >= 1 for i in items)
    # What sync stores carries no PII blocks.
    for raw in (order.payload, again.payload):
        assert not {"ShippingAddress", "BuyerInfo", "buyer", "recipient"} & raw.keys()


async def test_rdt_only_for_v0_restricted_calls(
    sp_client: SpApiClient, emulator_http: httpx.AsyncClient
) -> None:
    page = await anext(aiter(sp_client.orders_v0.search(_window())))
    shipped = next(o for o in page.orders if as_row(o)["order_status"] in ("SHIPPED", "UNSHIPPED"))
    await sp_client.orders_v0.get_items(shipped.amazon_order_id)
    address = await sp_client.orders_v0.get_address(shipped.amazon_order_id)
    assert address is not None and address.city
    assert "<redacted>" in repr(address)
    buyer = await sp_client.orders_v0.get_buyer(shipped.amazon_order_id)
    assert buyer is not None
    # A second view within the RDT's life reuses it from memory.
    await sp_client.orders_v0.get_address(shipped.amazon_order_id)
    log = await request_log(emulator_http)
    rdt_calls = [e for e in log if e["token_kind"] == "rdt"]
    assert {e["operation"] for e in rdt_calls} == {"ordersV0.getOrderAddress", "ordersV0.getOrderBuyerInfo"}
    assert all(e["status"] == 200 for e in log if e["operation"] != "lwa.token")
    mints = [e for e in log if e["operation"] == "tokens.createRestrictedDataToken"]
    assert len(mints) == 2  # one per distinct resource; the repeat came from the cache
    others = [
        e for e in log if e["operation"] not in ("ordersV0.getOrderAddress", "ordersV0.getOrderBuyerInfo")
    ]
    assert all(e["token_kind"] != "rdt" for e in others)


async def test_2026_pii_without_rdt(sp_client: SpApiClient, emulator_http: httpx.AsyncClient) -> None:
    page = await anext(aiter(sp_client.orders_2026.search(_window())))
    shipped = next(o for o in page.orders if as_row(o)["order_status"] in ("SHIPPED", "UNSHIPPED"))
    address = await sp_client.orders_2026.get_address(shipped.amazon_order_id)
    assert address is not None and address.postal_code
    log = await request_log(emulator_http)
    assert not [
        e for e in log if e["token_kind"] == "rdt" or e["operation"] == "tokens.createRestrictedDataToken"
    ]


async def test_before_must_be_two_minutes_old() -> None:
    with pytest.raises(ValueError, match="2 minutes"):
        OrderQuery(
            marketplace_ids=[US],
            created_after=datetime.now(UTC) - timedelta(days=1),
            created_before=datetime.now(UTC),
        )
    with pytest.raises(ValueError, match="exactly one"):
        OrderQuery(marketplace_ids=[US])


async def test_sellers(sp_client: SpApiClient) -> None:
    participations = await sp_client.sellers.get_marketplace_participations()
    assert US in {p.marketplace.id for p in participations}
