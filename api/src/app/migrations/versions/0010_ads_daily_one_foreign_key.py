"""The Ads daily report tables: one foreign key per row, (tenant_id, profile_id) to the profile's
own, instead of two (the profile's, and the tenant's again).

Each foreign key is checked for every row written, and a backfill writes hundreds of thousands per
window: the key to `tenants` took as long as the row's own insert (EXPLAIN ANALYZE of a merge of
10,000 rows: 37 ms of 172), and checked again what the profile's key already implies (its
profile's tenant). Deleting a tenant still deletes the rows, through its profiles.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-12 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("ads_sp_advertised_product_daily", "ads_sp_purchased_product_daily")


def upgrade() -> None:
    for table in TABLES:
        op.drop_constraint(op.f(f"fk_{table}_tenant_id_tenants"), table, type_="foreignkey")


def downgrade() -> None:
    for table in TABLES:
        op.create_foreign_key(
            op.f(f"fk_{table}_tenant_id_tenants"), table, "tenants", ["tenant_id"], ["id"], ondelete="CASCADE"
        )
