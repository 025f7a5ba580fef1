"""feeds as a user feature: where a feed came from (bulk or raw), its content type and options, the
job's bookkeeping (attempts, failures, next step, when createFeed began, when it finished), the
processing report's summary, the statuses of the job (draft, pending, uploaded, submitting,
processing, done, cancelled, fatal, error), one `submitting` feed per connection (the crash
recovery of createFeed depends on it), and the per-message results (`feed_results`).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "'draft', 'pending', 'uploaded', 'submitting', 'processing', 'done', 'cancelled', 'fatal', 'error'"
IN_FLIGHT = "status IN ('pending', 'uploaded', 'submitting', 'processing')"


def upgrade() -> None:
    op.add_column(
        "feeds", sa.Column("source", sa.String(length=10), server_default=sa.text("'raw'"), nullable=False)
    )
    op.add_column("feeds", sa.Column("content_type", sa.String(length=100), nullable=True))
    op.add_column(
        "feeds",
        sa.Column(
            "feed_options",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
    )
    op.add_column("feeds", sa.Column("message_count", sa.Integer(), nullable=True))
    op.add_column("feeds", sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("feeds", sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.add_column("feeds", sa.Column("failures", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.add_column("feeds", sa.Column("next_check_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("feeds", sa.Column("submit_started_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("feeds", sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_constraint(op.f("ck_feeds_status"), "feeds", type_="check")
    op.create_check_constraint(op.f("ck_feeds_status"), "feeds", f"status IN ({STATUSES})")
    op.create_check_constraint(op.f("ck_feeds_source"), "feeds", "source IN ('bulk', 'raw')")
    op.create_index(
        "uq_feeds_one_submitting",
        "feeds",
        ["tenant_id", "connection_id"],
        unique=True,
        postgresql_where=sa.text("status = 'submitting'"),
    )
    op.create_index(
        "ix_feeds_in_flight", "feeds", ["next_check_at"], unique=False, postgresql_where=sa.text(IN_FLIGHT)
    )

    op.create_table(
        "feed_results",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("feed_id", sa.UUID(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("sku", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("rank", sa.SmallInteger(), nullable=False),
        sa.Column(
            "issues",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("tenant_id", sa.UUID(), nullable=False),
        sa.CheckConstraint("status IN ('accepted', 'warning', 'error')", name=op.f("ck_feed_results_status")),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feeds.id"], name=op.f("fk_feed_results_feed_id_feeds"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_feed_results_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_results")),
        sa.UniqueConstraint(
            "tenant_id", "feed_id", "message_id", name=op.f("uq_feed_results_tenant_id_feed_id_message_id")
        ),
    )
    op.create_index(
        "ix_feed_results_page", "feed_results", ["tenant_id", "feed_id", "rank", "message_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_feed_results_page", table_name="feed_results")
    op.drop_table("feed_results")
    op.drop_index("ix_feeds_in_flight", table_name="feeds", postgresql_where=sa.text(IN_FLIGHT))
    op.drop_index(
        "uq_feeds_one_submitting", table_name="feeds", postgresql_where=sa.text("status = 'submitting'")
    )
    op.drop_constraint(op.f("ck_feeds_source"), "feeds", type_="check")
    op.drop_constraint(op.f("ck_feeds_status"), "feeds", type_="check")
    # Rows in the statuses this revision added cannot stay under the old constraint.
    op.execute("DELETE FROM feeds WHERE status IN ('draft', 'submitting')")
    op.create_check_constraint(
        op.f("ck_feeds_status"),
        "feeds",
        "status IN ('pending', 'uploaded', 'processing', 'done', 'cancelled', 'fatal', 'error')",
    )
    for column in (
        "finished_at",
        "submit_started_at",
        "next_check_at",
        "failures",
        "attempts",
        "summary",
        "message_count",
        "feed_options",
        "content_type",
        "source",
    ):
        op.drop_column("feeds", column)
