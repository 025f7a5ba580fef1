"""Need-to-know buyer PII: `GET /api/orders/{id}/address` is for owners and admins only, with a
session that has proved MFA, at most PII_READS_PER_HOUR reads per user, and every read audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.orders.endpoints import orders_api_factory
from app.orders.orders_api_mapping import order_rows_from_2026
from app.orders.repository import OrderRepository
from app.settings import get_settings
from app.tokens.repository import ConnectionRef
from app.tokens.service import TokenManager
from tests.amazon.support import *  # noqa: F403
from tests.auth.helpers import as_user, sign_up
from tests.auth.mfa_helpers import enrol
from tests.factories.connections import make_connection
from tests.orders.test_address import shipped_order
from tests.tenants.helpers import new_member


@dataclass
class Shop:
    owner: httpx.AsyncClient
    session: AsyncSession
    tenant_id: str
    order_id: int

    @property
    def address_path(self) -> str:
        return f"/api/orders/{self.order_id}/address?tenant_id={self.tenant_id}"

    async def member(self, role: str) -> tuple[httpx.AsyncClient, dict[str, str]]:
        return await new_member(self.owner, self.session, self.tenant_id, role)


@pytest.fixture
async def shop(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    token_manager: TokenManager,
    connection: ConnectionRef,
) -> Shop:
    """A tenant with one emulator seller and one of its shipped orders, as the sync stores it."""
    await sign_up(client)
    tenant_id = uuid.UUID((await client.post("/api/tenants", json={"name": "Acme"})).json()["id"])
    row = await make_connection(
        session, tenant_id, account_id=connection.account_id, id=uuid.UUID(connection.connection_id)
    )
    api = token_manager.spapi_client(connection).orders
    app.dependency_overrides[orders_api_factory] = lambda: lambda _connection: api
    order = await api.get_order(await shipped_order(api))
    await OrderRepository(session).upsert(order_rows_from_2026([order.payload], tenant_id, row.id))
    order_id = await session.scalar(text("SELECT id FROM orders WHERE tenant_id = :t"), {"t": tenant_id})
    assert order_id is not None
    return Shop(client, session, str(tenant_id), order_id)


async def test_a_viewer_cannot_read_a_buyer_address(shop: Shop) -> None:
    viewer, _ = await shop.member("viewer")
    response = await viewer.get(shop.address_path)
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "permission_denied"
    assert error["message"] == "Only owners and admins can see buyer addresses"
    # The order itself (without PII) stays readable.
    assert (await viewer.get(f"/api/orders/{shop.order_id}?tenant_id={shop.tenant_id}")).status_code == 200


async def test_an_admin_without_mfa_is_told_to_enrol(shop: Shop) -> None:
    admin, _ = await shop.member("admin")
    response = await admin.get(shop.address_path)
    assert response.status_code == 403 and response.json()["error"]["code"] == "mfa_required"


async def test_an_owner_without_mfa_is_told_to_enrol(shop: Shop) -> None:
    response = await shop.owner.get(shop.address_path)
    assert response.status_code == 403 and response.json()["error"]["code"] == "mfa_required"


async def test_an_mfa_verified_admin_reads_the_address_and_the_read_is_audited(
    shop: Shop, session: AsyncSession
) -> None:
    admin, user = await shop.member("admin")
    await enrol(admin)
    response = await admin.get(shop.address_path)
    assert response.status_code == 200, response.text
    assert response.json()["available"] is True and response.json()["address_line1"]
    assert response.headers["cache-control"] == "no-store"

    audit = (
        await session.execute(
            text(
                "SELECT actor_user_id::text AS who, target_type, target_id, created_at FROM audit_logs"
                " WHERE tenant_id = :t AND action = 'pii_viewed'"
            ),
            {"t": shop.tenant_id},
        )
    ).all()
    assert len(audit) == 1
    who_what = (audit[0].who, audit[0].target_type, audit[0].target_id)
    assert who_what == (user["id"], "order", str(shop.order_id))
    assert audit[0].created_at is not None


async def test_a_session_older_than_the_enrolment_must_step_up(shop: Shop) -> None:
    admin, user = await shop.member("admin")
    older = as_user(shop.owner)
    signed_in = await older.post(
        "/api/auth/signin", json={"email": user["email"], "password": "correct-horse-battery"}
    )
    assert signed_in.status_code == 200
    older.headers["X-CSRF-Token"] = older.cookies["csrf_token"]
    authenticator = await enrol(admin)

    response = await older.get(shop.address_path)
    assert response.status_code == 403 and response.json()["error"]["code"] == "mfa_step_up_required"
    stepped_up = await older.post("/api/auth/mfa/verify", json={"code": authenticator.code()})
    assert stepped_up.status_code == 200, stepped_up.text
    assert (await older.get(shop.address_path)).status_code == 200


async def test_address_reads_are_rate_limited_per_user(shop: Shop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings().security, "pii_reads_per_hour", 2)
    admin, _ = await shop.member("admin")
    await enrol(admin)
    assert (await admin.get(shop.address_path)).status_code == 200
    assert (await admin.get(shop.address_path)).status_code == 200
    third = await admin.get(shop.address_path)
    assert third.status_code == 429 and third.json()["error"]["code"] == "too_many_requests"
    assert 0 < int(third.headers["retry-after"]) <= 3600
    # Another user has an allowance of their own.
    other, _ = await shop.member("admin")
    await enrol(other)
    assert (await other.get(shop.address_path)).status_code == 200
