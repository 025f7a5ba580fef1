"""Retention and per-tenant data keys.

* `connections.data_deletion_due_at`: when a disconnected (or revoked) connection's data is deleted.
* `tenant_keys`: each tenant's data key, encrypted by the master keys (envelope encryption).
* `tokens.encrypted_with`: existing refresh tokens are `master` (under ENCRYPTION_KEY, as before);
  they are re-encrypted under their tenant's key the first time they are read (lazily: a migration
  does not hold the application's keys). New tokens are written `tenant`.
* `order_address_cache`: the encrypted buyer-address cache (used only when PII_CACHE_DAYS > 0).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 22:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("connections", sa.Column("data_deletion_due_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_connections_data_deletion_due_at",
        "connections",
        ["data_deletion_due_at"],
        postgresql_where=sa.text("data_deletion_due_at IS NOT NULL"),
    )
    op.create_table(
        "tenant_keys",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("key_enc", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_tenant_keys_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_tenant_keys")),
    )
    op.add_column(
        "tokens",
        sa.Column("encrypted_with", sa.String(length=10), server_default=sa.text("'master'"), nullable=False),
    )
    op.create_check_constraint(
        op.f("ck_tokens_encrypted_with"), "tokens", "encrypted_with IN ('master', 'tenant')"
    )
    op.create_table(
        "order_address_cache",
        sa.Column("tenant_id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("payload_enc", sa.LargeBinary(), nullable=False),
        sa.Column("cached_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["orders.id"],
            name=op.f("fk_order_address_cache_order_id_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_order_address_cache_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "order_id", name=op.f("pk_order_address_cache")),
    )
    op.create_index(op.f("ix_order_address_cache_expires_at"), "order_address_cache", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_order_address_cache_expires_at"), table_name="order_address_cache")
    op.drop_table("order_address_cache")
    op.drop_constraint(op.f("ck_tokens_encrypted_with"), "tokens", type_="check")
    op.drop_column("tokens", "encrypted_with")
    op.drop_table("tenant_keys")
    op.drop_index("ix_connections_data_deletion_due_at", table_name="connections")
    op.drop_column("connections", "data_deletion_due_at")
