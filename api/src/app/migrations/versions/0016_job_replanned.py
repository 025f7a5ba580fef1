"""Jobs may end `replanned`: a planned backfill handed the window(s) a job was reading to another
path (pages that met far more orders than planned, given to reports). Not a failure (the tenant's
health lists `error` jobs only), and not `done`: the job did not read its whole window.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_constraint(op.f("ck_jobs_status"), "jobs", type_="check")
    op.create_check_constraint(
        op.f("ck_jobs_status"), "jobs", "status IN ('queued', 'running', 'done', 'error', 'replanned')"
    )


def downgrade() -> None:
    op.execute("UPDATE jobs SET status = 'done' WHERE status = 'replanned'")
    op.drop_constraint(op.f("ck_jobs_status"), "jobs", type_="check")
    op.create_check_constraint(
        op.f("ck_jobs_status"), "jobs", "status IN ('queued', 'running', 'done', 'error')"
    )
