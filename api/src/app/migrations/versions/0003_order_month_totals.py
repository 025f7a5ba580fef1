"""order_month_totals: the day totals summed per calendar month, so an unfiltered list total reads
~24 rows per (marketplace, status, currency) instead of ~730.

Filled here from the day totals already stored; from then on the orders upsert keeps it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 11:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_month_totals",
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("marketplace_id", sa.String(length=30), nullable=False),
        sa.Column("order_status", sa.String(length=40), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("priced_orders", sa.Integer(), nullable=False),
        sa.Column("order_total", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_order_month_totals_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_order_month_totals_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id",
            "connection_id",
            "marketplace_id",
            "order_status",
            "month",
            "currency",
            name=op.f("pk_order_month_totals"),
        ),
    )
    op.create_index(
        "ix_order_month_totals_tenant_month", "order_month_totals", ["tenant_id", "month"], unique=False
    )
    op.execute(
        """
        INSERT INTO order_month_totals (tenant_id, connection_id, marketplace_id, order_status, month,
                                        currency, orders, priced_orders, order_total)
        SELECT tenant_id, connection_id, marketplace_id, order_status, date_trunc('month', day)::date,
               currency, sum(orders), sum(priced_orders), sum(order_total)
        FROM order_day_totals
        GROUP BY 1, 2, 3, 4, 5, 6
        """
    )


def downgrade() -> None:
    op.drop_index("ix_order_month_totals_tenant_month", table_name="order_month_totals")
    op.drop_table("order_month_totals")
