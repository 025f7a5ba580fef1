"""The on-demand address against the emulator: Amazon's answer reaches the caller, a pii_viewed
audit entry is written, and the address is stored nowhere (every table is searched)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Base
from app.orders.endpoints import orders_api_factory
from app.orders.orders_api_mapping import item_rows_from_v0, order_row_from_v0, order_rows_from_2026
from app.orders.repository import OrderRepository
from app.orders.rows import MappedOrders
from app.spapi.operations.orders import OrderQuery, OrdersApi, default_before
from app.tokens.repository import ConnectionRef
from app.tokens.service import TokenManager
from tests.amazon.support import *  # noqa: F403
from tests.amazon.support import as_row, request_log
from tests.auth.helpers import sign_up
from tests.auth.mfa_helpers import enrol
from tests.factories.connections import make_connection

US = "ATVPDKIKX0DER"


async def shipped_order(api: OrdersApi) -> str:
    before = default_before()
    query = OrderQuery(marketplace_ids=[US], created_after=before - timedelta(days=60), created_before=before)
    async for page in api.search(query):
        for order in page.orders:
            if as_row(order)["order_status"] == "SHIPPED":
                return order.amazon_order_id
    raise AssertionError("the demo seller has a shipped order")


async def all_text(session: AsyncSession) -> str:
    """Every row of every table, as text."""
    chunks = []
    for table in Base.metadata.sorted_tables:
        rows = await session.execute(text(f'SELECT t::text FROM "{table.name}" t'))
        chunks.extend(r[0] for r in rows)
    return "\n".join(chunks)


@pytest.mark.parametrize("version", ["2026-01-01", "v0"])
async def test_address_is_shown_audited_and_not_stored(
    version: str,
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    token_manager: TokenManager,
    connection: ConnectionRef,
    emulator_http: httpx.AsyncClient,
) -> None:
    await sign_up(client)
    await enrol(client)  # buyer PII needs MFA (tests/orders/test_address_access.py)
    tenant_id = uuid.UUID((await client.post("/api/tenants", json={"name": "Acme"})).json()["id"])
    row = await make_connection(
        session, tenant_id, account_id=connection.account_id, id=uuid.UUID(connection.connection_id)
    )
    api = token_manager.spapi_client(connection, orders_api_version=version).orders  # type: ignore[arg-type]
    app.dependency_overrides[orders_api_factory] = lambda: lambda _connection: api

    # The order arrives the way the sync stores it.
    amazon_order_id = await shipped_order(api)
    order = await api.get_order(amazon_order_id)
    repo = OrderRepository(session)
    if version == "v0":
        order_row = order_row_from_v0(order.payload, tenant_id, row.id)
        items = await api.get_items(order.amazon_order_id)
        await repo.upsert(MappedOrders(orders=[order_row], items=item_rows_from_v0(items, order_row)))
    else:
        mapped = order_rows_from_2026([order.payload], tenant_id, row.id)
        await repo.upsert(mapped)
    order_id = (
        await session.execute(text("SELECT id FROM orders WHERE tenant_id = :t"), {"t": tenant_id})
    ).scalar()

    response = await client.get(f"/api/orders/{order_id}/address", params={"tenant_id": str(tenant_id)})
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    address = response.json()
    assert address["available"] is True and address["amazon_order_id"] == amazon_order_id
    assert address["address_line1"] and address["name"] and address["city"]

    if version == "v0":
        calls = await request_log(emulator_http, operation="getOrderAddress")
        assert calls and calls[-1]["status"] == 200
    audit = (
        await session.execute(
            text("SELECT action, target_id, data::text AS data FROM audit_logs WHERE tenant_id = :t"),
            {"t": tenant_id},
        )
    ).all()
    viewed = [a for a in audit if a.action == "pii_viewed"]
    assert len(viewed) == 1 and viewed[0].target_id == str(order_id)
    assert amazon_order_id in viewed[0].data

    stored = await all_text(session)
    for field in ("name", "address_line1", "address_line2", "phone"):
        if address.get(field):
            assert address[field] not in stored, f"{field} found in the database"
