"""The Ads daily report tables: their unique key becomes their primary key, and the surrogate `id`
(an identity column and its index) goes.

Nothing refers to a day's row by id, and for every row a backfill writes the id cost a sequence
value and a second index entry: a merge of 10,000 spAdvertisedProduct rows took 21 us of
PostgreSQL per row with it and 12 without (bench/b9_ads_ingest.py). The key's index stays the one
unique index the upsert's ON CONFLICT uses.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-13 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = {
    "ads_sp_advertised_product_daily": ("tenant_id", "profile_id", "date", "ad_id"),
    "ads_sp_purchased_product_daily": (
        "tenant_id",
        "profile_id",
        "date",
        "campaign_id",
        "ad_group_id",
        "advertised_asin",
        "advertised_sku",
        "purchased_asin",
    ),
}


def upgrade() -> None:
    for table, key in KEYS.items():
        op.drop_constraint(op.f(f"pk_{table}"), table, type_="primary")
        op.drop_column(table, "id")
        op.drop_constraint(op.f(f"uq_{table}_key"), table, type_="unique")
        op.create_primary_key(op.f(f"pk_{table}"), table, list(key))


def downgrade() -> None:
    for table, key in KEYS.items():
        op.drop_constraint(op.f(f"pk_{table}"), table, type_="primary")
        op.create_unique_constraint(op.f(f"uq_{table}_key"), table, list(key))
        op.add_column(table, sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False))
        op.create_primary_key(op.f(f"pk_{table}"), table, ["id"])
