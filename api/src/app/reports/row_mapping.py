"""Documents' records -> row tuples in the order of `row_specs` (the upsert's staging columns).

Flat files are mapped by the header's positions, computed once per document (`TsvPlan`); the
sales-and-traffic records (the report's JSON elements and Data Kiosk's JSON Lines, whose field
names differ) become the same columns, so both adapters write the same row under the same key.

Not kept: the returns report's `customer-comments` (a buyer's free text), the listings' long
`item-description` and image URL.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from app.reports.load_target import LoadTarget
from app.reports.parsers import to_bool, to_date, to_datetime, to_decimal, to_int
from app.reports.row_specs import FBA_INVENTORY, FBA_RETURNS, LISTINGS, SETTLEMENT_LINES, RowTable

Row = tuple[Any, ...]

# Each marketplace's currency: flat files with prices but no currency column (listings, inventory).
MARKETPLACE_CURRENCY = {
    "ATVPDKIKX0DER": "USD",
    "A2EUQ1WTGCTBG2": "CAD",
    "A1AM78C64UM0Y8": "MXN",
    "A2Q3Y263D00KWC": "BRL",
    "A1F83G8C2ARO7P": "GBP",
    "A1PA6795UKMFR9": "EUR",
    "A13V1IB3VIYZZH": "EUR",
    "APJ6JRA9NG5V4": "EUR",
    "A1RKKUPIHCS9HS": "EUR",
    "A1805IZSGTT6HS": "EUR",
    "AMEN7PMS3EDWL": "EUR",
    "A2NODRKZP88ZB9": "SEK",
    "A1C3SOZRARQ6R3": "PLN",
    "A33AVAJ2PDY3EV": "TRY",
    "A2VIGQ35RCS4UG": "AED",
    "A17E79C6D8DWNP": "SAR",
    "ARBP9OOSHTCHU": "EGP",
    "A21TJRUUN4KGV": "INR",
    "A1VC38T7YXB528": "JPY",
    "A39IBJ37TRP1C6": "AUD",
    "A19VAU5U5O7RUS": "SGD",
    "A28R8C7NBKEWEA": "EUR",
    "AE08WJ6YKNBMC": "ZAR",
}

# The settlement V2 file's `marketplace-name` -> marketplace id.
MARKETPLACE_BY_NAME = {
    "amazon.com": "ATVPDKIKX0DER",
    "amazon.ca": "A2EUQ1WTGCTBG2",
    "amazon.com.mx": "A1AM78C64UM0Y8",
    "amazon.com.br": "A2Q3Y263D00KWC",
    "amazon.co.uk": "A1F83G8C2ARO7P",
    "amazon.de": "A1PA6795UKMFR9",
    "amazon.fr": "A13V1IB3VIYZZH",
    "amazon.it": "APJ6JRA9NG5V4",
    "amazon.es": "A1RKKUPIHCS9HS",
    "amazon.nl": "A1805IZSGTT6HS",
    "amazon.se": "A2NODRKZP88ZB9",
    "amazon.pl": "A1C3SOZRARQ6R3",
    "amazon.com.be": "AMEN7PMS3EDWL",
    "amazon.com.tr": "A33AVAJ2PDY3EV",
    "amazon.ae": "A2VIGQ35RCS4UG",
    "amazon.sa": "A17E79C6D8DWNP",
    "amazon.in": "A21TJRUUN4KGV",
    "amazon.co.jp": "A1VC38T7YXB528",
    "amazon.com.au": "A39IBJ37TRP1C6",
    "amazon.sg": "A19VAU5U5O7RUS",
    "amazon.ie": "A28R8C7NBKEWEA",
}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _text(value: str) -> str | None:
    return value.strip() or None


_BY_PG: dict[str, Callable[[Any], Any]] = {
    "text": _text,
    "integer": to_int,
    "bigint": to_int,
    "numeric": to_decimal,
    "boolean": to_bool,
    "timestamptz": to_datetime,
    "date": to_date,
}


@dataclass(frozen=True)
class Context:
    target: LoadTarget

    @property
    def marketplace_id(self) -> str:
        # Flat files name no marketplace: the one the report was requested for.
        return self.target.marketplace_ids[0] if self.target.marketplace_ids else ""

    @property
    def currency(self) -> str | None:
        return MARKETPLACE_CURRENCY.get(self.marketplace_id)


class TsvPlan:
    """Maps one flat file's rows: each spec column read from its header position and converted by
    its type; `finish` fills what the file does not say and returns None to skip a row."""

    # spec column -> header name, where it is not the column's name with dashes.
    sources: ClassVar[Mapping[str, str | None]] = {}
    spec: ClassVar[RowTable]

    def __init__(self, header: list[str], context: Context) -> None:
        self.context = context
        self.width = len(header)
        at = {name: i for i, name in enumerate(header)}
        # One function per document, generated from the header: each column read at its position
        # and converted inline (text: `strip() or None`), no call or loop per cell. Half the CPU
        # of a loop over (position, converter) pairs (measured with bench/b7_report_load.py).
        converters: dict[str, Any] = {}
        fixed = self.fixed(context)
        exprs: list[str] = []
        for col in self.spec.columns:
            source = self.sources.get(col.key, col.key.replace("_", "-"))
            index = at.get(source) if source is not None else None
            if col.key in fixed:
                converters[f"k{len(exprs)}"] = fixed[col.key]
                exprs.append(f"k{len(exprs)}")
            elif index is None:
                exprs.append("None")
            elif col.pg == "text":
                exprs.append(f"(c[{index}].strip() or None)")
            else:
                converters[f"f{len(exprs)}"] = _BY_PG[col.pg]
                exprs.append(f"f{len(exprs)}(c[{index}])")
        source_code = f"def convert(c):\n    return ({', '.join(exprs)},)\n"
        namespace: dict[str, Any] = dict(converters)
        exec(compile(source_code, f"<{self.spec.name} row>", "exec"), namespace)
        self.convert: Callable[[list[str]], Row] = namespace["convert"]
        self.position = {name: i for i, name in enumerate(self.spec.names)}
        self.pad = [""] * (self.width + 1)

    def fixed(self, context: Context) -> dict[str, Any]:
        """Columns whose value is the same on every row of the document (the file does not say it)."""
        return {}

    def __call__(self, cells: list[str]) -> Row | None:
        if len(cells) < self.width:
            cells = cells + self.pad[len(cells) :]
        return self.finish(self.convert(cells))

    def finish(self, values: Row) -> Row | None:
        """The row as it goes to the table, or None to skip it."""
        return values


class InventoryPlan(TsvPlan):
    spec = FBA_INVENTORY
    sources: ClassVar[Mapping[str, str | None]] = {"marketplace_id": None, "currency": None}

    def __init__(self, header: list[str], context: Context) -> None:
        super().__init__(header, context)
        self.key_at = self.position["sku"]

    def fixed(self, context: Context) -> dict[str, Any]:
        return {"marketplace_id": context.marketplace_id, "currency": context.currency}

    def finish(self, values: Row) -> Row | None:
        return values if values[self.key_at] else None


class ListingsPlan(TsvPlan):
    spec = LISTINGS
    sources: ClassVar[Mapping[str, str | None]] = {"marketplace_id": None, "currency": None, "asin": "asin1"}

    def __init__(self, header: list[str], context: Context) -> None:
        super().__init__(header, context)
        self.key_at = self.position["seller_sku"]

    def fixed(self, context: Context) -> dict[str, Any]:
        return {"marketplace_id": context.marketplace_id, "currency": context.currency}

    def finish(self, values: Row) -> Row | None:
        return values if values[self.key_at] else None


class ReturnsPlan(TsvPlan):
    spec = FBA_RETURNS
    sources: ClassVar[Mapping[str, str | None]] = {"marketplace_id": None, "line_key": None}

    def __init__(self, header: list[str], context: Context) -> None:
        super().__init__(header, context)
        # Lines without a license plate number, by their content: the n-th identical one gets #n,
        # so a re-load of an overlapping range meets the same keys in the same order.
        self.seen: Counter[str] = Counter()

    def fixed(self, context: Context) -> dict[str, Any]:
        return {"marketplace_id": context.marketplace_id}

    def finish(self, row: Row) -> Row | None:
        p, values = self.position, list(row)
        returned = values[p["return_date"]]
        if returned is None:
            return None
        plate = values[p["license_plate_number"]]
        order, sku = values[p["order_id"]] or "", values[p["sku"]] or ""
        if plate:
            key = f"lpn:{plate}:{order}:{sku}"
        else:
            parts = (
                order,
                sku,
                values[p["fnsku"]] or "",
                returned.isoformat(),
                values[p["fulfillment_center_id"]] or "",
                values[p["detailed_disposition"]] or "",
            )
            key = "line:" + ":".join(parts)
            self.seen[key] += 1
            key = f"{key}#{self.seen[key]}"
        values[p["line_key"]] = key
        return tuple(values)


class SettlementPlan(TsvPlan):
    spec = SETTLEMENT_LINES
    sources: ClassVar[Mapping[str, str | None]] = {"marketplace_id": None, "line_no": None}
    _CARRIED = ("settlement_start_date", "settlement_end_date", "deposit_date", "currency")

    def __init__(self, header: list[str], context: Context) -> None:
        super().__init__(header, context)
        self.line_no = 0
        # The file's first row is the settlement's summary (dates, deposit, total, currency);
        # later rows leave those cells empty: each line gets them, so it stands on its own.
        self.carried: dict[str, Any] = {}

    def finish(self, row: Row) -> Row | None:
        p, values = self.position, list(row)
        if not values[p["settlement_id"]]:
            return None
        self.line_no += 1
        values[p["line_no"]] = self.line_no
        for name in self._CARRIED:
            if values[p[name]] is None:
                values[p[name]] = self.carried.get(name)
            elif name not in self.carried:
                self.carried[name] = values[p[name]]
        posted_at = values[p["posted_date_time"]]
        if posted_at is not None:
            # posted-date's format varies by marketplace (MM/DD/YY, DD.MM.YYYY); the time does not.
            values[p["posted_date"]] = posted_at.astimezone(UTC).date()
        if values[p["settlement_end_date"]] is None:
            values[p["settlement_end_date"]] = posted_at or self.context.target.data_end or _EPOCH
        name = (values[p["marketplace_name"]] or "").lower()
        values[p["marketplace_id"]] = MARKETPLACE_BY_NAME.get(name, self.context.marketplace_id)
        return tuple(values)


# -- sales and traffic -------------------------------------------------------------------------------


def period_end(start: date, granularity: str) -> date:
    """The last day of the period starting `start` (the report gives only its first day)."""
    if granularity == "WEEK":
        return start + timedelta(days=6)
    if granularity == "MONTH":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start


def _amount(value: Any) -> Any:
    return to_decimal(value.get("amount")) if isinstance(value, dict) else None


def _currency(*values: Any) -> str | None:
    for value in values:
        if isinstance(value, dict) and value.get("currencyCode"):
            return str(value["currencyCode"])
    return None


_DATE_SALES = {
    "ordered_product_sales": "orderedProductSales",
    "ordered_product_sales_b2b": "orderedProductSalesB2B",
    "average_sales_per_order_item": "averageSalesPerOrderItem",
    "average_selling_price": "averageSellingPrice",
    "claims_amount": "claimsAmount",
    "shipped_product_sales": "shippedProductSales",
}
_DATE_COUNTS = {
    "units_ordered": "unitsOrdered",
    "units_ordered_b2b": "unitsOrderedB2B",
    "total_order_items": "totalOrderItems",
    "total_order_items_b2b": "totalOrderItemsB2B",
    "average_units_per_order_item": "averageUnitsPerOrderItem",
    "units_refunded": "unitsRefunded",
    "refund_rate": "refundRate",
    "claims_granted": "claimsGranted",
    "units_shipped": "unitsShipped",
    "orders_shipped": "ordersShipped",
}
_DATE_TRAFFIC = {
    "browser_page_views": "browserPageViews",
    "mobile_app_page_views": "mobileAppPageViews",
    "page_views": "pageViews",
    "browser_sessions": "browserSessions",
    "mobile_app_sessions": "mobileAppSessions",
    "sessions": "sessions",
    "buy_box_percentage": "buyBoxPercentage",
    "order_item_session_percentage": "orderItemSessionPercentage",
    "unit_session_percentage": "unitSessionPercentage",
    "average_offer_count": "averageOfferCount",
    "average_parent_items": "averageParentItems",
    "feedback_received": "feedbackReceived",
    "negative_feedback_received": "negativeFeedbackReceived",
    "received_negative_feedback_rate": "receivedNegativeFeedbackRate",
}
_ASIN_SALES = {
    "ordered_product_sales": "orderedProductSales",
    "ordered_product_sales_b2b": "orderedProductSalesB2B",
    "shipped_product_sales": "shippedProductSales",
}
_ASIN_COUNTS = {
    "units_ordered": "unitsOrdered",
    "units_ordered_b2b": "unitsOrderedB2B",
    "total_order_items": "totalOrderItems",
    "total_order_items_b2b": "totalOrderItemsB2B",
    "units_shipped": "unitsShipped",
    "orders_shipped": "ordersShipped",
    "units_refunded": "unitsRefunded",
    "refund_rate": "refundRate",
}
_ASIN_TRAFFIC = {
    "browser_sessions": "browserSessions",
    "mobile_app_sessions": "mobileAppSessions",
    "sessions": "sessions",
    "browser_session_percentage": "browserSessionPercentage",
    "mobile_app_session_percentage": "mobileAppSessionPercentage",
    "session_percentage": "sessionPercentage",
    "browser_page_views": "browserPageViews",
    "mobile_app_page_views": "mobileAppPageViews",
    "page_views": "pageViews",
    "browser_page_views_percentage": "browserPageViewsPercentage",
    "mobile_app_page_views_percentage": "mobileAppPageViewsPercentage",
    "page_views_percentage": "pageViewsPercentage",
    "buy_box_percentage": "buyBoxPercentage",
    "unit_session_percentage": "unitSessionPercentage",
}
# The GraphQL selections of the Data Kiosk query (catalogue.py), the same names as read here.
DK_DATE_SALES_FIELDS = (*_DATE_SALES.values(), *_DATE_COUNTS.values())
DK_DATE_TRAFFIC_FIELDS = tuple(_DATE_TRAFFIC.values())
DK_ASIN_SALES_FIELDS = (*_ASIN_SALES.values(), *_ASIN_COUNTS.values())
DK_ASIN_TRAFFIC_FIELDS = tuple(_ASIN_TRAFFIC.values())
DK_MONEY_FIELDS = frozenset((*_DATE_SALES.values(), *_ASIN_SALES.values()))


def _figures(
    sales: dict[str, Any],
    traffic: dict[str, Any],
    money: dict[str, str],
    counts: dict[str, str],
    metrics: dict[str, str],
) -> dict[str, Any]:
    out: dict[str, Any] = {k: _amount(sales.get(f)) for k, f in money.items()}
    out.update({k: to_decimal(sales.get(f)) for k, f in counts.items()})
    out.update({k: to_decimal(traffic.get(f)) for k, f in metrics.items()})
    out["currency"] = _currency(*(sales.get(f) for f in money.values()))
    return out


def _as_row(spec: RowTable, values: dict[str, Any]) -> Row:
    # Integers by the column's type: JSON Lines floats (1.0) and the report's ints alike.
    return tuple(
        (to_int(values.get(c.key)) if c.pg == "integer" else values.get(c.key)) for c in spec.columns
    )


def by_date_row(
    spec: RowTable, record: dict[str, Any], *, via: str, marketplace_id: str, granularity: str
) -> Row | None:
    """A salesAndTrafficByDate element (report: date/salesByDate/trafficByDate; Data Kiosk:
    startDate/endDate/marketplaceId/sales/traffic)."""
    if via == "datakiosk":
        start, end = to_date(record.get("startDate")), to_date(record.get("endDate"))
        sales, traffic = record.get("sales") or {}, record.get("traffic") or {}
        marketplace_id = str(record.get("marketplaceId") or marketplace_id)
    else:
        start, end = to_date(record.get("date")), None
        sales, traffic = record.get("salesByDate") or {}, record.get("trafficByDate") or {}
    if start is None:
        return None
    values = _figures(sales, traffic, _DATE_SALES, _DATE_COUNTS, _DATE_TRAFFIC)
    values.update(
        marketplace_id=marketplace_id,
        granularity=granularity,
        start_date=start,
        end_date=end or period_end(start, granularity),
        source=via,
    )
    return _as_row(spec, values)


def by_asin_row(
    spec: RowTable,
    record: dict[str, Any],
    *,
    via: str,
    marketplace_id: str,
    granularity: str,
    start: date | None,
    end: date | None,
) -> Row | None:
    """A salesAndTrafficByAsin element over the whole range (the report's range comes from its
    reportSpecification, Data Kiosk's from each record)."""
    if via == "datakiosk":
        start, end = to_date(record.get("startDate")) or start, to_date(record.get("endDate")) or end
        sales, traffic = record.get("sales") or {}, record.get("traffic") or {}
        marketplace_id = str(record.get("marketplaceId") or marketplace_id)
    else:
        sales, traffic = record.get("salesByAsin") or {}, record.get("trafficByAsin") or {}
    parent = record.get("parentAsin") or ""
    if start is None or end is None or not (parent or record.get("childAsin") or record.get("sku")):
        return None
    values = _figures(sales, traffic, _ASIN_SALES, _ASIN_COUNTS, _ASIN_TRAFFIC)
    values.update(
        marketplace_id=marketplace_id,
        granularity=granularity,
        start_date=start,
        end_date=end,
        parent_asin=parent,
        child_asin=record.get("childAsin") or "",
        sku=record.get("sku") or "",
        source=via,
    )
    return _as_row(spec, values)
