"""Sales and traffic figures, shared by ``GET_SALES_AND_TRAFFIC_REPORT`` and Data Kiosk's
``analytics_salesAndTraffic_2024_04_24`` so both give the same numbers for the same seller and days.

Sales come from the seller's orders (cancelled ones excluded; an order counts on its purchase day, in UTC).
Refunds are the FBA returns of :mod:`._reports_catalog` received by the time of the report, counted on the
order's purchase day. Traffic is derived from the orders with a fixed 12 % unit-session rate. Parent ASINs
group the catalogue's colour variants (same title without the colour).

Periods: the Reports API *widens* a WEEK/MONTH range to whole periods (``sellerSalesAndTrafficReport.json``),
Data Kiosk *narrows* it (the schema: the following Sunday / the preceding Saturday, the first day of the next
month / the last day of the previous one). Weeks run Sunday to Saturday.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from amazon_emulator.apis._reports_catalog import return_of, shipped_at
from amazon_emulator.data.marketplaces import MARKETPLACES
from amazon_emulator.data.models import CANCELED, Order, OrderItem, Product, Seller

_UNIT_SESSION_RATE = 0.12


@dataclass(frozen=True, slots=True)
class Line:
    """One order item as the figures see it."""

    order: Order
    item: OrderItem
    day: date
    value: float
    units: int
    refunded: int
    shipped: bool


def parent_asin(product: Product) -> str:
    base = product.title.rsplit(",", 1)[0]
    return "B0" + hashlib.sha1(base.encode()).hexdigest()[:8].upper()


def day_bounds(first: date, last: date) -> tuple[float, float]:
    lo = datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp()
    hi = datetime(last.year, last.month, last.day, tzinfo=UTC).timestamp() + 86399.999
    return lo, hi


def lines(seller: Seller, markets: Iterable[str], first: date, last: date, at: float) -> list[Line]:
    wanted = set(markets)
    lo, hi = day_bounds(first, last)
    out = []
    for order in seller.purchased_between(lo, min(hi, at)):
        if order.marketplace_id not in wanted or order.status_at(at) == CANCELED:
            continue
        day = datetime.fromtimestamp(order.purchase_ts, UTC).date()
        shipped = (shipped_at(order) or at + 1) <= at
        for item in order.items:
            back = return_of(order, item)
            refunded = back[1] if back is not None and back[0] <= at else 0
            out.append(
                Line(order, item, day, item.unit_price * item.quantity, item.quantity, refunded, shipped)
            )
    return out


def amount(value: float, currency: str) -> dict[str, Any]:
    return {"amount": round(value, 2), "currencyCode": currency}


def _ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else 0.0


def _pct(a: float, b: float) -> float:
    return round(100.0 * a / b, 2) if b else 0.0


def sales_by_date(rows: list[Line], currency: str) -> dict[str, Any]:
    sales = sum(r.value for r in rows)
    units = sum(r.units for r in rows)
    refunded = sum(r.refunded for r in rows)
    items = len(rows)
    shipped = [r for r in rows if r.shipped]
    return {
        "orderedProductSales": amount(sales, currency),
        "unitsOrdered": units,
        "totalOrderItems": items,
        "averageSalesPerOrderItem": amount(sales / items if items else 0.0, currency),
        "averageUnitsPerOrderItem": _ratio(units, items),
        "averageSellingPrice": amount(sales / units if units else 0.0, currency),
        "unitsRefunded": refunded,
        "refundRate": _pct(refunded, units),
        "claimsGranted": 0,
        "claimsAmount": amount(0.0, currency),
        "shippedProductSales": amount(sum(r.value for r in shipped), currency),
        "unitsShipped": sum(r.units for r in shipped),
        "ordersShipped": len({r.order.amazon_order_id for r in shipped}),
    }


def _sessions(items: int, units: int) -> int:
    return max(items, round(units / _UNIT_SESSION_RATE))


def traffic_by_date(items: int, units: int) -> dict[str, Any]:
    sessions = _sessions(items, units)
    browser = sessions * 3 // 5
    views = sessions * 2
    return {
        "browserPageViews": views * 3 // 5,
        "mobileAppPageViews": views - views * 3 // 5,
        "pageViews": views,
        "browserSessions": browser,
        "mobileAppSessions": sessions - browser,
        "sessions": sessions,
        "buyBoxPercentage": 100.0,
        "orderItemSessionPercentage": _pct(items, sessions),
        "unitSessionPercentage": _pct(units, sessions),
        "averageOfferCount": 1,
        "averageParentItems": 1,
        "feedbackReceived": 0,
        "negativeFeedbackReceived": 0,
        "receivedNegativeFeedbackRate": 0.0,
    }


def sales_by_asin(rows: list[Line], currency: str) -> dict[str, Any]:
    """Every non-B2B field of Data Kiosk's ``ByAsinSales`` (the report uses the first three)."""
    full = sales_by_date(rows, currency)
    keys = ("orderedProductSales", "totalOrderItems", "unitsOrdered", "ordersShipped", "refundRate",
            "shippedProductSales", "unitsRefunded", "unitsShipped")  # fmt: skip
    return {k: full[k] for k in keys}


