"""Orders as Amazon answers them, mapped to rows; and the targeted refresh of one order.

`map_orders` is shared by the delta, the API path of the backfill and the refresh: 2026-01-01
orders carry their lines, v0 needs getOrderItems per order. `refresh_order` is what an
ORDER_CHANGE notification triggers (`orders.refresh_order`): getOrder without PII, then the same
idempotent upsert as a sync run, so an order already newer in the database stays as it is.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.orders.orders_api_mapping import rows_from_orders_api
from app.orders.repository import OrderRepository, UpsertCounts
from app.orders.rows import MappedOrders
from app.spapi.client import SpApiClient
from app.spapi.operations.orders import AmazonOrder


async def map_orders(
    client: SpApiClient, orders: Sequence[AmazonOrder], tenant_id: uuid.UUID, connection_id: uuid.UUID
) -> MappedOrders:
    v0_items = {
        order.amazon_order_id: await client.orders.get_items(order.amazon_order_id)
        for order in orders
        if order.version == "v0"
    }
    return rows_from_orders_api(orders, tenant_id, connection_id, v0_items=v0_items)


async def fetch_order(
    client: SpApiClient, amazon_order_id: str, tenant_id: uuid.UUID, connection_id: uuid.UUID
) -> MappedOrders:
    """One order and its lines, as rows (Amazon calls only: no transaction is held meanwhile)."""
    order = await client.orders.get_order(amazon_order_id)
    return await map_orders(client, [order], tenant_id, connection_id)


async def store_order(session: AsyncSession, mapped: MappedOrders) -> UpsertCounts:
    return (await OrderRepository(session).upsert(mapped)).orders
