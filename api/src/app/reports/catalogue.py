"""The report types the product supports, keyed by Amazon's `reportType`.

For each: whether users may request it (settlements are scheduled by Amazon and only listed), its
format and stored file, its date limits and options (enforced by the reports service and the
panel), its Data Kiosk equivalent when there is one (`FEATURE_USE_DATA_KIOSK` then runs it as a
GraphQL query landing in the same tables), the tables its rows go to and the loader that puts
them there. The order reports are listed for completeness: the orders sync loads them (`loader=None`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Literal

from app.reports.load_target import LoadTarget, RowLoader, UnitOfWork, Via
from app.reports.loaders import (
    FBA_INVENTORY_LOADER,
    FBA_RETURNS_LOADER,
    LISTINGS_LOADER,
    SALES_AND_TRAFFIC_LOADER,
    SETTLEMENT_LOADER,
)
from app.reports.row_mapping import (
    DK_ASIN_SALES_FIELDS,
    DK_ASIN_TRAFFIC_FIELDS,
    DK_DATE_SALES_FIELDS,
    DK_DATE_TRAFFIC_FIELDS,
    DK_MONEY_FIELDS,
)
from app.reports.row_specs import (
    FBA_INVENTORY,
    FBA_RETURNS,
    LISTINGS,
    SALES_TRAFFIC_BY_ASIN,
    SALES_TRAFFIC_BY_DATE,
    SETTLEMENT_LINES,
)

__all__ = [
    "CATALOGUE",
    "DataKioskEquivalent",
    "LoadTarget",
    "ReportKind",
    "RowLoader",
    "UnitOfWork",
    "Via",
    "get_kind",
]

TSV = "text/tab-separated-values; charset=utf-8"
JSON = "application/json"
# A Data Kiosk document (JSON Lines) as the reports flow stores it, extension "jsonl".
DATAKIOSK_CONTENT_TYPE = "application/x-ndjson"


def _selection(fields: tuple[str, ...]) -> str:
    return " ".join(f"{f} {{ amount currencyCode }}" if f in DK_MONEY_FIELDS else f for f in fields)


@dataclass(frozen=True)
class DataKioskEquivalent:
    dataset: str  # "analytics_salesAndTraffic_2024_04_24"

    def query(self, marketplace_id: str, start: date, end: date) -> str:
        """salesAndTrafficByDate (by DAY) and salesAndTrafficByAsin (by CHILD ASIN) for one
        marketplace and the whole days start..end, in one query: the fields the loader reads, by
        the names of the official schema (tests/reports/test_sales_traffic.py validates it)."""
        days = f'startDate: "{start.isoformat()}", endDate: "{end.isoformat()}"'
        arguments = f'{days}, marketplaceIds: ["{marketplace_id}"]'
        date_sales, date_traffic = _selection(DK_DATE_SALES_FIELDS), _selection(DK_DATE_TRAFFIC_FIELDS)
        asin_sales, asin_traffic = _selection(DK_ASIN_SALES_FIELDS), _selection(DK_ASIN_TRAFFIC_FIELDS)
        by_date = (
            f"salesAndTrafficByDate(aggregateBy: DAY, {arguments}) {{ startDate endDate marketplaceId "
            f"sales {{ {date_sales} }} traffic {{ {date_traffic} }} }}"
        )
        by_asin = (
            f"salesAndTrafficByAsin(aggregateBy: CHILD, {arguments}) {{ startDate endDate marketplaceId "
            f"parentAsin childAsin sku sales {{ {asin_sales} }} traffic {{ {asin_traffic} }} }}"
        )
        return f"query {{ {self.dataset} {{ {by_date} {by_asin} }} }}"


@dataclass(frozen=True)
class ReportKind:
    report_type: str
    title: str
    description: str
    requestable: bool
    format: Literal["tsv", "json", "xml"]
    content_type: str  # of the stored document
    file_extension: str  # "tsv" | "json" (a Data Kiosk document is stored as "jsonl")
    needs_dates: bool
    max_range_days: int | None  # dataEnd - dataStart limit, enforced by the service and the panel
    max_age_days: int | None  # how far back dataStartTime may reach
    single_marketplace: bool  # the product asks one marketplace per request for this type
    report_options: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    datakiosk: DataKioskEquivalent | None = None
    tables: tuple[str, ...] = ()
    loader: RowLoader | None = None


SALES_AND_TRAFFIC = ReportKind(
    report_type="GET_SALES_AND_TRAFFIC_REPORT",
    title="Sales and traffic",
    description="Sales, units, sessions and page views per day and per child ASIN (Business Reports).",
    requestable=True,
    format="json",
    content_type=JSON,
    file_extension="json",
    needs_dates=True,
    # sellerSalesAndTrafficReport.json (dataStartTime): "If the start date of the report is more
    # than two years ago, the report will be cancelled"; the Data Kiosk schema says the same of
    # startDate. Amazon sets no other range limit: the range is bounded by the age.
    max_range_days=730,
    max_age_days=730,
    # sellerSalesAndTrafficReport.json (marketplaceIds): "This report type supports only one
    # marketplaceId per report. Specifying multiple marketplaces will result in failure".
    single_marketplace=True,
    report_options=MappingProxyType({"dateGranularity": "DAY", "asinGranularity": "CHILD"}),
    datakiosk=DataKioskEquivalent("analytics_salesAndTraffic_2024_04_24"),
    tables=(SALES_TRAFFIC_BY_DATE.name, SALES_TRAFFIC_BY_ASIN.name),
    loader=SALES_AND_TRAFFIC_LOADER,
)

FBA_INVENTORY_KIND = ReportKind(
    report_type="GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
    title="FBA inventory",
    description="Current FBA stock per SKU: fulfillable, reserved, unsellable and inbound quantities.",
    requestable=True,
    format="tsv",
    content_type=TSV,
    file_extension="tsv",
    # A snapshot of now: Amazon ignores a data range for it.
    needs_dates=False,
    max_range_days=None,
    max_age_days=None,
    # Its rows name no marketplace: one per request, so each row's marketplace is known.
    single_marketplace=True,
    tables=(FBA_INVENTORY.name,),
    loader=FBA_INVENTORY_LOADER,
)

LISTINGS_KIND = ReportKind(
    report_type="GET_MERCHANT_LISTINGS_ALL_DATA",
    title="All listings",
    description="Every listing of the marketplace (active and inactive) with its price, quantity and status.",
    requestable=True,
    format="tsv",
    content_type=TSV,
    file_extension="tsv",
    needs_dates=False,  # a snapshot, as inventory
    max_range_days=None,
    max_age_days=None,
    single_marketplace=True,  # listings reports are per marketplace; their rows name none
    tables=(LISTINGS.name,),
    loader=LISTINGS_LOADER,
)

FBA_RETURNS_KIND = ReportKind(
    report_type="GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
    title="FBA customer returns",
    description="Units customers returned to Amazon's fulfillment centers, with reason and disposition.",
    requestable=True,
    format="tsv",
    content_type=TSV,
    file_extension="tsv",
    needs_dates=True,
    # Amazon's report-type page gives no limit for this type. These are the product's own,
    # conservative ones: Seller Central's FBA reports keep 18 months of history, and requests of
    # more than about 90 days are where sellers report slow or CANCELLED returns reports.
    max_range_days=90,
    max_age_days=540,
    single_marketplace=True,  # rows name no marketplace
    tables=(FBA_RETURNS.name,),
    loader=FBA_RETURNS_LOADER,
)

SETTLEMENT_KIND = ReportKind(
    report_type="GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2",
    title="Settlements",
    description="Each settlement period's deposit and every line in it: sales, fees, refunds, adjustments.",
    # Amazon generates one per settlement period (about every 14 days); createReport refuses it.
    # The reports flow finds them with getReports and loads them as they appear.
    requestable=False,
    format="tsv",
    content_type=TSV,
    file_extension="tsv",
    needs_dates=False,
    max_range_days=None,
    max_age_days=None,
    # A settlement covers the seller's account in a region; lines name their marketplace.
    single_marketplace=False,
    tables=(SETTLEMENT_LINES.name,),
    loader=SETTLEMENT_LOADER,
)


def _order_report(report_type: str, title: str, description: str) -> ReportKind:
    return ReportKind(
        report_type=report_type,
        title=title,
        description=description,
        # The orders sync asks for these itself, window by window, and loads them into orders.
        requestable=False,
        format="tsv",
        content_type=TSV,
        file_extension="tsv",
        needs_dates=True,
        # The orders sync's own bounds (sync/planner.py HISTORY and REPORT_WINDOW): Amazon keeps
        # two years of orders, and answers longer windows with an empty file, not an error.
        max_range_days=30,
        max_age_days=730,
        single_marketplace=False,
        tables=("orders", "order_items"),
        loader=None,
    )


CATALOGUE: dict[str, ReportKind] = {
    kind.report_type: kind
    for kind in (
        SALES_AND_TRAFFIC,
        FBA_INVENTORY_KIND,
        LISTINGS_KIND,
        FBA_RETURNS_KIND,
        SETTLEMENT_KIND,
        _order_report(
            "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
            "Orders by order date",
            "Every order item purchased in the range (the orders sync's backfill).",
        ),
        _order_report(
            "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
            "Orders by last update",
            "Every order item changed in the range (the orders sync's catch-up).",
        ),
    )
}


def get_kind(report_type: str) -> ReportKind:
    """The catalogue's entry; raises KeyError for a type the product does not support."""
    return CATALOGUE[report_type]