def traffic_by_asin(rows: list[Line], totals: dict[str, Any]) -> dict[str, Any]:
    """Every non-B2B field of ``ByAsinTraffic``; percentages relative to ``totals`` (all ASINs)."""
    own = traffic_by_date(len(rows), sum(r.units for r in rows))
    kept = ("browserSessions", "mobileAppSessions", "sessions", "browserPageViews", "mobileAppPageViews",
            "pageViews", "buyBoxPercentage", "unitSessionPercentage")  # fmt: skip
    out = {k: own[k] for k in kept}
    out.update(
        {
            "browserSessionPercentage": _pct(own["browserSessions"], totals["browserSessions"]),
            "mobileAppSessionPercentage": _pct(own["mobileAppSessions"], totals["mobileAppSessions"]),
            "sessionPercentage": _pct(own["sessions"], totals["sessions"]),
            "browserPageViewsPercentage": _pct(own["browserPageViews"], totals["browserPageViews"]),
            "mobileAppPageViewsPercentage": _pct(own["mobileAppPageViews"], totals["mobileAppPageViews"]),
            "pageViewsPercentage": _pct(own["pageViews"], totals["pageViews"]),
        }
    )
    return out


def asin_key(line: Line, granularity: str) -> tuple[str, str | None, str | None]:
    """(parentAsin, childAsin, sku) as the granularity shows them."""
    parent = parent_asin(line.item.product)
    if granularity == "PARENT":
        return parent, None, None
    if granularity == "CHILD":
        return parent, line.item.product.asin, None
    return parent, line.item.product.asin, line.item.product.sku


def by_asin(rows: list[Line], granularity: str) -> dict[tuple[str, str | None, str | None], list[Line]]:
    groups: dict[tuple[str, str | None, str | None], list[Line]] = defaultdict(list)
    for line in rows:
        groups[asin_key(line, granularity)].append(line)
    return dict(sorted(groups.items(), key=lambda kv: tuple(v or "" for v in kv[0])))


def totals_of(groups: dict[Any, list[Line]]) -> dict[str, Any]:
    """Sums of every group's own traffic (the denominator of the ``*Percentage`` fields)."""
    keys = ("browserSessions", "mobileAppSessions", "sessions", "browserPageViews", "mobileAppPageViews",
            "pageViews")  # fmt: skip
    out = dict.fromkeys(keys, 0)
    for rows in groups.values():
        own = traffic_by_date(len(rows), sum(r.units for r in rows))
        for k in keys:
            out[k] += own[k]
    return out


def _next_period(day: date, granularity: str) -> date:
    if granularity == "MONTH":
        return (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    if granularity == "WEEK":
        return day + timedelta(days=7 - day.isoweekday() % 7)  # the next Sunday
    return day + timedelta(days=1)


def period_start(day: date, granularity: str) -> date:
    if granularity == "MONTH":
        return day.replace(day=1)
    if granularity == "WEEK":
        return day - timedelta(days=day.isoweekday() % 7)  # back to Sunday
    return day


def widen(first: date, last: date, granularity: str) -> tuple[date, date]:
    """The Reports API's whole periods covering ``first..last``."""
    return period_start(first, granularity), _next_period(
        period_start(last, granularity), granularity
    ) - timedelta(days=1)


def narrow(first: date, last: date, granularity: str) -> tuple[date, date]:
    """Data Kiosk's whole periods inside ``first..last`` (may be empty: first > last)."""
    start = first if period_start(first, granularity) == first else _next_period(first, granularity)
    after = last + timedelta(days=1)
    end = after if period_start(after, granularity) == after else period_start(after, granularity)
    return start, end - timedelta(days=1)


def periods(first: date, last: date, granularity: str) -> list[tuple[date, date]]:
    """Consecutive periods from ``first`` to ``last`` (both period-aligned except for DAY ranges)."""
    out = []
    day = first
    while day <= last:
        nxt = _next_period(day, granularity)
        out.append((day, min(nxt - timedelta(days=1), last)))
        day = nxt
    return out


def currency_of(markets: list[str]) -> str:
    return MARKETPLACES[markets[0]].currency


def report(
    seller: Seller, market: str, start: datetime, end: datetime, options: dict[str, str], at: float
) -> dict[str, Any] | None:
    """``GET_SALES_AND_TRAFFIC_REPORT`` for one marketplace, ``None`` when there is no sale in the range."""
    date_gran = options.get("dateGranularity", "DAY")
    asin_gran = options.get("asinGranularity", "PARENT")
    first, last = widen(start.date(), end.date(), date_gran)
    rows = lines(seller, [market], first, last, at)
    if not rows:
        return None
    currency = MARKETPLACES[market].currency
    dates = []
    for lo, hi in periods(first, last, date_gran):
        bucket = [r for r in rows if lo <= r.day <= hi]
        dates.append(
            {
                "date": lo.isoformat(),
                "salesByDate": sales_by_date(bucket, currency),
                "trafficByDate": traffic_by_date(len(bucket), sum(r.units for r in bucket)),
            }
        )
    groups = by_asin(rows, asin_gran)
    totals = totals_of(groups)
    asins = []
    for (parent, child, sku), group in groups.items():
        entry: dict[str, Any] = {"parentAsin": parent}
        if child is not None:
            entry["childAsin"] = child
        if sku is not None:
            entry["sku"] = sku
        sales = sales_by_asin(group, currency)
        entry["salesByAsin"] = {
            k: sales[k] for k in ("unitsOrdered", "orderedProductSales", "totalOrderItems")
        }
        entry["trafficByAsin"] = traffic_by_asin(group, totals)
        asins.append(entry)
    return {
        "reportSpecification": {
            "reportType": "GET_SALES_AND_TRAFFIC_REPORT",
            "reportOptions": {"dateGranularity": date_gran, "asinGranularity": asin_gran},
            "dataStartTime": first.isoformat(),
            "dataEndTime": last.isoformat(),
            "marketplaceIds": [market],
        },
        "salesAndTrafficByDate": dates,
        "salesAndTrafficByAsin": asins,
    }
