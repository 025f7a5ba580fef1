"""order_day_totals: orders and revenue per UTC purchase day, for exact and cheap list totals;
orders and order lines keep only the indexes a query uses.

Filled here from the orders already stored; from then on the orders upsert keeps it. The orders
index on (connection, marketplace, last update) served nothing but the cascade from connections;
(connection, marketplace, purchase date) serves the cascade and the day totals' recompute. The
order lines' (tenant, ASIN) index served no query and cost ~13% of the bulk upsert
(bench/b2_ingest.py); a product view that needs it can bring it back.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 07:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_day_totals",
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("marketplace_id", sa.String(length=30), nullable=False),
        sa.Column("order_status", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("priced_orders", sa.Integer(), nullable=False),
        sa.Column("order_total", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_order_day_totals_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_order_day_totals_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id",
            "connection_id",
            "marketplace_id",
            "order_status",
            "day",
            "currency",
            name=op.f("pk_order_day_totals"),
        ),
    )
    op.create_index("ix_order_day_totals_tenant_day", "order_day_totals", ["tenant_id", "day"], unique=False)
    op.create_index(
        "ix_orders_connection_marketplace_purchase_date",
        "orders",
        ["connection_id", "marketplace_id", "purchase_date"],
        unique=False,
    )
    op.drop_index("ix_orders_connection_marketplace_last_update", table_name="orders")
    op.drop_index("ix_order_items_tenant_asin", table_name="order_items")
    op.execute(
        """
        INSERT INTO order_day_totals (tenant_id, connection_id, marketplace_id, order_status, day, currency,
                                      orders, priced_orders, order_total)
        SELECT tenant_id, connection_id, marketplace_id, order_status,
               (purchase_date AT TIME ZONE 'UTC')::date, coalesce(currency, ''),
               count(*), count(order_total), coalesce(sum(order_total), 0)
        FROM orders
        GROUP BY 1, 2, 3, 4, 5, 6
        """
    )


def downgrade() -> None:
    op.create_index("ix_order_items_tenant_asin", "order_items", ["tenant_id", "asin"], unique=False)
    op.create_index(
        "ix_orders_connection_marketplace_last_update",
        "orders",
        ["connection_id", "marketplace_id", "last_update_date"],
        unique=False,
    )
    op.drop_index("ix_orders_connection_marketplace_purchase_date", table_name="orders")
    op.drop_index("ix_order_day_totals_tenant_day", table_name="order_day_totals")
    op.drop_table("order_day_totals")
