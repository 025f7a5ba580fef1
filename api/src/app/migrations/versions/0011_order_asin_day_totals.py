"""order_asin_day_totals: sales per ASIN and reporting day of each marketplace (its Ads time
zone), kept by the orders upsert, so the Ads figures (total sales, TACOS) read days instead of
joining every order line of a range (~2 us of PostgreSQL per line: bench/b10_ads_read.py); and
statistics that tell the planner a profile's rows are one tenant's.

Filled here from the orders already stored (the time zones as `app.connections.amazon` lists them
today). Without the dependency statistics the planner multiplied the selectivities of tenant and
profile, expected ~16 rows of a profile where there were ~5,000, and sorted them to group them.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-12 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REPORTING_TIME_ZONES = """
    ('ATVPDKIKX0DER', 'America/Los_Angeles'),
    ('A2EUQ1WTGCTBG2', 'America/Los_Angeles'),
    ('A1AM78C64UM0Y8', 'America/Los_Angeles'),
    ('A2Q3Y263D00KWC', 'America/Sao_Paulo'),
    ('A1F83G8C2ARO7P', 'Europe/London'),
    ('A1PA6795UKMFR9', 'Europe/Paris'),
    ('A13V1IB3VIYZZH', 'Europe/Paris'),
    ('APJ6JRA9NG5V4', 'Europe/Paris'),
    ('A1RKKUPIHCS9HS', 'Europe/Paris'),
    ('A1805IZSGTT6HS', 'Europe/Amsterdam'),
    ('A2NODRKZP88ZB9', 'Europe/Stockholm'),
    ('A1C3SOZRARQ6R3', 'Europe/Warsaw'),
    ('AMEN7PMS3EDWL', 'Europe/Brussels'),
    ('A28R8C7NBKEWEA', 'Europe/Dublin'),
    ('A33AVAJ2PDY3EV', 'Europe/Istanbul'),
    ('A2VIGQ35RCS4UG', 'Asia/Dubai'),
    ('A17E79C6D8DWNP', 'Asia/Riyadh'),
    ('ARBP9OOSHTCHU', 'Africa/Cairo'),
    ('AE08WJ6YKNBMC', 'Africa/Johannesburg'),
    ('A21TJRUUN4KGV', 'Asia/Kolkata'),
    ('A1VC38T7YXB528', 'Asia/Tokyo'),
    ('A39IBJ37TRP1C6', 'Australia/Sydney'),
    ('A19VAU5U5O7RUS', 'Asia/Singapore')
"""
STATISTICS = {
    "st_ads_sp_advertised_product_daily_tenant_profile": "ads_sp_advertised_product_daily",
    "st_ads_sp_purchased_product_daily_tenant_profile": "ads_sp_purchased_product_daily",
}


def upgrade() -> None:
    op.create_table(
        "order_asin_day_totals",
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("marketplace_id", sa.String(length=30), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("asin", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("sales", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_order_asin_day_totals_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_order_asin_day_totals_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id",
            "connection_id",
            "marketplace_id",
            "day",
            "asin",
            "currency",
            name=op.f("pk_order_asin_day_totals"),
            postgresql_include=["sales"],
        ),
    )
    op.execute(
        f"""
        INSERT INTO order_asin_day_totals (tenant_id, connection_id, marketplace_id, day, asin, currency,
                                           sales, units)
        SELECT o.tenant_id, o.connection_id, o.marketplace_id, (o.purchase_date AT TIME ZONE z.zone)::date,
               coalesce(oi.asin, ''), coalesce(oi.currency, ''), sum(oi.item_price), sum(oi.quantity_ordered)
        FROM orders o
        JOIN (VALUES {REPORTING_TIME_ZONES}) AS z(marketplace_id, zone) ON z.marketplace_id = o.marketplace_id
        JOIN order_items oi ON oi.tenant_id = o.tenant_id AND oi.order_id = o.id
        WHERE o.order_status <> 'CANCELLED' AND oi.item_price IS NOT NULL
        GROUP BY 1, 2, 3, 4, 5, 6
        """
    )
    for name, table in STATISTICS.items():
        op.execute(
            f"CREATE STATISTICS {name} (dependencies, ndistinct) ON tenant_id, profile_id FROM {table}"
        )
        op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    for name in STATISTICS:
        op.execute(f"DROP STATISTICS IF EXISTS {name}")
    op.drop_table("order_asin_day_totals")
