"""Ads metrics through the sync engine: the Ads datasets' names in `sync_state.entity`
(`ads_structure`, `ads_advertised_product`, `ads_purchased_product`; the unused `ads_metrics` goes),
and the same-SKU conversions of spAdvertisedProduct (purchases of the advertised SKU itself, as
against the halo of other SKUs) at 7 and 14 days.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-11 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENTITIES = "'orders', 'ads_structure', 'ads_advertised_product', 'ads_purchased_product'"
OLD_ENTITIES = "'orders', 'ads_metrics', 'ads_structure'"
SAME_SKU_MONEY = ("sales_same_sku_7d", "sales_same_sku_14d")
SAME_SKU_COUNTS = (
    "purchases_same_sku_7d",
    "purchases_same_sku_14d",
    "units_same_sku_7d",
    "units_same_sku_14d",
)
TABLE = "ads_sp_advertised_product_daily"


def upgrade() -> None:
    op.drop_constraint(op.f("ck_sync_state_entity"), "sync_state", type_="check")
    op.create_check_constraint(op.f("ck_sync_state_entity"), "sync_state", f"entity IN ({ENTITIES})")
    for name in SAME_SKU_MONEY:
        op.add_column(TABLE, sa.Column(name, sa.Numeric(14, 2), server_default="0", nullable=False))
    for name in SAME_SKU_COUNTS:
        op.add_column(TABLE, sa.Column(name, sa.BigInteger(), server_default="0", nullable=False))


def downgrade() -> None:
    for name in (*SAME_SKU_COUNTS, *SAME_SKU_MONEY):
        op.drop_column(TABLE, name)
    op.execute("DELETE FROM sync_state WHERE entity IN ('ads_advertised_product', 'ads_purchased_product')")
    op.drop_constraint(op.f("ck_sync_state_entity"), "sync_state", type_="check")
    op.create_check_constraint(op.f("ck_sync_state_entity"), "sync_state", f"entity IN ({OLD_ENTITIES})")
