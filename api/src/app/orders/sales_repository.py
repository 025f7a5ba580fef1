"""Sales per ASIN and reporting day (`order_asin_day_totals`), recomputed by the orders upsert
(`OrderRepository.upsert`) for the days it wrote, in the same transaction and under the same locks
as the day totals.

A reporting day is a day of the marketplace's reporting time zone (`reporting_time_zone`), so one
UTC day of orders touches the one or two reporting days it overlaps; each of those is recomputed
from all its orders and their lines, canceled orders left out: the rows always equal what the
orders table says, whatever changed (a new order, a status, a line that arrived later). Orders of
a marketplace without a known time zone get no rows (their readers fall back to the lines).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.connections.amazon import reporting_time_zone

# (tenant, connection, marketplace, day): a UTC day of orders written, or a reporting day.
Day = tuple[uuid.UUID, uuid.UUID, str, date]


def reporting_days(utc_days: Iterable[Day]) -> dict[Day, str]:
    """The reporting days (with their time zone) that the UTC days of orders written overlap."""
    found: dict[Day, str] = {}
    for tenant_id, connection_id, marketplace_id, day in utc_days:
        name = reporting_time_zone(marketplace_id)
        if name is None:
            continue
        zone = ZoneInfo(name)
        first = datetime.combine(day, time.min, UTC)
        for moment in (first, first + timedelta(days=1, microseconds=-1)):
            found[(tenant_id, connection_id, marketplace_id, moment.astimezone(zone).date())] = name
    return found


_TOUCHED = """
    SELECT * FROM unnest(%(sales_tenant_ids)s::uuid[], %(sales_connection_ids)s::uuid[],
                         %(sales_marketplace_ids)s::text[], %(sales_days)s::date[], %(sales_zones)s::text[])
        AS a(tenant_id, connection_id, marketplace_id, day, zone)
"""
_CLEAR = f"""
    DELETE FROM order_asin_day_totals t USING ({_TOUCHED}) a
    WHERE t.connection_id = a.connection_id AND t.marketplace_id = a.marketplace_id
      AND t.day = a.day AND t.tenant_id = a.tenant_id
"""
# The orders are found as the day totals' recompute finds them (see `app.orders.repository`), by
# (connection, marketplace, purchase date) with the tenant as a filter; their lines by the key.
_FILL = f"""
    INSERT INTO order_asin_day_totals (tenant_id, connection_id, marketplace_id, day, asin, currency,
                                       sales, units)
    SELECT o.tenant_id, o.connection_id, o.marketplace_id, a.day, coalesce(oi.asin, ''),
           coalesce(oi.currency, ''), sum(oi.item_price), sum(oi.quantity_ordered)
    FROM ({_TOUCHED}) a
    JOIN orders o ON o.connection_id = a.connection_id AND o.marketplace_id = a.marketplace_id
                 AND o.tenant_id IS NOT DISTINCT FROM a.tenant_id
                 AND o.purchase_date >= a.day::timestamp AT TIME ZONE a.zone
                 AND o.purchase_date < (a.day + 1)::timestamp AT TIME ZONE a.zone
                 AND o.order_status <> 'CANCELLED'
    JOIN order_items oi ON oi.tenant_id = o.tenant_id AND oi.order_id = o.id
    WHERE oi.item_price IS NOT NULL
    GROUP BY o.tenant_id, o.connection_id, o.marketplace_id, a.day, coalesce(oi.asin, ''),
             coalesce(oi.currency, '')
"""
RECOMPUTE = (_CLEAR, _FILL)


def recompute_params(days: dict[Day, str]) -> dict[str, Any]:
    ordered = sorted(days)
    return {
        "sales_tenant_ids": [d[0] for d in ordered],
        "sales_connection_ids": [d[1] for d in ordered],
        "sales_marketplace_ids": [d[2] for d in ordered],
        "sales_days": [d[3] for d in ordered],
        "sales_zones": [days[d] for d in ordered],
    }
