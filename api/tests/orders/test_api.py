"""The orders API over HTTP: keyset pages, filters, totals, detail, tenant isolation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.orders.models import Order
from app.orders.orders_api_mapping import order_rows_from_2026
from app.orders.repository import OrderRepository
from app.orders.schemas import OrdersPage, OrderSummary
from app.spapi.operations.orders_vocabulary import FULFILLMENT_CHANNELS, ORDER_STATUSES
from tests.auth.helpers import as_user, sign_up
from tests.auth.mfa_helpers import enrol
from tests.factories.connections import make_connection
from tests.factories.orders import order_2026

START = datetime(2026, 1, 1, tzinfo=UTC)


async def tenant_with_orders(
    client: httpx.AsyncClient, session: AsyncSession, count: int, *, name: str = "Acme"
) -> tuple[str, uuid.UUID]:
    response = await client.post("/api/tenants", json={"name": name})
    assert response.status_code == 201, response.text
    tenant_id = response.json()["id"]
    connection = await make_connection(session, uuid.UUID(tenant_id))
    payloads = []
    for n in range(count):
        order = order_2026(f"113-{n:07d}-0000001", price=None if n % 5 == 0 else "10.00")
        # Several orders share a purchase time: the keyset must break ties by id.
        order["createdTime"] = (START + timedelta(hours=n // 3)).isoformat().replace("+00:00", "Z")
        order["salesChannel"]["marketplaceId"] = "A2EUQ1WTGCTBG2" if n % 4 == 0 else "ATVPDKIKX0DER"
        if n % 5 == 0:
            order["fulfillment"]["fulfillmentStatus"] = "PENDING"
        if n % 7 == 0 and n % 5:
            order["proceeds"]["grandTotal"]["currencyCode"] = "CAD"
        payloads.append(order)
    mapped = order_rows_from_2026(payloads, uuid.UUID(tenant_id), connection.id)
    repo = OrderRepository(session)
    await repo.upsert(mapped)
    return tenant_id, connection.id


async def all_pages(
    client: httpx.AsyncClient, params: dict[str, Any]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    first = None
    cursor = None
    while True:
        response = await client.get(
            "/api/orders", params={**params, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        OrdersPage.model_validate(body)  # the documented response model
        first = first or body
        if cursor:
            assert body["totals"] is None
        seen.extend(body["orders"])
        cursor = body["next_cursor"]
        if not cursor:
            return seen, first["totals"]


async def test_keyset_pages_cover_every_order_once(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await sign_up(client)
    tenant_id, _ = await tenant_with_orders(client, session, 47)
    seen, totals = await all_pages(client, {"tenant_id": tenant_id, "limit": 10})
    ids = [o["id"] for o in seen]
    assert len(ids) == 47 and len(set(ids)) == 47
    keys = [(o["purchase_date"], o["id"]) for o in seen]
    assert keys == sorted(keys, reverse=True)
    assert totals["count"] == 47
    by_currency = {t["currency"]: t for t in totals["by_currency"]}
    # Every 5th order is Pending (no total, no currency); every 7th of the others is in CAD.
    priced = [n for n in range(47) if n % 5]
    cad = [n for n in priced if n % 7 == 0]
    assert Decimal(by_currency["CAD"]["total"]) == Decimal("45.97") * len(cad)
    assert Decimal(by_currency["USD"]["total"]) == Decimal("45.97") * (len(priced) - len(cad))
    assert by_currency[None]["count"] == 47 - len(priced) and by_currency[None]["total"] is None


async def test_filters(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await sign_up(client)
    tenant_id, connection_id = await tenant_with_orders(client, session, 40)
    base = {"tenant_id": tenant_id, "limit": 7}
    canada, totals = await all_pages(client, {**base, "marketplace": "A2EUQ1WTGCTBG2"})
    assert len(canada) == 10 and totals["count"] == 10
    assert {o["marketplace_id"] for o in canada} == {"A2EUQ1WTGCTBG2"}
    pending, _ = await all_pages(client, {**base, "status": "PENDING"})
    assert len(pending) == 8 and {o["order_total"] for o in pending} == {None}
    after, before = START + timedelta(hours=3), START + timedelta(hours=6)
    window, _ = await all_pages(
        client, {**base, "created_after": after.isoformat(), "created_before": before.isoformat()}
    )
    assert len(window) == 9  # hours 3, 4 and 5, three orders each
    # A time without an offset is UTC: the same window, the same totals.
    naive = {
        "created_after": after.replace(tzinfo=None).isoformat(),
        "created_before": before.replace(tzinfo=None).isoformat(),
    }
    same, same_totals = await all_pages(client, {**base, **naive})
    assert [o["id"] for o in same] == [o["id"] for o in window] and same_totals["count"] == 9
    mine, _ = await all_pages(client, {**base, "connection_id": str(connection_id)})
    assert len(mine) == 40
    nobody, totals = await all_pages(client, {**base, "connection_id": str(uuid.uuid4())})
    assert nobody == [] and totals["count"] == 0
    bad = await client.get("/api/orders", params={**base, "cursor": "not-a-cursor"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_cursor"
    # Dates swapped (or equal): a clear error naming both, not an empty list.
    for start, end in ((before, after), (after, after)):
        swapped = {"created_after": start.isoformat(), "created_before": end.isoformat()}
        bad = await client.get("/api/orders", params={**base, **swapped})
        assert bad.status_code == 400, bad.text
        error = bad.json()["error"]
        assert error["code"] == "invalid_range"
        assert error["message"] == (
            f"created_before ({end.isoformat()}) must be later than created_after ({start.isoformat()})"
        )


async def test_status_filter_takes_the_vocabulary(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await sign_up(client)
    tenant_id, _ = await tenant_with_orders(client, session, 5)
    base = {"tenant_id": tenant_id}
    everything, _ = await all_pages(client, {**base, "status": ""})  # empty: no filter
    assert len(everything) == 5
    for unknown in ("Shipped", "shipped", "LOST"):
        response = await client.get("/api/orders", params={**base, "status": unknown})
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "validation_error"
        assert response.json()["error"]["message"].startswith("query.status:")


def test_the_vocabulary_is_an_enum_of_the_openapi_document(app: FastAPI) -> None:
    document = app.openapi()
    for model in ("OrderSummary", "OrderDetail"):
        fields = document["components"]["schemas"][model]["properties"]
        assert fields["order_status"]["enum"] == list(ORDER_STATUSES)
        assert fields["fulfillment_channel"]["anyOf"][0]["enum"] == list(FULFILLMENT_CHANNELS)
    (status,) = [p for p in document["paths"]["/api/orders"]["get"]["parameters"] if p["name"] == "status"]
    assert status["schema"]["anyOf"][0]["enum"] == list(ORDER_STATUSES)


async def test_order_detail_and_tenant_isolation(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await sign_up(client)
    tenant_id, _ = await tenant_with_orders(client, session, 3)
    first = (await client.get("/api/orders", params={"tenant_id": tenant_id})).json()["orders"][0]
    detail = await client.get(f"/api/orders/{first['id']}", params={"tenant_id": tenant_id})
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["amazon_order_id"] == first["amazon_order_id"]
    assert [i["line_key"] for i in body["items"]] == ["sku:SKU-RED"]
    assert "raw" not in body and "Jane" not in detail.text

    # Another user with their own tenant: the first tenant's order and list answer 404.
    other = as_user(client)
    await sign_up(other)
    await enrol(other)  # past the address route's MFA check, to the order lookup
    other_tenant, _ = await tenant_with_orders(other, session, 1, name="Other")
    for path in (f"/api/orders/{first['id']}", f"/api/orders/{first['id']}/address"):
        assert (await other.get(path, params={"tenant_id": other_tenant})).status_code == 404
        assert (await other.get(path, params={"tenant_id": tenant_id})).status_code == 404
    assert (await other.get("/api/orders", params={"tenant_id": tenant_id})).status_code == 404
    assert (await client.get("/api/orders", params={"tenant_id": tenant_id})).status_code == 200
    anonymous = as_user(client)
    assert (await anonymous.get("/api/orders", params={"tenant_id": tenant_id})).status_code == 401


async def test_list_body_is_the_models_serialisation(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """The list skips the models on its hot path (plain rows, serialised once): its body must be
    byte for byte what OrdersPage gives, including fractional seconds, money, nulls and text that
    needs escaping."""
    await sign_up(client)
    tenant_id, _ = await tenant_with_orders(client, session, 12)
    ids = list(
        (
            await session.scalars(
                select(Order.id).where(Order.tenant_id == uuid.UUID(tenant_id)).order_by(Order.id)
            )
        ).all()
    )
    await session.execute(
        update(Order)
        .where(Order.id == ids[1])
        .values(
            purchase_date=START + timedelta(hours=30, microseconds=120),
            last_update_date=START + timedelta(days=2, microseconds=500000),
            ship_city='São "Paulo"\n\\ <tab>\t',
            order_total=Decimal("-0.50"),
            is_prime=None,
        )
    )
    await session.flush()
    response = await client.get("/api/orders", params={"tenant_id": tenant_id, "limit": 5})
    assert response.status_code == 200, response.text
    body = response.json()
    rows = (
        await session.scalars(
            select(Order)
            .where(Order.tenant_id == uuid.UUID(tenant_id))
            .order_by(Order.purchase_date.desc(), Order.id.desc())
            .limit(5)
            .execution_options(populate_existing=True)
        )
    ).all()
    assert rows[0].id == ids[1]
    expected = OrdersPage(
        orders=[OrderSummary.model_validate(row) for row in rows],
        next_cursor=body["next_cursor"],
        totals=body["totals"],
    )
    assert response.content == expected.model_dump_json().encode()
    assert body["orders"][0]["purchase_date"] == "2026-01-02T06:00:00.000120Z"
    assert body["orders"][0]["order_total"] == "-0.50"
