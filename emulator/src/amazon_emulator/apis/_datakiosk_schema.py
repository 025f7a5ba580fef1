"""Running Data Kiosk queries: the datasets of :mod:`._datakiosk_sdl`, executed with graphql-core.

``analytics_salesAndTraffic_2024_04_24`` (``salesAndTrafficByDate``, ``salesAndTrafficByAsin``,
``salesAndTrafficTrends``) uses the figures of :mod:`._sales_traffic`, the same as
``GET_SALES_AND_TRAFFIC_REPORT``; WEEK and MONTH ranges are narrowed to whole periods as the schema says.
``analytics_economics_2024_03_15`` (``economics``) gives, per product and period, the sales, the referral
and FBA fees of :mod:`._settlements` and the net proceeds; ``economicsPreview`` and ``economicsSimulation``
have no data. A query's result is the list it selects: one JSON object per line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    execute_sync,
    parse,
    validate,
)

from amazon_emulator.apis import _sales_traffic as st
from amazon_emulator.apis._datakiosk_sdl import ECONOMICS, SALES_AND_TRAFFIC, SCHEMAS
from amazon_emulator.apis._reports_catalog import fnsku
from amazon_emulator.apis._settlements import FBA_FEE_PER_UNIT, REFERRAL_RATE
from amazon_emulator.data.marketplaces import MARKETPLACES
from amazon_emulator.data.models import Seller

DATASET = SALES_AND_TRAFFIC
HISTORY_DAYS = 730


class QueryError(Exception):
    """The query cannot run (the message goes to the error document)."""


class UnknownDataset(Exception):
    """The query selects a dataset Data Kiosk does not have (createQuery answers 400)."""


def parse_query(text: str) -> tuple[str, DocumentNode]:
    """(dataset, document); raises :class:`GraphQLError` (not GraphQL), :class:`UnknownDataset` or
    :class:`QueryError` (fields or arguments the dataset's schema does not have)."""
    document = parse(text)
    names = {
        sel.name.value
        for op in document.definitions
        if isinstance(op, OperationDefinitionNode)
        for sel in op.selection_set.selections
        if isinstance(sel, FieldNode)
    }
    unknown = sorted(n for n in names if n not in SCHEMAS)
    if unknown or not names:
        raise UnknownDataset(f"Query '{unknown[0] if unknown else ''}' is not supported.")
    if len(names) > 1:
        raise QueryError("A query must select exactly one dataset.")
    dataset = names.pop()
    errors = validate(SCHEMAS[dataset], document)
    if errors:
        raise QueryError("; ".join(e.message for e in errors))
    return dataset, document


def _day(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise QueryError(f"{name} must be a date (YYYY-MM-DD).") from None


class _Root:
    def __init__(self, seller: Seller, at: float) -> None:
        self.seller = seller
        self.at = at

    def _range(self, args: dict[str, Any], granularity: str, markets: list[str]) -> tuple[date, date]:
        first, last = _day(args["startDate"], "startDate"), _day(args["endDate"], "endDate")
        if first > last:
            raise QueryError("startDate must not be after endDate.")
        today = datetime.fromtimestamp(self.at, UTC).date()
        if first < today - timedelta(days=HISTORY_DAYS):
            raise QueryError("startDate must be no more than two years ago.")
        unknown = [m for m in markets if m not in self.seller.marketplace_ids()]
        if unknown:
            raise QueryError(f"Invalid marketplaceIds: {', '.join(unknown)}.")
        if granularity in ("WEEK", "MONTH"):
            return st.narrow(first, last, granularity)
        return first, last

    def _lines(self, markets: list[str], first: date, last: date) -> list[st.Line]:
        return st.lines(self.seller, markets, first, last, self.at) if first <= last else []

    def by_date(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        markets = list(args["marketplaceIds"])
        granularity = str(args["aggregateBy"])
        first, last = self._range(args, granularity, markets)
        rows = self._lines(markets, first, last)
        if not rows:
            return []
        out = []
        for market in markets:
            currency = MARKETPLACES[market].currency
            for lo, hi in st.periods(first, last, granularity):
                bucket = [r for r in rows if r.order.marketplace_id == market and lo <= r.day <= hi]
                sales = st.sales_by_date(bucket, currency)
                traffic = st.traffic_by_date(len(bucket), sales["unitsOrdered"])
                out.append({"startDate": lo.isoformat(), "endDate": hi.isoformat(), "marketplaceId": market,
                            "sales": sales, "traffic": traffic})  # fmt: skip
        return out

    def _asin_records(
        self, rows: list[st.Line], market: str, granularity: str, lo: date, hi: date
    ) -> list[dict[str, Any]]:
        groups = st.by_asin([r for r in rows if r.order.marketplace_id == market], granularity)
        totals = st.totals_of(groups)
        currency = MARKETPLACES[market].currency
        return [
            {
                "startDate": lo.isoformat(),
                "endDate": hi.isoformat(),
                "marketplaceId": market,
                "parentAsin": parent,
                "childAsin": child,
                "sku": sku,
                "sales": st.sales_by_asin(group, currency),
                "traffic": st.traffic_by_asin(group, totals),
            }
            for (parent, child, sku), group in groups.items()
        ]

    def by_asin(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        markets = list(args["marketplaceIds"])
        first, last = self._range(args, "DAY", markets)
        rows = self._lines(markets, first, last)
        out = []
        for market in markets:
            out.extend(self._asin_records(rows, market, str(args["aggregateBy"]), first, last))
        return out

    def trends(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        if args["asinAggregation"] != "CHILD":
            raise QueryError("salesAndTrafficTrends supports only CHILD asinAggregation.")
        granularity = str(args["dateAggregation"])
        out = []
        for entry in args["filters"]:
            market, asins = entry["marketplaceId"], set(entry["asins"])
            if len(asins) > 30:
                raise QueryError("Each filter can include up to 30 child ASINs.")
            first, last = self._range(args, granularity, [market])
            rows = self._lines([market], first, last)
            for lo, hi in st.periods(first, last, granularity) if first <= last else []:
                bucket = [r for r in rows if lo <= r.day <= hi]
                for record in self._asin_records(bucket, market, "CHILD", lo, hi):
                    if record["childAsin"] in asins:
                        out.append({**record, "asinAggregation": "CHILD"})
        return out

    def economics(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        aggregate = args.get("aggregateBy") or {}
        granularity = str(aggregate.get("date") or "DAY")
        product_id = str(aggregate.get("productId") or "MSKU")
        markets = list(args["marketplaceIds"])
        first, last = self._range(args, granularity, markets)
        rows = self._lines(markets, first, last)
        buckets = [(first, last)] if granularity == "RANGE" else st.periods(first, last, granularity)
        out = []
        for market in markets:
            currency = MARKETPLACES[market].currency
            for lo, hi in buckets if first <= last else []:
                groups: dict[tuple[str, ...], list[st.Line]] = defaultdict(list)
                for r in rows:
                    if r.order.marketplace_id == market and lo <= r.day <= hi:
                        groups[_product_key(r, product_id)].append(r)
                for key, group in sorted(groups.items()):
                    out.append(_economics_record(key, group, market, currency, lo, hi))
        return out


def _product_key(line: st.Line, product_id: str) -> tuple[str, ...]:
    product = line.item.product
    parent = st.parent_asin(product)
    if product_id == "PARENT_ASIN":
        return (parent,)
    if product_id == "CHILD_ASIN":
        return (parent, product.asin)
    return (parent, product.asin, product.sku)


def _detail(value: float, units: int, currency: str) -> dict[str, Any]:
    return {
        "amount": st.amount(value, currency),
        "amountPerUnit": st.amount(value / units if units else 0.0, currency),
        "promotionAmount": st.amount(0.0, currency),
        "taxAmount": st.amount(0.0, currency),
        "totalAmount": st.amount(value, currency),
        "quantity": float(units),
    }


def _economics_record(
    key: tuple[str, ...],
    group: list[st.Line],
    market: str,
    currency: str,
    lo: date,
    hi: date,
) -> dict[str, Any]:
    ordered = sum(r.value for r in group)
    units = sum(r.units for r in group)
    refunded_units = sum(r.refunded for r in group)
    refunded = sum(r.value / r.units * r.refunded for r in group if r.units)
    referral = -round(ordered * REFERRAL_RATE, 2)
    fba_units = sum(r.units for r in group if r.order.fulfillment_channel == "AFN")
    fees = [{"feeTypeName": "REFERRAL_FEES", "charge": {"identifier": "REFERRAL_FEES",
             "aggregatedDetail": _detail(referral, units, currency)}}]  # fmt: skip
    fba = -round(FBA_FEE_PER_UNIT * fba_units, 2)
    if fba_units:
        fees.append({"feeTypeName": "FBA_FULFILLMENT_FEES", "charge": {"identifier": "FBA_FULFILLMENT_FEES",
                     "aggregatedDetail": _detail(fba, fba_units, currency)}})  # fmt: skip
    net = ordered - refunded + referral + fba
    net_units = units - refunded_units
    return {
        "startDate": lo.isoformat(),
        "endDate": hi.isoformat(),
        "marketplaceId": market,
        "parentAsin": key[0],
        "childAsin": key[1] if len(key) > 1 else None,
        "msku": key[2] if len(key) > 2 else None,
        "fnsku": fnsku(key[1]) if len(key) > 1 else None,
        "sales": {
            "orderedProductSales": st.amount(ordered, currency),
            "netProductSales": st.amount(ordered - refunded, currency),
            "refundedProductSales": st.amount(refunded, currency),
            "unitsOrdered": units,
            "unitsRefunded": refunded_units,
            "netUnitsSold": net_units,
            "averageSellingPrice": st.amount(ordered / units if units else 0.0, currency),
        },
        "fees": fees,
        "ads": [],
        "netProceeds": {
            "total": st.amount(net, currency),
            "perUnit": st.amount(net / net_units if net_units else 0.0, currency),
        },
    }


_RESOLVERS: dict[str, Callable[[_Root, dict[str, Any]], list[dict[str, Any]]]] = {
    "salesAndTrafficByDate": _Root.by_date,
    "salesAndTrafficByAsin": _Root.by_asin,
    "salesAndTrafficTrends": _Root.trends,
    "economics": _Root.economics,
    "economicsPreview": lambda root, args: [],
    "economicsSimulation": lambda root, args: [],
}


def run(dataset: str, document: DocumentNode, seller: Seller, at: float) -> list[dict[str, Any]]:
    """The records the query selects (each item of the selected list), or raise :class:`QueryError`."""
    root = _Root(seller, at)

    def resolve(obj: Any, info: Any, **kwargs: Any) -> Any:
        if isinstance(obj, _Root):
            return _RESOLVERS[info.field_name](obj, kwargs)
        if obj is None and info.field_name == dataset:
            return root
        if isinstance(obj, dict):
            return obj.get(info.field_name)
        return None

    result = execute_sync(SCHEMAS[dataset], document, field_resolver=resolve)
    if result.errors:
        cause = result.errors[0].original_error
        raise QueryError(str(cause) if isinstance(cause, QueryError) else result.errors[0].message)
    records: list[dict[str, Any]] = []
    for dataset_value in (result.data or {}).values():
        for value in (dataset_value or {}).values():
            records.extend(v for v in value or [] if v is not None)
    return records


__all__ = ["DATASET", "ECONOMICS", "GraphQLError", "QueryError", "UnknownDataset", "parse_query", "run"]
