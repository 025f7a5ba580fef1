"""reports as a user feature: where a report came from (user, schedule, settlement), the durable
request it follows (`amazon_documents`), what was loaded, Amazon's FATAL error document; the stored
document's file name and checksum; recurring schedules (`report_schedules`).

Two identical requests share Amazon's report, so `reports.amazon_report_id` is no longer unique;
settlement reports (discovered every hour) stay one row per Amazon report through a partial index.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 09:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_schedules",
        sa.Column("connection_id", sa.UUID(), nullable=False),
        sa.Column("report_type", sa.String(length=100), nullable=False),
        sa.Column(
            "marketplace_ids",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column(
            "options",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("every", sa.String(length=10), nullable=False),
        sa.Column("range_days", sa.Integer(), nullable=True),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_report_id", sa.UUID(), nullable=True),
        sa.Column("created_by_user_id", sa.UUID(), nullable=True),
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("every IN ('day', 'week', 'month')", name=op.f("ck_report_schedules_every")),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["connections.id"],
            name=op.f("fk_report_schedules_connection_id_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_report_schedules_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_report_schedules_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_schedules")),
    )
    op.create_index("ix_report_schedules_due", "report_schedules", ["next_run_at"], unique=False)
    op.create_index(
        "ix_report_schedules_tenant_created", "report_schedules", ["tenant_id", "created_at"], unique=False
    )

    op.add_column(
        "reports", sa.Column("source", sa.String(length=20), server_default=sa.text("'user'"), nullable=False)
    )
    op.add_column("reports", sa.Column("schedule_id", sa.UUID(), nullable=True))
    op.add_column("reports", sa.Column("document_record_id", sa.UUID(), nullable=True))
    op.add_column("reports", sa.Column("rows_loaded", sa.Integer(), nullable=True))
    op.add_column("reports", sa.Column("error_document", sa.Text(), nullable=True))
    op.add_column("reports", sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.add_column("reports", sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("reports", sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_reports_in_flight",
        "reports",
        ["next_check_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('pending', 'processing')"),
    )
    op.create_check_constraint(
        op.f("ck_reports_source"), "reports", "source IN ('user', 'schedule', 'settlement')"
    )
    op.create_foreign_key(
        op.f("fk_reports_schedule_id_report_schedules"),
        "reports",
        "report_schedules",
        ["schedule_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("fk_reports_document_record_id_amazon_documents"),
        "reports",
        "amazon_documents",
        ["document_record_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.drop_constraint(op.f("uq_reports_tenant_id_connection_id_amazon_report_id"), "reports", type_="unique")
    op.create_index(
        "ix_reports_connection_amazon_id", "reports", ["connection_id", "amazon_report_id"], unique=False
    )
    op.create_index(
        "uq_reports_settlement",
        "reports",
        ["tenant_id", "connection_id", "amazon_report_id"],
        unique=True,
        postgresql_where=sa.text("source = 'settlement'"),
    )

    op.add_column("report_documents", sa.Column("file_name", sa.String(length=300), nullable=True))
    op.add_column("report_documents", sa.Column("sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    op.drop_column("report_documents", "sha256")
    op.drop_column("report_documents", "file_name")
    op.drop_index(
        "uq_reports_settlement", table_name="reports", postgresql_where=sa.text("source = 'settlement'")
    )
    op.drop_index("ix_reports_connection_amazon_id", table_name="reports")
    op.create_unique_constraint(
        op.f("uq_reports_tenant_id_connection_id_amazon_report_id"),
        "reports",
        ["tenant_id", "connection_id", "amazon_report_id"],
    )
    op.drop_constraint(op.f("fk_reports_document_record_id_amazon_documents"), "reports", type_="foreignkey")
    op.drop_constraint(op.f("fk_reports_schedule_id_report_schedules"), "reports", type_="foreignkey")
    op.drop_constraint(op.f("ck_reports_source"), "reports", type_="check")
    for column in (
        "next_check_at",
        "finished_at",
        "attempts",
        "error_document",
        "rows_loaded",
        "document_record_id",
        "schedule_id",
        "source",
    ):
        op.drop_column("reports", column)
    op.drop_index("ix_report_schedules_tenant_created", table_name="report_schedules")
    op.drop_index("ix_report_schedules_due", table_name="report_schedules")
    op.drop_table("report_schedules")
