"""Checks shared by the orders and sync tests."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_GROUPED = """
    SELECT level, marketplace_id, order_status, period, coalesce(currency, ''), count(*), count(order_total),
           coalesce(sum(order_total), 0)
    FROM orders CROSS JOIN LATERAL (VALUES
        ('day', (purchase_date AT TIME ZONE 'UTC')::date),
        ('month', date_trunc('month', purchase_date AT TIME ZONE 'UTC')::date)) AS p(level, period)
    WHERE connection_id = :c GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
"""
_KEPT = """
    SELECT * FROM (
        SELECT 'day' AS level, marketplace_id, order_status, day AS period, currency, orders, priced_orders,
               order_total
        FROM order_day_totals WHERE connection_id = :c
        UNION ALL
        SELECT 'month', marketplace_id, order_status, month, currency, orders, priced_orders, order_total
        FROM order_month_totals WHERE connection_id = :c
    ) kept ORDER BY 1, 2, 3, 4, 5
"""


async def kept_totals_and_grouped_orders(
    session: AsyncSession, connection_id: uuid.UUID
) -> tuple[list[Any], list[Any]]:
    """A connection's `order_day_totals` and `order_month_totals` rows, and the same figures
    grouped from its orders by UTC day and by calendar month (tagged 'day' and 'month')."""
    params = {"c": connection_id}
    kept = list((await session.execute(text(_KEPT), params)).all())
    grouped = list((await session.execute(text(_GROUPED), params)).all())
    return kept, grouped
