"""amazon_documents: the durable record of every asynchronous document asked of Amazon (reports,
Data Kiosk queries, feed results, Ads reports), written before Amazon is asked, so a crash between
Amazon's answer and our commit is settled by reusing Amazon's job instead of asking twice.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "amazon_documents",
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("request_key", sa.Text(), nullable=False),
        sa.Column(
            "request",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("amazon_id", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("processing_status", sa.String(length=20), nullable=True),
        sa.Column("document_id", sa.String(length=200), nullable=True),
        sa.Column("storage_key", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("job_id", sa.UUID(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "kind IN ('report', 'datakiosk_query', 'feed_result', 'ads_report')",
            name=op.f("ck_amazon_documents_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'processing', 'done', 'cancelled', 'fatal', 'gone')",
            name=op.f("ck_amazon_documents_status"),
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_amazon_documents_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_amazon_documents_job_id_jobs"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_amazon_documents_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amazon_documents")),
        sa.UniqueConstraint(
            "tenant_id",
            "connection_id",
            "kind",
            "amazon_id",
            name=op.f("uq_amazon_documents_tenant_id_connection_id_kind_amazon_id"),
        ),
    )
    op.create_index(
        "ix_amazon_documents_request",
        "amazon_documents",
        ["connection_id", "kind", "request_key"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_amazon_documents_request", table_name="amazon_documents")
    op.drop_table("amazon_documents")
