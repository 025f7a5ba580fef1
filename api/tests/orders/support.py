"""Checks shared by the orders and sync tests."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_GROUPED = (
    "SELECT marketplace_id, order_status, (purchase_date AT TIME ZONE 'UTC')::date,"
    " coalesce(currency, ''), count(*), count(order_total), coalesce(sum(order_total), 0)"
    " FROM orders WHERE connection_id = :c GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
)
_KEPT = (
    "SELECT marketplace_id, order_status, day, currency, orders, priced_orders, order_total"
    " FROM order_day_totals WHERE connection_id = :c AND orders > 0 ORDER BY 1, 2, 3, 4"
)


async def day_totals_and_grouped_orders(
    session: AsyncSession, connection_id: uuid.UUID
) -> tuple[list[Any], list[Any]]:
    """A connection's `order_day_totals` rows, and the same figures grouped from its orders."""
    params = {"c": connection_id}
    kept = list((await session.execute(text(_KEPT), params)).all())
    grouped = list((await session.execute(text(_GROUPED), params)).all())
    return kept, grouped
