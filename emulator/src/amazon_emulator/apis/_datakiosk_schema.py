"""The Data Kiosk datasets the emulator serves: part of Amazon's GraphQL schema, run with graphql-core.

``analytics_salesAndTraffic_2024_04_24`` with ``salesAndTrafficByDate`` and ``salesAndTrafficByAsin`` (field
names, argument names and types as in Amazon's schema; only the fields listed here can be selected). Numbers
come from the seller's orders (the same figures as ``GET_SALES_AND_TRAFFIC_REPORT``). A query's result is the
list it selects: one JSON object per line.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graphql import DocumentNode, GraphQLError, build_schema, execute_sync, parse, validate

from amazon_emulator.apis._reports_content import amount, sales_figures, traffic_figures
from amazon_emulator.data.marketplaces import MARKETPLACES
from amazon_emulator.data.models import CANCELED, Order, OrderItem, Seller

DATASET = "analytics_salesAndTraffic_2024_04_24"
_SALES = (
    "averageSalesPerOrderItem: Amount! averageSellingPrice: Amount! averageUnitsPerOrderItem: Float! "
    "claimsAmount: Amount! claimsGranted: Long! orderedProductSales: Amount! ordersShipped: Long! "
    "refundRate: Float! shippedProductSales: Amount! totalOrderItems: Long! unitsOrdered: Long! "
    "unitsRefunded: Long! unitsShipped: Long!"
)
_TRAFFIC = (
    "averageOfferCount: Long! averageParentItems: Long! browserPageViews: Long! browserSessions: Long! "
    "buyBoxPercentage: Float! feedbackReceived: Long! mobileAppPageViews: Long! mobileAppSessions: Long! "
    "negativeFeedbackReceived: Long! orderItemSessionPercentage: Float! pageViews: Long! "
    "receivedNegativeFeedbackRate: Float! sessions: Long! unitSessionPercentage: Float!"
)
SDL = f"""
scalar Date
scalar Long
type Query {{ {DATASET}: Analytics_SalesAndTraffic_2024_04_24 }}
enum DateGranularity {{ DAY MONTH WEEK }}
enum AsinGranularity {{ CHILD PARENT SKU }}
type Amount {{ amount: Float! currencyCode: String! }}
type ByDateSales {{ {_SALES} }}
type ByDateTraffic {{ {_TRAFFIC} }}
type ByAsinSales {{ orderedProductSales: Amount! totalOrderItems: Long! unitsOrdered: Long! }}
type ByAsinTraffic {{ browserSessions: Long! mobileAppSessions: Long! sessions: Long! pageViews: Long! }}
type SalesAndTrafficByDate {{
  startDate: Date! endDate: Date! marketplaceId: String! sales: ByDateSales! traffic: ByDateTraffic!
}}
type SalesAndTrafficByAsin {{
  startDate: Date! endDate: Date! marketplaceId: String! parentAsin: String childAsin: String sku: String
  sales: ByAsinSales! traffic: ByAsinTraffic!
}}
type Analytics_SalesAndTraffic_2024_04_24 {{
  salesAndTrafficByDate(
    aggregateBy: DateGranularity!, endDate: Date!, marketplaceIds: [String!]!, startDate: Date!
  ): [SalesAndTrafficByDate]
  salesAndTrafficByAsin(
    aggregateBy: AsinGranularity!, endDate: Date!, marketplaceIds: [String!]!, startDate: Date!
  ): [SalesAndTrafficByAsin]
}}
"""
SCHEMA = build_schema(SDL)
HISTORY_DAYS = 730


class QueryError(Exception):
    """The query cannot run (the message goes to the error document)."""


def parse_query(text: str) -> DocumentNode:
    """Parse and validate against :data:`SCHEMA`; raises :class:`GraphQLError` or :class:`QueryError`."""
    document = parse(text)
    errors = validate(SCHEMA, document)
    if errors:
        raise QueryError("; ".join(e.message for e in errors))
    return document


def _day(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise QueryError(f"{name} must be a date (YYYY-MM-DD).") from None


def _buckets(first: date, last: date, granularity: str) -> list[tuple[date, date]]:
    out: list[tuple[date, date]] = []
    day = first
    while day <= last:
        if granularity == "MONTH":
            nxt = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        elif granularity == "WEEK":
            nxt = day + timedelta(days=7 - (day.isoweekday() % 7))  # weeks run Sunday to Saturday
        else:
            nxt = day + timedelta(days=1)
        out.append((day, min(nxt - timedelta(days=1), last)))
        day = nxt
    return out


class _Root:
    def __init__(self, seller: Seller, at: float) -> None:
        self.seller = seller
        self.at = at

    def _rows(self, info_args: dict[str, Any]) -> tuple[date, date, list[str], list[tuple[Order, OrderItem]]]:
        first, last = _day(info_args["startDate"], "startDate"), _day(info_args["endDate"], "endDate")
        now = datetime.fromtimestamp(self.at, UTC).date()
        if first > last:
            raise QueryError("startDate must not be after endDate.")
        if first < now - timedelta(days=HISTORY_DAYS):
            raise QueryError("startDate must be no more than two years ago.")
        markets = list(info_args["marketplaceIds"])
        unknown = [m for m in markets if m not in self.seller.marketplace_ids()]
        if unknown:
            raise QueryError(f"Invalid marketplaceIds: {', '.join(unknown)}.")
        lo = datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp()
        hi = datetime(last.year, last.month, last.day, tzinfo=UTC).timestamp() + 86399.999
        lines: list[tuple[Order, OrderItem]] = []
        for order in self.seller.purchased_between(lo, min(hi, self.at)):
            if order.marketplace_id in markets and order.status_at(self.at) != CANCELED:
                lines.extend((order, item) for item in order.items)
        return first, last, markets, lines

    def sales_and_traffic_by_date(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        first, last, markets, lines = self._rows(args)
        if not lines:
            return []
        out = []
        for market in markets:
            currency = MARKETPLACES[market].currency
            for lo, hi in _buckets(first, last, str(args["aggregateBy"])):
                rows = [
                    (o, i.unit_price * i.quantity, i.quantity)
                    for o, i in lines
                    if o.marketplace_id == market
                    and lo <= datetime.fromtimestamp(o.purchase_ts, UTC).date() <= hi
                ]
                sales = sales_figures(rows, currency, self.at)
                out.append(
                    {
                        "startDate": lo.isoformat(),
                        "endDate": hi.isoformat(),
                        "marketplaceId": market,
                        "sales": sales,
                        "traffic": traffic_figures(len(rows), sales["unitsOrdered"]),
                    }
                )
        return out

    def sales_and_traffic_by_asin(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        first, last, _, lines = self._rows(args)
        groups: dict[tuple[str, str, str], list[tuple[float, int]]] = defaultdict(list)
        for order, item in lines:
            key = (order.marketplace_id, item.product.asin, item.product.sku)
            groups[key].append((item.unit_price * item.quantity, item.quantity))
        out = []
        for (market, asin, sku), rows in sorted(groups.items()):
            units = sum(u for _, u in rows)
            traffic = traffic_figures(len(rows), units)
            out.append(
                {
                    "startDate": first.isoformat(),
                    "endDate": last.isoformat(),
                    "marketplaceId": market,
                    "parentAsin": asin,
                    "childAsin": asin,
                    "sku": sku if args["aggregateBy"] == "SKU" else None,
                    "sales": {
                        "orderedProductSales": amount(sum(v for v, _ in rows), MARKETPLACES[market].currency),
                        "totalOrderItems": len(rows),
                        "unitsOrdered": units,
                    },
                    "traffic": {
                        k: traffic[k]
                        for k in ("browserSessions", "mobileAppSessions", "sessions", "pageViews")
                    },
                }
            )
        return out


def run(document: DocumentNode, seller: Seller, at: float) -> list[dict[str, Any]]:
    """The records the query selects (each item of the selected list), or raise :class:`QueryError`."""
    root = _Root(seller, at)

    def resolve(obj: Any, info: Any, **kwargs: Any) -> Any:
        if isinstance(obj, _Root):
            if info.field_name == "salesAndTrafficByDate":
                return obj.sales_and_traffic_by_date(kwargs)
            if info.field_name == "salesAndTrafficByAsin":
                return obj.sales_and_traffic_by_asin(kwargs)
        if obj is None and info.field_name == DATASET:
            return root
        if isinstance(obj, dict):
            return obj.get(info.field_name)
        return None

    result = execute_sync(SCHEMA, document, field_resolver=resolve)
    if result.errors:
        cause = result.errors[0].original_error
        raise QueryError(str(cause) if isinstance(cause, QueryError) else result.errors[0].message)
    records: list[dict[str, Any]] = []
    for dataset_value in (result.data or {}).values():
        for value in (dataset_value or {}).values():
            records.extend(v for v in value or [] if v is not None)
    return records


__all__ = ["DATASET", "GraphQLError", "QueryError", "parse_query", "run"]
