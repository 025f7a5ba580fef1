"""The report row tables: the parsed rows of the report catalogue's types (sales and traffic by date
and by ASIN, FBA inventory, listings, FBA returns, settlement lines), each with its natural key for
the idempotent bulk upsert and an index for the rows API's keyset pages; and the unique (tenant_id,
id) of connections their foreign key refers to.

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-06 09:15:50
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Before the tables: their foreign keys refer to it.
    op.create_unique_constraint(op.f("uq_connections_tenant_id_id"), "connections", ["tenant_id", "id"])
    op.create_table(
        "report_fba_inventory",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("marketplace_id", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("sku", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("fnsku", sa.Text(), nullable=True),
        sa.Column("asin", sa.Text(), nullable=True),
        sa.Column("product_name", sa.Text(), nullable=True),
        sa.Column("condition", sa.Text(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("your_price", sa.Numeric(), nullable=True),
        sa.Column("mfn_listing_exists", sa.Boolean(), nullable=True),
        sa.Column("mfn_fulfillable_quantity", sa.Integer(), nullable=True),
        sa.Column("afn_listing_exists", sa.Boolean(), nullable=True),
        sa.Column("afn_warehouse_quantity", sa.Integer(), nullable=True),
        sa.Column("afn_fulfillable_quantity", sa.Integer(), nullable=True),
        sa.Column("afn_unsellable_quantity", sa.Integer(), nullable=True),
        sa.Column("afn_reserved_quantity", sa.Integer(), nullable=True),
        sa.Column("afn_total_quantity", sa.Integer(), nullable=True),
        sa.Column("per_unit_volume", sa.Numeric(), nullable=True),
        sa.Column("afn_inbound_working_quantity", sa.Integer(), nullable=True),
        sa.Column("afn_inbound_shipped_quantity", sa.Integer(), nullable=True),
        sa.Column("afn_inbound_receiving_quantity", sa.Integer(), nullable=True),
        sa.Column("afn_researching_quantity", sa.Integer(), nullable=True),
        sa.Column("afn_reserved_future_supply", sa.Integer(), nullable=True),
        sa.Column("afn_future_supply_buyable", sa.Integer(), nullable=True),
        sa.Column("report_id", sa.UUID(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_fba_inventory_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "connection_id"],
            ["connections.tenant_id", "connections.id"],
            name=op.f("fk_report_fba_inventory_tenant_id_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_fba_inventory")),
        sa.UniqueConstraint(
            "tenant_id", "sku", "connection_id", "marketplace_id", name=op.f("uq_rfba_inv_key")
        ),
    )
    op.create_table(
        "report_fba_returns",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("marketplace_id", sa.Text(), nullable=True),
        sa.Column("line_key", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("return_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_id", sa.Text(), nullable=True),
        sa.Column("sku", sa.Text(), nullable=True),
        sa.Column("asin", sa.Text(), nullable=True),
        sa.Column("fnsku", sa.Text(), nullable=True),
        sa.Column("product_name", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("fulfillment_center_id", sa.Text(), nullable=True),
        sa.Column("detailed_disposition", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("license_plate_number", sa.Text(), nullable=True),
        sa.Column("report_id", sa.UUID(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_fba_returns_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "connection_id"],
            ["connections.tenant_id", "connections.id"],
            name=op.f("fk_report_fba_returns_tenant_id_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_fba_returns")),
        sa.UniqueConstraint("tenant_id", "connection_id", "line_key", name=op.f("uq_rfba_ret_key")),
    )
    op.create_index(
        "ix_rfba_ret_keyset", "report_fba_returns", ["tenant_id", "return_date", "id"], unique=False
    )
    op.create_table(
        "report_listings",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("marketplace_id", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("seller_sku", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("listing_id", sa.Text(), nullable=True),
        sa.Column("asin", sa.Text(), nullable=True),
        sa.Column("item_name", sa.Text(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("price", sa.Numeric(), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("open_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("item_condition", sa.Text(), nullable=True),
        sa.Column("product_id", sa.Text(), nullable=True),
        sa.Column("product_id_type", sa.Text(), nullable=True),
        sa.Column("fulfillment_channel", sa.Text(), nullable=True),
        sa.Column("merchant_shipping_group", sa.Text(), nullable=True),
        sa.Column("pending_quantity", sa.Integer(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("report_id", sa.UUID(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_listings_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "connection_id"],
            ["connections.tenant_id", "connections.id"],
            name=op.f("fk_report_listings_tenant_id_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_listings")),
        sa.UniqueConstraint(
            "tenant_id", "seller_sku", "connection_id", "marketplace_id", name=op.f("uq_rlistings_key")
        ),
    )
    op.create_table(
        "report_sales_traffic_by_asin",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("marketplace_id", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("granularity", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("parent_asin", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("child_asin", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("sku", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("ordered_product_sales", sa.Numeric(), nullable=True),
        sa.Column("ordered_product_sales_b2b", sa.Numeric(), nullable=True),
        sa.Column("units_ordered", sa.Integer(), nullable=True),
        sa.Column("units_ordered_b2b", sa.Integer(), nullable=True),
        sa.Column("total_order_items", sa.Integer(), nullable=True),
        sa.Column("total_order_items_b2b", sa.Integer(), nullable=True),
        sa.Column("shipped_product_sales", sa.Numeric(), nullable=True),
        sa.Column("units_shipped", sa.Integer(), nullable=True),
        sa.Column("orders_shipped", sa.Integer(), nullable=True),
        sa.Column("units_refunded", sa.Integer(), nullable=True),
        sa.Column("refund_rate", sa.Numeric(), nullable=True),
        sa.Column("browser_sessions", sa.Integer(), nullable=True),
        sa.Column("mobile_app_sessions", sa.Integer(), nullable=True),
        sa.Column("sessions", sa.Integer(), nullable=True),
        sa.Column("browser_session_percentage", sa.Numeric(), nullable=True),
        sa.Column("mobile_app_session_percentage", sa.Numeric(), nullable=True),
        sa.Column("session_percentage", sa.Numeric(), nullable=True),
        sa.Column("browser_page_views", sa.Integer(), nullable=True),
        sa.Column("mobile_app_page_views", sa.Integer(), nullable=True),
        sa.Column("page_views", sa.Integer(), nullable=True),
        sa.Column("browser_page_views_percentage", sa.Numeric(), nullable=True),
        sa.Column("mobile_app_page_views_percentage", sa.Numeric(), nullable=True),
        sa.Column("page_views_percentage", sa.Numeric(), nullable=True),
        sa.Column("buy_box_percentage", sa.Numeric(), nullable=True),
        sa.Column("unit_session_percentage", sa.Numeric(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("report_id", sa.UUID(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("source IN ('report', 'datakiosk')", name=op.f("ck_rst_asin_source")),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_sales_traffic_by_asin_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "connection_id"],
            ["connections.tenant_id", "connections.id"],
            name=op.f("fk_report_sales_traffic_by_asin_tenant_id_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_sales_traffic_by_asin")),
        sa.UniqueConstraint(
            "tenant_id",
            "start_date",
            "connection_id",
            "marketplace_id",
            "granularity",
            "end_date",
            "parent_asin",
            "child_asin",
            "sku",
            name=op.f("uq_rst_asin_key"),
        ),
    )
    op.create_table(
        "report_sales_traffic_by_date",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("marketplace_id", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("granularity", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("ordered_product_sales", sa.Numeric(), nullable=True),
        sa.Column("ordered_product_sales_b2b", sa.Numeric(), nullable=True),
        sa.Column("units_ordered", sa.Integer(), nullable=True),
        sa.Column("units_ordered_b2b", sa.Integer(), nullable=True),
        sa.Column("total_order_items", sa.Integer(), nullable=True),
        sa.Column("total_order_items_b2b", sa.Integer(), nullable=True),
        sa.Column("average_sales_per_order_item", sa.Numeric(), nullable=True),
        sa.Column("average_units_per_order_item", sa.Numeric(), nullable=True),
        sa.Column("average_selling_price", sa.Numeric(), nullable=True),
        sa.Column("units_refunded", sa.Integer(), nullable=True),
        sa.Column("refund_rate", sa.Numeric(), nullable=True),
        sa.Column("claims_granted", sa.Integer(), nullable=True),
        sa.Column("claims_amount", sa.Numeric(), nullable=True),
        sa.Column("shipped_product_sales", sa.Numeric(), nullable=True),
        sa.Column("units_shipped", sa.Integer(), nullable=True),
        sa.Column("orders_shipped", sa.Integer(), nullable=True),
        sa.Column("browser_page_views", sa.Integer(), nullable=True),
        sa.Column("mobile_app_page_views", sa.Integer(), nullable=True),
        sa.Column("page_views", sa.Integer(), nullable=True),
        sa.Column("browser_sessions", sa.Integer(), nullable=True),
        sa.Column("mobile_app_sessions", sa.Integer(), nullable=True),
        sa.Column("sessions", sa.Integer(), nullable=True),
        sa.Column("buy_box_percentage", sa.Numeric(), nullable=True),
        sa.Column("order_item_session_percentage", sa.Numeric(), nullable=True),
        sa.Column("unit_session_percentage", sa.Numeric(), nullable=True),
        sa.Column("average_offer_count", sa.Integer(), nullable=True),
        sa.Column("average_parent_items", sa.Integer(), nullable=True),
        sa.Column("feedback_received", sa.Integer(), nullable=True),
        sa.Column("negative_feedback_received", sa.Integer(), nullable=True),
        sa.Column("received_negative_feedback_rate", sa.Numeric(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("report_id", sa.UUID(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("source IN ('report', 'datakiosk')", name=op.f("ck_rst_date_source")),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_sales_traffic_by_date_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "connection_id"],
            ["connections.tenant_id", "connections.id"],
            name=op.f("fk_report_sales_traffic_by_date_tenant_id_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_sales_traffic_by_date")),
        sa.UniqueConstraint(
            "tenant_id",
            "start_date",
            "connection_id",
            "marketplace_id",
            "granularity",
            name=op.f("uq_rst_date_key"),
        ),
    )
    op.create_table(
        "report_settlement_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("marketplace_id", sa.Text(), nullable=True),
        sa.Column("settlement_id", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("settlement_start_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settlement_end_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deposit_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("total_amount", sa.Numeric(), nullable=True),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("transaction_type", sa.Text(), nullable=True),
        sa.Column("order_id", sa.Text(), nullable=True),
        sa.Column("merchant_order_id", sa.Text(), nullable=True),
        sa.Column("adjustment_id", sa.Text(), nullable=True),
        sa.Column("shipment_id", sa.Text(), nullable=True),
        sa.Column("marketplace_name", sa.Text(), nullable=True),
        sa.Column("amount_type", sa.Text(), nullable=True),
        sa.Column("amount_description", sa.Text(), nullable=True),
        sa.Column("amount", sa.Numeric(), nullable=True),
        sa.Column("fulfillment_id", sa.Text(), nullable=True),
        sa.Column("posted_date", sa.Date(), nullable=True),
        sa.Column("posted_date_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("order_item_code", sa.Text(), nullable=True),
        sa.Column("merchant_order_item_id", sa.Text(), nullable=True),
        sa.Column("merchant_adjustment_item_id", sa.Text(), nullable=True),
        sa.Column("sku", sa.Text(), nullable=True),
        sa.Column("quantity_purchased", sa.Integer(), nullable=True),
        sa.Column("promotion_id", sa.Text(), nullable=True),
        sa.Column("report_id", sa.UUID(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["reports.id"],
            name=op.f("fk_report_settlement_lines_report_id_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "connection_id"],
            ["connections.tenant_id", "connections.id"],
            name=op.f("fk_report_settlement_lines_tenant_id_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_settlement_lines")),
        sa.UniqueConstraint(
            "tenant_id", "connection_id", "settlement_id", "line_no", name=op.f("uq_rsettle_key")
        ),
    )
    op.create_index(
        "ix_rsettle_keyset",
        "report_settlement_lines",
        ["tenant_id", "settlement_end_date", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_rsettle_keyset", table_name="report_settlement_lines")
    op.drop_table("report_settlement_lines")
    op.drop_table("report_sales_traffic_by_date")
    op.drop_table("report_sales_traffic_by_asin")
    op.drop_table("report_listings")
    op.drop_index("ix_rfba_ret_keyset", table_name="report_fba_returns")
    op.drop_table("report_fba_returns")
    op.drop_table("report_fba_inventory")
    op.drop_constraint(op.f("uq_connections_tenant_id_id"), "connections", type_="unique")
