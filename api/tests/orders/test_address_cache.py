"""The buyer-address cache exists only when PII_CACHE_DAYS > 0: the address is stored encrypted with
the tenant's data key (never in clear), served from there until its days are over, and purged by the
scheduler's tick; at 0 (the default) nothing of it is stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditLog
from app.audit.service import Actor
from app.connections.models import Connection
from app.connections.retention import delete_connection_data
from app.orders.models import Order, OrderAddressCache
from app.orders.service import OrdersService, purge_address_cache
from app.orders.tasks import purge_expired_addresses
from app.settings import get_settings
from app.spapi.operations.orders import ShippingAddress
from app.worker.scheduler import _tick_handlers
from tests.factories.connections import make_connection
from tests.factories.orders import store_order
from tests.factories.tenants import make_tenant

ADDRESS = ShippingAddress(
    name="Jane Buyer", address_line1="1 Secret Lane", city="Seattle", postal_code="98101", country_code="US"
)


class FakeOrdersApi:
    version = "2026-01-01"

    def __init__(self) -> None:
        self.calls = 0

    async def get_address(self, amazon_order_id: str) -> ShippingAddress:
        self.calls += 1
        return ADDRESS


async def _order(session: AsyncSession) -> Order:
    tenant = await make_tenant(session, "Cache")
    connection = await make_connection(session, tenant.id)
    await store_order(
        session,
        tenant.id,
        connection.id,
        "111-0000000-0000042",
        purchased=datetime(2026, 11, 2, 12, tzinfo=UTC),
        lines=[("B000TEST01", "SKU-1", Decimal("9.99"), 1)],
    )
    order = await session.scalar(select(Order).where(Order.tenant_id == tenant.id))
    assert order is not None
    return order


async def _read(session: AsyncSession, order: Order, api: FakeOrdersApi) -> dict[str, object]:
    out = await OrdersService(session).shipping_address(
        order.tenant_id,
        order.id,
        actor=Actor(None),
        orders_api=lambda _c: api,  # type: ignore[arg-type,return-value]
    )
    return out.model_dump()


async def test_nothing_is_cached_by_default(session: AsyncSession) -> None:
    assert get_settings().security.pii_cache_days == 0
    order, api = await _order(session), FakeOrdersApi()
    await _read(session, order, api)
    await _read(session, order, api)
    assert api.calls == 2
    assert await session.scalar(select(func.count()).select_from(OrderAddressCache)) == 0


async def test_cached_encrypted_then_purged(session: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings().security, "pii_cache_days", 3)
    order, api = await _order(session), FakeOrdersApi()
    first = await _read(session, order, api)
    second = await _read(session, order, api)
    assert first == second and first["name"] == "Jane Buyer" and api.calls == 1

    row = await session.scalar(select(OrderAddressCache).where(OrderAddressCache.order_id == order.id))
    assert row is not None and row.tenant_id == order.tenant_id
    assert b"Jane" not in row.payload_enc and b"Secret" not in row.payload_enc
    assert timedelta(days=2, hours=23) < row.expires_at - datetime.now(UTC) <= timedelta(days=3)
    views = list(await session.scalars(select(AuditLog.data).where(AuditLog.action == "pii_viewed")))
    assert [v["cached"] for v in views] == [False, True]  # every read audited, cached or not

    assert await purge_address_cache(session, datetime.now(UTC) + timedelta(days=1)) == 0
    assert await purge_address_cache(session, datetime.now(UTC) + timedelta(days=3, minutes=1)) == 1
    assert await session.scalar(select(func.count()).select_from(OrderAddressCache)) == 0
    assert purge_expired_addresses in _tick_handlers


async def test_the_cache_goes_with_the_connections_data(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings().security, "pii_cache_days", 3)
    order = await _order(session)
    await _read(session, order, FakeOrdersApi())
    assert await delete_connection_data(session, order.tenant_id, order.connection_id, reason="test")
    assert await session.get(Connection, order.connection_id, populate_existing=True) is None
    assert await session.scalar(select(func.count()).select_from(OrderAddressCache)) == 0
