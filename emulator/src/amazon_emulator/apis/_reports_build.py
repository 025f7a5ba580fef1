"""What a createReport produces, per report type: the outcome (DONE / CANCELLED / FATAL) and the document.

The report types the emulator builds from the seller's data are :data:`BUILT`. Other report types Amazon
accepts (:data:`ACCEPTED`) are created too and end CANCELLED, Amazon's "no data" outcome, so a client that
asks for them sees Amazon's flow rather than a 400. Settlements are only created by Amazon
(:mod:`._settlements`): createReport refuses them. Unknown types are refused with 400.

Limits Amazon documents: flat-file order reports cover at most 30 days (FATAL with an error document);
sales and traffic supports exactly one marketplace per report (FATAL otherwise) and is CANCELLED when its
start is more than two years ago (``sellerSalesAndTrafficReport.json``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from amazon_emulator.apis import _reports_catalog as catalog
from amazon_emulator.apis import _reports_content as content
from amazon_emulator.apis import _sales_traffic as sales_traffic
from amazon_emulator.apis._jobs import CANCELLED, DONE, FATAL
from amazon_emulator.apis._listing_changes import NO_CHANGES, ListingChange
from amazon_emulator.apis._settlements import SETTLEMENT
from amazon_emulator.data.models import Seller
from amazon_emulator.errors import invalid_input

MAX_ORDER_REPORT_DAYS = 30
SALES_HISTORY_DAYS = 730
SNAPSHOTS = (catalog.LISTINGS, catalog.INVENTORY)
BUILT = (*content.ORDER_REPORTS, content.SALES_AND_TRAFFIC, *SNAPSHOTS, catalog.RETURNS)
# Report types of Amazon's report type values page the emulator accepts without building their content.
ACCEPTED = frozenset(
    """
    GET_AFN_INVENTORY_DATA GET_AFN_INVENTORY_DATA_BY_COUNTRY GET_FBA_INVENTORY_PLANNING_DATA
    GET_FBA_MYI_ALL_INVENTORY_DATA GET_FBA_STORAGE_FEE_CHARGES_DATA GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA
    GET_FBA_REIMBURSEMENTS_DATA GET_FBA_FULFILLMENT_CUSTOMER_SHIPMENT_SALES_DATA
    GET_FBA_FULFILLMENT_CUSTOMER_SHIPMENT_PROMOTION_DATA GET_FBA_FULFILLMENT_CUSTOMER_TAXES_DATA
    GET_FBA_FULFILLMENT_REMOVAL_ORDER_DETAIL_DATA GET_FBA_FULFILLMENT_REMOVAL_SHIPMENT_DETAIL_DATA
    GET_FBA_FULFILLMENT_CURRENT_INVENTORY_DATA GET_FBA_FULFILLMENT_MONTHLY_INVENTORY_DATA
    GET_FBA_FULFILLMENT_INVENTORY_RECEIPTS_DATA GET_FBA_FULFILLMENT_INVENTORY_SUMMARY_DATA
    GET_FBA_FULFILLMENT_INVENTORY_ADJUSTMENTS_DATA GET_FBA_FULFILLMENT_INVENTORY_HEALTH_DATA
    GET_FBA_RECOMMENDED_REMOVAL_DATA GET_FBA_STRANDED_INVENTORY_UI_DATA GET_FBA_SNS_FORECAST_DATA
    GET_FBA_SNS_PERFORMANCE_DATA GET_FBA_OVERAGE_FEE_CHARGES_DATA GET_LEDGER_SUMMARY_VIEW_DATA
    GET_LEDGER_DETAIL_VIEW_DATA GET_RESERVED_INVENTORY_DATA GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT
    GET_STRANDED_INVENTORY_UI_DATA GET_EXCESS_INVENTORY_DATA GET_FLAT_FILE_OPEN_LISTINGS_DATA
    GET_MERCHANT_LISTINGS_DATA GET_MERCHANT_LISTINGS_INACTIVE_DATA
    GET_MERCHANT_LISTINGS_DATA_BACK_COMPAT GET_MERCHANT_LISTINGS_DATA_LITE
    GET_MERCHANT_LISTINGS_DATA_LITER GET_MERCHANT_CANCELLED_LISTINGS_DATA
    GET_MERCHANTS_LISTINGS_FYP_REPORT GET_REFERRAL_FEE_PREVIEW_REPORT
    GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE GET_XML_RETURNS_DATA_BY_RETURN_DATE
    GET_FLAT_FILE_PENDING_ORDERS_DATA GET_PENDING_ORDERS_DATA
    GET_CONVERGED_FLAT_FILE_PENDING_ORDERS_DATA GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING
    GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING GET_FLAT_FILE_ORDER_REPORT_DATA_INVOICING
    GET_FLAT_FILE_ORDER_REPORT_DATA_TAX GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_SHIPPING
    GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_INVOICING GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_TAX
    GET_XML_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL GET_XML_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL
    GET_FLAT_FILE_ARCHIVED_ORDERS_DATA_BY_ORDER_DATE GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL
    GET_AMAZON_FULFILLED_SHIPMENTS_DATA_INVOICING GET_AMAZON_FULFILLED_SHIPMENTS_DATA_TAX
    GET_FBA_FULFILLMENT_CUSTOMER_SHIPMENT_REPLACEMENT_DATA GET_SELLER_FEEDBACK_DATA
    GET_V2_SELLER_PERFORMANCE_REPORT GET_V1_SELLER_PERFORMANCE_REPORT GET_PROMOTION_PERFORMANCE_REPORT
    GET_COUPON_PERFORMANCE_REPORT GET_BRAND_ANALYTICS_SEARCH_TERMS_REPORT
    GET_BRAND_ANALYTICS_MARKET_BASKET_REPORT GET_BRAND_ANALYTICS_REPEAT_PURCHASE_REPORT
    GET_BRAND_ANALYTICS_SEARCH_CATALOG_PERFORMANCE_REPORT
    GET_BRAND_ANALYTICS_SEARCH_QUERY_PERFORMANCE_REPORT GET_DATE_RANGE_FINANCIAL_TRANSACTION_DATA
    GET_B2B_PRODUCT_OPPORTUNITIES_RECOMMENDED_FOR_YOU GET_B2B_PRODUCT_OPPORTUNITIES_NOT_YET_ON_AMAZON
    GET_EPR_MONTHLY_REPORTS GET_EPR_QUARTERLY_REPORTS GET_EPR_ANNUAL_REPORTS
    GET_FLAT_FILE_SALES_TAX_DATA GET_VAT_TRANSACTION_DATA SC_VAT_TAX_REPORT GET_GST_MTR_B2B_CUSTOM
    GET_GST_MTR_B2C_CUSTOM GET_EASYSHIP_DOCUMENTS GET_EASYSHIP_PICKEDUP GET_EASYSHIP_WAITING_FOR_PICKUP
    FEE_DISCOUNTS_REPORT GET_ORDER_REPORT_DATA_INVOICING GET_ORDER_REPORT_DATA_TAX
    GET_ORDER_REPORT_DATA_SHIPPING GET_FLAT_FILE_ACTIONABLE_ORDER_DATA GET_ACCOUNT_HEALTH_REPORT
    MARKETPLACE_ASIN_PAGE_VIEW_METRICS GET_SALES_AND_TRAFFIC_REPORT_CUSTOM
    """.split()
)
_TSV = "text/tab-separated-values; charset=UTF-8"


def is_known(report_type: str) -> bool:
    """A report type Amazon has (built, accepted or Amazon's own settlements)."""
    return report_type in BUILT or report_type in ACCEPTED or report_type == SETTLEMENT


@dataclass
class Built:
    outcome: str
    data: bytes | None = None
    stream: Callable[[], Iterator[bytes]] | None = None
    content_type: str = ""


def fatal(message: str) -> Built:
    return Built(FATAL, content.error_document(message), content_type="application/json")


def check_type(report_type: str) -> None:
    """400 for report types createReport refuses."""
    if report_type == SETTLEMENT:
        raise invalid_input(
            f"Report type {report_type} cannot be requested: Amazon creates settlement reports on its "
            "own schedule; find them with getReports."
        )
    if not is_known(report_type):
        raise invalid_input(f"Invalid reportType: {report_type}.")


def check_options(report_type: str, options: dict[str, str]) -> None:
    if report_type != content.SALES_AND_TRAFFIC:
        return
    allowed = {"dateGranularity": ("DAY", "WEEK", "MONTH"), "asinGranularity": ("PARENT", "CHILD", "SKU")}
    for key, value in options.items():
        if key in allowed and value not in allowed[key]:
            raise invalid_input(f"Invalid reportOptions {key}: {value} (one of {', '.join(allowed[key])}).")


def default_start(report_type: str, end: float) -> float:
    if report_type == content.SALES_AND_TRAFFIC:
        return end - 86400.0
    if report_type in SNAPSHOTS:
        return end
    return end - MAX_ORDER_REPORT_DAYS * 86400.0


def build(
    seller: Seller, report_type: str, markets: list[str], start: float, end: float, options: dict[str, str],
    at: float, listing_count: int | None, listing_changes: Mapping[str, ListingChange] = NO_CHANGES,
) -> Built:  # fmt: skip
    """The outcome and document of a report created at ``at`` (``listing_changes``: what feeds applied to
    the listings of ``markets[0]``, as of ``at``)."""
    if report_type in content.ORDER_REPORTS:
        if end - start > MAX_ORDER_REPORT_DAYS * 86400 + 1:
            return fatal(f"The requested date range exceeds the maximum of {MAX_ORDER_REPORT_DAYS} days.")
        orders = content.orders_in_window(seller, report_type, start, end, markets, at)
        if not orders:
            return Built(CANCELLED)
        return Built(DONE, content.flat_file(orders, at), content_type=_TSV)
    if report_type == content.SALES_AND_TRAFFIC:
        if len(markets) != 1:
            return fatal("This report type supports only one marketplaceId per report.")
        first = datetime.fromtimestamp(start, UTC)
        if first.date() < date.fromtimestamp(at) - timedelta(days=SALES_HISTORY_DAYS):
            return Built(CANCELLED)  # "If the start date of the report is more than two years ago"
        report = sales_traffic.report(
            seller, markets[0], first, datetime.fromtimestamp(end, UTC), options, at
        )
        if report is None:
            return Built(CANCELLED)
        return Built(DONE, json.dumps(report).encode(), content_type="application/json")
    if report_type in SNAPSHOTS:
        chunks = catalog.listings_chunks if report_type == catalog.LISTINGS else catalog.inventory_chunks
        market, count = markets[0], listing_count
        if count == 0 or (count is None and not seller.catalogue):
            return Built(CANCELLED)

        def stream() -> Iterator[bytes]:
            return chunks(seller, market, count, at, listing_changes)

        return Built(DONE, stream=stream, content_type=_TSV)
    if report_type == catalog.RETURNS:
        data = catalog.returns_report(seller, markets, start, end, at)
        return Built(CANCELLED) if data is None else Built(DONE, data, content_type=_TSV)
    return Built(CANCELLED)  # accepted, not built: Amazon's "no data"
