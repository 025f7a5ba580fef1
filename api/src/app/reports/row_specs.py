"""The row tables of the report catalogue, described once: their columns (staging type for the bulk
upsert, label and type for the rows API), natural key, and the keyset order the panel pages in.

The models (`row_models.py`) declare the same tables for the schema; `tests/reports/test_row_specs.py`
holds the two together. Every table also has `tenant_id`, `connection_id`, `report_id` (the last
report that wrote the row) and `updated_at`, which are not listed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ApiType = Literal["text", "number", "money", "date", "datetime", "percent"]
# Staging types of the bulk upsert (PostgreSQL's names, as COPY BINARY needs them).
PgType = Literal["text", "integer", "bigint", "numeric", "date", "timestamptz", "boolean"]


@dataclass(frozen=True)
class Col:
    key: str
    pg: PgType
    label: str
    api: ApiType
    # A source that does not carry the column (the Reports API's by-ASIN section lacks the shipped
    # and refund figures Data Kiosk has) leaves the stored value instead of erasing it.
    keep_when_null: bool = False
    # Not served by the rows API (a key's internals).
    hidden: bool = False


@dataclass(frozen=True)
class RowTable:
    name: str
    columns: tuple[Col, ...]
    # The natural key after (tenant_id, connection_id): the same row from any document or adapter.
    key: tuple[str, ...]
    # Keyset paging: (sort, id), newest first when `descending`.
    sort: str
    descending: bool
    # What `date_from` / `date_to` filter (a date or timestamptz column), and what `sku` matches.
    date_column: str | None
    sku_columns: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def column(self, key: str) -> Col:
        return next(c for c in self.columns if c.key == key)


def _c(key: str, pg: PgType, label: str, api: ApiType | None = None, **kw: bool) -> Col:
    default: dict[str, ApiType] = {
        "text": "text",
        "integer": "number",
        "bigint": "number",
        "numeric": "number",
        "date": "date",
        "timestamptz": "datetime",
        "boolean": "text",
    }
    return Col(key, pg, label, api or default[pg], **kw)


def _money(key: str, label: str, **kw: bool) -> Col:
    return Col(key, "numeric", label, "money", **kw)


def _pct(key: str, label: str, **kw: bool) -> Col:
    return Col(key, "numeric", label, "percent", **kw)


MARKETPLACE = _c("marketplace_id", "text", "Marketplace")
CURRENCY = _c("currency", "text", "Currency")

SALES_TRAFFIC_BY_DATE = RowTable(
    name="report_sales_traffic_by_date",
    columns=(
        MARKETPLACE,
        _c("granularity", "text", "Granularity"),
        _c("start_date", "date", "Date"),
        _c("end_date", "date", "Until"),
        CURRENCY,
        _money("ordered_product_sales", "Ordered product sales"),
        _money("ordered_product_sales_b2b", "Ordered product sales (B2B)"),
        _c("units_ordered", "integer", "Units ordered"),
        _c("units_ordered_b2b", "integer", "Units ordered (B2B)"),
        _c("total_order_items", "integer", "Order items"),
        _c("total_order_items_b2b", "integer", "Order items (B2B)"),
        _money("average_sales_per_order_item", "Average sales per order item"),
        _c("average_units_per_order_item", "numeric", "Average units per order item"),
        _money("average_selling_price", "Average selling price"),
        _c("units_refunded", "integer", "Units refunded"),
        _pct("refund_rate", "Refund rate"),
        _c("claims_granted", "integer", "A-to-z claims granted"),
        _money("claims_amount", "A-to-z claims amount"),
        _money("shipped_product_sales", "Shipped product sales"),
        _c("units_shipped", "integer", "Units shipped"),
        _c("orders_shipped", "integer", "Orders shipped"),
        _c("browser_page_views", "integer", "Browser page views"),
        _c("mobile_app_page_views", "integer", "Mobile app page views"),
        _c("page_views", "integer", "Page views"),
        _c("browser_sessions", "integer", "Browser sessions"),
        _c("mobile_app_sessions", "integer", "Mobile app sessions"),
        _c("sessions", "integer", "Sessions"),
        _pct("buy_box_percentage", "Buy Box percentage"),
        _pct("order_item_session_percentage", "Order item session percentage"),
        _pct("unit_session_percentage", "Unit session percentage"),
        _c("average_offer_count", "integer", "Average offer count"),
        _c("average_parent_items", "integer", "Average parent items"),
        _c("feedback_received", "integer", "Feedback received"),
        _c("negative_feedback_received", "integer", "Negative feedback received"),
        _pct("received_negative_feedback_rate", "Negative feedback rate"),
        _c("source", "text", "Via"),
    ),
    key=("marketplace_id", "granularity", "start_date"),
    sort="start_date",
    descending=True,
    date_column="start_date",
    sku_columns=(),
)

SALES_TRAFFIC_BY_ASIN = RowTable(
    name="report_sales_traffic_by_asin",
    columns=(
        MARKETPLACE,
        _c("granularity", "text", "ASIN granularity"),
        _c("start_date", "date", "From"),
        _c("end_date", "date", "Until"),
        _c("parent_asin", "text", "Parent ASIN"),
        # '' when the granularity does not give it (a PARENT report has no child ASIN): part of the key.
        _c("child_asin", "text", "Child ASIN"),
        _c("sku", "text", "SKU"),
        CURRENCY,
        _money("ordered_product_sales", "Ordered product sales"),
        _money("ordered_product_sales_b2b", "Ordered product sales (B2B)"),
        _c("units_ordered", "integer", "Units ordered"),
        _c("units_ordered_b2b", "integer", "Units ordered (B2B)"),
        _c("total_order_items", "integer", "Order items"),
        _c("total_order_items_b2b", "integer", "Order items (B2B)"),
        # Data Kiosk only (the report's salesByAsin has none of these).
        _money("shipped_product_sales", "Shipped product sales", keep_when_null=True),
        _c("units_shipped", "integer", "Units shipped", keep_when_null=True),
        _c("orders_shipped", "integer", "Orders shipped", keep_when_null=True),
        _c("units_refunded", "integer", "Units refunded", keep_when_null=True),
        _pct("refund_rate", "Refund rate", keep_when_null=True),
        _c("browser_sessions", "integer", "Browser sessions"),
        _c("mobile_app_sessions", "integer", "Mobile app sessions"),
        _c("sessions", "integer", "Sessions"),
        _pct("browser_session_percentage", "Browser session percentage"),
        _pct("mobile_app_session_percentage", "Mobile app session percentage"),
        _pct("session_percentage", "Session percentage"),
        _c("browser_page_views", "integer", "Browser page views"),
        _c("mobile_app_page_views", "integer", "Mobile app page views"),
        _c("page_views", "integer", "Page views"),
        _pct("browser_page_views_percentage", "Browser page views percentage"),
        _pct("mobile_app_page_views_percentage", "Mobile app page views percentage"),
        _pct("page_views_percentage", "Page views percentage"),
        _pct("buy_box_percentage", "Buy Box percentage"),
        _pct("unit_session_percentage", "Unit session percentage"),
        _c("source", "text", "Via"),
    ),
    key=("marketplace_id", "granularity", "start_date", "end_date", "parent_asin", "child_asin", "sku"),
    sort="start_date",
    descending=True,
    date_column="start_date",
    sku_columns=("sku", "child_asin", "parent_asin"),
)

FBA_INVENTORY = RowTable(
    name="report_fba_inventory",
    columns=(
        MARKETPLACE,
        _c("sku", "text", "SKU"),
        _c("fnsku", "text", "FNSKU"),
        _c("asin", "text", "ASIN"),
        _c("product_name", "text", "Product"),
        _c("condition", "text", "Condition"),
        CURRENCY,
        _money("your_price", "Your price"),
        _c("mfn_listing_exists", "boolean", "MFN listing"),
        _c("mfn_fulfillable_quantity", "integer", "MFN fulfillable"),
        _c("afn_listing_exists", "boolean", "AFN listing"),
        _c("afn_warehouse_quantity", "integer", "AFN warehouse"),
        _c("afn_fulfillable_quantity", "integer", "AFN fulfillable"),
        _c("afn_unsellable_quantity", "integer", "AFN unsellable"),
        _c("afn_reserved_quantity", "integer", "AFN reserved"),
        _c("afn_total_quantity", "integer", "AFN total"),
        _c("per_unit_volume", "numeric", "Per-unit volume"),
        _c("afn_inbound_working_quantity", "integer", "Inbound working"),
        _c("afn_inbound_shipped_quantity", "integer", "Inbound shipped"),
        _c("afn_inbound_receiving_quantity", "integer", "Inbound receiving"),
        _c("afn_researching_quantity", "integer", "Researching"),
        _c("afn_reserved_future_supply", "integer", "Reserved future supply"),
        _c("afn_future_supply_buyable", "integer", "Future supply buyable"),
    ),
    key=("marketplace_id", "sku"),
    sort="sku",
    descending=False,
    date_column=None,
    sku_columns=("sku", "asin", "fnsku"),
)

LISTINGS = RowTable(
    name="report_listings",
    columns=(
        MARKETPLACE,
        _c("seller_sku", "text", "SKU"),
        _c("listing_id", "text", "Listing id"),
        _c("asin", "text", "ASIN"),
        _c("item_name", "text", "Title"),
        CURRENCY,
        _money("price", "Price"),
        _c("quantity", "integer", "Quantity"),
        _c("open_date", "timestamptz", "Opened"),
        _c("item_condition", "text", "Condition"),
        _c("product_id", "text", "Product id"),
        _c("product_id_type", "text", "Product id type"),
        _c("fulfillment_channel", "text", "Fulfillment channel"),
        _c("merchant_shipping_group", "text", "Shipping group"),
        _c("pending_quantity", "integer", "Pending quantity"),
        _c("status", "text", "Status"),
    ),
    key=("marketplace_id", "seller_sku"),
    sort="seller_sku",
    descending=False,
    date_column="open_date",
    sku_columns=("seller_sku", "asin"),
)

FBA_RETURNS = RowTable(
    name="report_fba_returns",
    columns=(
        MARKETPLACE,
        # The license plate number when Amazon gives one (one per returned unit), otherwise the
        # line's order, SKU, date, centre and disposition with its occurrence (see row_mapping.py).
        _c("line_key", "text", "Line", hidden=True),
        _c("return_date", "timestamptz", "Returned"),
        _c("order_id", "text", "Order"),
        _c("sku", "text", "SKU"),
        _c("asin", "text", "ASIN"),
        _c("fnsku", "text", "FNSKU"),
        _c("product_name", "text", "Product"),
        _c("quantity", "integer", "Quantity"),
        _c("fulfillment_center_id", "text", "Fulfillment center"),
        _c("detailed_disposition", "text", "Disposition"),
        _c("reason", "text", "Reason"),
        _c("status", "text", "Status"),
        _c("license_plate_number", "text", "License plate number"),
    ),
    key=("line_key",),
    sort="return_date",
    descending=True,
    date_column="return_date",
    sku_columns=("sku", "asin", "fnsku"),
)

SETTLEMENT_LINES = RowTable(
    name="report_settlement_lines",
    columns=(
        MARKETPLACE,
        _c("settlement_id", "text", "Settlement"),
        # The line's place in the settlement's document: a settlement's document never changes, and
        # two identical fee lines are two lines, so the content cannot be the key.
        _c("line_no", "integer", "Line"),
        _c("settlement_start_date", "timestamptz", "Settlement start"),
        _c("settlement_end_date", "timestamptz", "Settlement end"),
        _c("deposit_date", "timestamptz", "Deposit date"),
        _money("total_amount", "Total amount"),
        CURRENCY,
        _c("transaction_type", "text", "Transaction type"),
        _c("order_id", "text", "Order"),
        _c("merchant_order_id", "text", "Merchant order"),
        _c("adjustment_id", "text", "Adjustment"),
        _c("shipment_id", "text", "Shipment"),
        _c("marketplace_name", "text", "Marketplace name"),
        _c("amount_type", "text", "Amount type"),
        _c("amount_description", "text", "Amount description"),
        _money("amount", "Amount"),
        _c("fulfillment_id", "text", "Fulfillment"),
        _c("posted_date", "date", "Posted"),
        _c("posted_date_time", "timestamptz", "Posted at"),
        _c("order_item_code", "text", "Order item code"),
        _c("merchant_order_item_id", "text", "Merchant order item"),
        _c("merchant_adjustment_item_id", "text", "Merchant adjustment item"),
        _c("sku", "text", "SKU"),
        _c("quantity_purchased", "integer", "Quantity"),
        _c("promotion_id", "text", "Promotion"),
    ),
    key=("settlement_id", "line_no"),
    sort="settlement_end_date",
    descending=True,
    date_column="settlement_end_date",
    sku_columns=("sku",),
)


def unique_columns(spec: RowTable) -> tuple[str, ...]:
    """The natural key's unique index: (tenant_id, the sort column when it is part of the key,
    connection_id, the rest of the key). The tenant is implied by the connection, so this is unique
    exactly when (connection_id, key) is."""
    head = (spec.sort,) if spec.sort in spec.key else ()
    return ("tenant_id", *head, "connection_id", *(k for k in spec.key if k not in head))


ROW_TABLES: dict[str, RowTable] = {
    t.name: t
    for t in (
        SALES_TRAFFIC_BY_DATE,
        SALES_TRAFFIC_BY_ASIN,
        FBA_INVENTORY,
        LISTINGS,
        FBA_RETURNS,
        SETTLEMENT_LINES,
    )
}
