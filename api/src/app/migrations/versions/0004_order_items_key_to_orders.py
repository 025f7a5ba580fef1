"""order_items: one foreign key, (tenant_id, order_id) to the orders' (tenant_id, id), instead of
three (to orders, connections and tenants) and the single-column index on order_id.

Each foreign key is checked for every line written: the two to connections and tenants checked
again what the order's key already implies (the order's connection and tenant). The composite key
also ties a line to an order of its own tenant, and the unique key (tenant_id, order_id, line_key)
serves its cascade, so the index on order_id alone is no longer needed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_unique_constraint(op.f("uq_orders_tenant_id_id"), "orders", ["tenant_id", "id"])
    op.drop_constraint(op.f("fk_order_items_order_id_orders"), "order_items", type_="foreignkey")
    op.drop_constraint(op.f("fk_order_items_connection_id_connections"), "order_items", type_="foreignkey")
    op.drop_constraint(op.f("fk_order_items_tenant_id_tenants"), "order_items", type_="foreignkey")
    op.create_foreign_key(
        op.f("fk_order_items_tenant_id_orders"),
        "order_items",
        "orders",
        ["tenant_id", "order_id"],
        ["tenant_id", "id"],
        ondelete="CASCADE",
    )
    op.drop_index(op.f("ix_order_items_order_id"), table_name="order_items")


def downgrade() -> None:
    op.create_index(op.f("ix_order_items_order_id"), "order_items", ["order_id"], unique=False)
    op.drop_constraint(op.f("fk_order_items_tenant_id_orders"), "order_items", type_="foreignkey")
    op.create_foreign_key(
        op.f("fk_order_items_tenant_id_tenants"),
        "order_items",
        "tenants",
        ["tenant_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        op.f("fk_order_items_connection_id_connections"),
        "order_items",
        "connections",
        ["connection_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        op.f("fk_order_items_order_id_orders"),
        "order_items",
        "orders",
        ["order_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.drop_constraint(op.f("uq_orders_tenant_id_id"), "orders", type_="unique")
