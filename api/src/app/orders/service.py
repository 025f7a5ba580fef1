"""Orders use cases for the API: the filtered list with keyset pages, one order, and the buyer's
address on demand. Services never commit: the request's unit of work does.

The address is Amazon's answer passed through to the caller and never logged; that it was viewed
is (a `pii_viewed` audit entry). It is stored only when PII_CACHE_DAYS > 0: encrypted with the
tenant's data key in `order_address_cache` for that many days, then purged (`orders/tasks.py`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor
from app.connections.models import Connection
from app.kit.errors import AppError, NotFound
from app.orders.pii_repository import AddressCacheRepository
from app.orders.read_repository import OrderFilters, OrderReadRepository, decode_cursor, encode_cursor
from app.orders.repository import OrderRepository
from app.orders.schemas import (
    CurrencyTotal,
    OrderDetail,
    OrderItemOut,
    OrdersTotals,
    OrderSummary,
    ShippingAddressOut,
)
from app.settings import get_settings
from app.spapi.operations.orders import OrdersApi, ShippingAddress
from app.tokens.tenant_keys import TenantKeys

OrdersApiFactory = Callable[[Connection], OrdersApi]


class InvalidCursor(AppError):
    status_code = 400
    code = "invalid_cursor"


class InvalidRange(AppError):
    status_code = 400
    code = "invalid_range"


class OrdersService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.reads = OrderReadRepository(session)

    async def list_orders(self, filters: OrderFilters, *, cursor: str | None, limit: int) -> dict[str, Any]:
        """One page in the shape of `OrdersPage`, as plain data: rows come typed from the database
        and are serialised once by the endpoint (the list is the hot path; see
        bench/b4_orders_api.py: building a model per row cost more than the query)."""
        start, end = filters.created_after, filters.created_before
        if start is not None and end is not None and end <= start:
            # An empty range is a mistake (the dates swapped), not a question with no orders.
            raise InvalidRange(
                f"created_before ({end.isoformat()}) must be later than created_after ({start.isoformat()})"
            )
        after: tuple[datetime, int] | None = None
        if cursor:
            try:
                after = decode_cursor(cursor)
            except ValueError as exc:
                raise InvalidCursor("the cursor is not one this API returned") from exc
        totals = None
        if after is not None:
            rows = await self.reads.page(filters, after=after, limit=limit + 1)
        else:
            rows, found = await self.reads.first_page(filters, limit=limit + 1)
            totals = OrdersTotals(
                count=found.count,
                by_currency=[CurrencyTotal(currency=c, count=n, total=t) for c, n, t in found.by_currency],
            )
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1]["purchase_date"], rows[-1]["id"]) if more and rows else None
        return {
            "orders": rows,
            "next_cursor": next_cursor,
            "totals": totals.model_dump() if totals else None,
        }

    async def get_order(self, tenant_id: uuid.UUID, order_id: int) -> OrderDetail:
        order = await self.reads.get(tenant_id, order_id)
        if order is None:
            raise NotFound("order not found")
        items = await self.reads.items(tenant_id, order_id)
        summary = OrderSummary.model_validate(order).model_dump()
        return OrderDetail(
            **summary,
            order_type=order.order_type,
            is_replacement_order=order.is_replacement_order,
            ship_service_level=order.ship_service_level,
            first_seen_at=order.first_seen_at,
            updated_at=order.updated_at,
            items=[OrderItemOut.model_validate(i) for i in items],
        )

    async def shipping_address(
        self, tenant_id: uuid.UUID, order_id: int, *, actor: Actor, orders_api: OrdersApiFactory
    ) -> ShippingAddressOut:
        """Ask Amazon for the address (v0: getOrderAddress with an RDT; 2026-01-01: getOrder with
        includedData=RECIPIENT), or read it from the encrypted cache when PII_CACHE_DAYS allows one;
        record the view, return it."""
        order = await self.reads.get(tenant_id, order_id)
        if order is None:
            raise NotFound("order not found")
        connection = await self.reads.connection(tenant_id, order.connection_id)
        if connection is None:
            raise NotFound("order not found")
        api = orders_api(connection)
        cached = await self._cached_address(tenant_id, order.id)
        address = cached if cached is not None else await api.get_address(order.amazon_order_id)
        if cached is None and address is not None:
            await self._cache_address(tenant_id, order.id, address)
        await actor.record(
            self.session,
            tenant_id,
            "pii_viewed",
            target_type="order",
            target_id=str(order.id),
            data={
                "amazon_order_id": order.amazon_order_id,
                "data": "shipping_address",
                "orders_api": api.version,
                "returned": address is not None,
                "cached": cached is not None,
            },
        )
        if address is None:
            return ShippingAddressOut(amazon_order_id=order.amazon_order_id, available=False)
        return ShippingAddressOut(
            amazon_order_id=order.amazon_order_id, available=True, **address.model_dump()
        )

    async def _cached_address(self, tenant_id: uuid.UUID, order_id: int) -> ShippingAddress | None:
        settings = get_settings()
        if settings.security.pii_cache_days <= 0:
            return None
        payload = await AddressCacheRepository(self.session).get(tenant_id, order_id, datetime.now(UTC))
        if payload is None:
            return None
        plain = await TenantKeys(self.session, settings.security.encryption_keys).decrypt(tenant_id, payload)
        return ShippingAddress.model_validate_json(plain)

    async def _cache_address(self, tenant_id: uuid.UUID, order_id: int, address: ShippingAddress) -> None:
        settings = get_settings()
        days = settings.security.pii_cache_days
        if days <= 0:
            return  # the default: buyer PII is never stored
        keys = TenantKeys(self.session, settings.security.encryption_keys)
        payload = await keys.encrypt(tenant_id, address.model_dump_json())
        expires_at = datetime.now(UTC) + timedelta(days=days)
        await AddressCacheRepository(self.session).put(tenant_id, order_id, payload, expires_at)


async def purge_address_cache(session: AsyncSession, now: datetime) -> int:
    """Delete every cached address past its PII_CACHE_DAYS (the scheduler's tick)."""
    return await AddressCacheRepository(session).purge(now)


async def delete_connection_orders(
    session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID
) -> int:
    """Retention: every order row of the connection (items, totals, cached addresses)."""
    return await OrderRepository(session).delete_for_connection(tenant_id, connection_id)
