"""Sync state and the run log (`jobs`).

`sync_state` shape: ONE row per (tenant, connection, marketplace, entity) holding both the delta
watermark and the backfill progress. The row is also the scheduling unit: the scheduler claims it
(`claimed_at`/`claimed_by`, conditional UPDATE or FOR UPDATE SKIP LOCKED), so one claim gives "one
run per connection x marketplace x entity at a time" for delta and backfill together, and the run
itself decides "delta first, then the next backfill window" (fairness rule). Watermarks advance
only after the upsert of the data they cover has committed.

`jobs`: every run of Amazon work (a sync window, a report, a feed, a Data Kiosk query, an Ads
report) is one row, with counters as columns because the panel lists and sums them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey


class SyncState(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    __tablename__ = "sync_state"
    __table_args__ = (
        UniqueConstraint("tenant_id", "connection_id", "marketplace_id", "entity"),
        Index(None, "connection_id"),
        # The scheduler's "what is due" query: next_run_at <= now() AND claimed_at IS NULL.
        Index(None, "next_run_at"),
        CheckConstraint(
            "entity IN ('orders', 'ads_structure', 'ads_advertised_product', 'ads_purchased_product')",
            name="entity",
        ),
        CheckConstraint("status IN ('idle', 'running', 'error', 'paused')", name="status"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    # The SP-API marketplace id; for Ads entities the advertiser profile id (Ads data is per
    # profile). NOT NULL so the unique key works with ON CONFLICT.
    marketplace_id: Mapped[str] = mapped_column(String(30), nullable=False)
    entity: Mapped[str] = mapped_column(String(30), nullable=False)

    # Delta watermarks: the next run asks for changes after these (minus a small overlap).
    last_created_after: Mapped[datetime | None] = mapped_column()
    last_updated_after: Mapped[datetime | None] = mapped_column()

    # Backfill: history from `backfill_from` to `backfill_to` (the delta covers everything later),
    # walked forward in windows; `backfill_done_until` is the end of the last committed window,
    # so progress = (done_until - from) / (to - from).
    backfill_from: Mapped[datetime | None] = mapped_column()
    backfill_to: Mapped[datetime | None] = mapped_column()
    backfill_done_until: Mapped[datetime | None] = mapped_column()
    backfill_started_at: Mapped[datetime | None] = mapped_column()
    backfill_completed_at: Mapped[datetime | None] = mapped_column()

    # Pagination token of an interrupted run, so a crash resumes the page instead of the window.
    next_token: Mapped[str | None] = mapped_column(Text)
    # Anything else a run needs to resume (e.g. the id of an in-flight backfill report).
    extra: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )

    next_run_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    claimed_at: Mapped[datetime | None] = mapped_column()
    # Who holds the claim (worker id): a stale claim can be released when that worker is gone.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    last_run_at: Mapped[datetime | None] = mapped_column()
    last_success_at: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default="idle", server_default=text("'idle'")
    )


class Job(UUIDPrimaryKey, Base):
    __tablename__ = "jobs"
    __table_args__ = (
        # Recent jobs of a tenant and of a connection (the panel's lists). B-tree indexes are read
        # backwards for ORDER BY created_at DESC, so no DESC columns are needed.
        Index("ix_jobs_tenant_created", "tenant_id", "created_at"),
        Index("ix_jobs_connection_created", "connection_id", "created_at"),
        # Housekeeping finds stuck runs.
        Index("ix_jobs_status_created", "status", "created_at"),
        CheckConstraint(
            "type IN ('sync', 'report', 'feed', 'datakiosk', 'ads_report', 'ads_sync', 'notification',"
            " 'system')",
            name="type",
        ),
        # `replanned`: a planned backfill gave the job's window(s) to another path before it finished.
        CheckConstraint("status IN ('queued', 'running', 'done', 'error', 'replanned')", name="status"),
    )

    # NULL for system jobs (e.g. secret rotation, purges).
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    connection_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("connections.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(20), nullable=False)
    # Refines the type for display and filtering, e.g. "delta" / "backfill" for sync jobs.
    kind: Mapped[str | None] = mapped_column(String(30))
    entity: Mapped[str | None] = mapped_column(String(30))
    marketplace_id: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default="queued", server_default=text("'queued'")
    )
    payload: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    # Amazon's ids for this run: {"reportId": ..., "feedId": ..., "queryId": ..., "documentId": ...}.
    amazon_ids: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    # x-amzn-RequestId of every Amazon call, for support tickets.
    request_ids: Mapped[list[str]] = mapped_column(
        JSONB, nullable=False, default=list, server_default=text("'[]'::jsonb")
    )

    # Counters shown in the panel.
    pages: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    orders_seen: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    orders_inserted: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    orders_updated: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    items: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    throttled_429: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    retries: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")

    # The data window the run covered (sync windows, report data range).
    window_start: Mapped[datetime | None] = mapped_column()
    window_end: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
