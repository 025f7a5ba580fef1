"""Feeds (bulk listings changes, or any feed file a user uploads), their input and result documents
(metadata; the files live in the document storage), and the per-message results of the processing
report.

Upload and download URLs are never stored: they are pre-signed and expire within minutes.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey

# Ours, not Amazon's: draft (raw path: waiting for its upload and createFeed), pending (accepted,
# input stored, job enqueued), uploaded (Amazon's feed document made and uploaded), submitting
# (createFeed under way: committed BEFORE the call, so a crash is noticed and recovered without a
# second feed), processing (IN_QUEUE/IN_PROGRESS at Amazon), done (report stored and parsed),
# cancelled, fatal (Amazon failed it; its report is stored too), error (we gave up: `error` says why).
FEED_STATUSES = (
    "draft",
    "pending",
    "uploaded",
    "submitting",
    "processing",
    "done",
    "cancelled",
    "fatal",
    "error",
)
# Whose next step the job (or the scheduler's sweep) runs.
IN_FLIGHT = ("pending", "uploaded", "submitting", "processing")


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Feed(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    __tablename__ = "feeds"
    __table_args__ = (
        # Also how a FEED_PROCESSING_FINISHED notification finds the row (tenant, connection, feedId).
        UniqueConstraint("tenant_id", "connection_id", "amazon_feed_id"),
        Index("ix_feeds_tenant_created", "tenant_id", "created_at"),
        Index(None, "connection_id"),
        # One createFeed under way per connection: after a crash, the one feed Amazon has that no
        # row of the connection knows can only be this one's (the recovery in `flow.py`).
        Index(
            "uq_feeds_one_submitting",
            "tenant_id",
            "connection_id",
            unique=True,
            postgresql_where=text("status = 'submitting'"),
        ),
        # The scheduler's sweep for in-flight feeds whose next step is overdue.
        Index(
            "ix_feeds_in_flight", "next_check_at", postgresql_where=text(f"status IN ({_quoted(IN_FLIGHT)})")
        ),
        CheckConstraint(f"status IN ({_quoted(FEED_STATUSES)})", name="status"),
        CheckConstraint("source IN ('bulk', 'raw')", name="source"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    feed_type: Mapped[str] = mapped_column(String(100), nullable=False)
    marketplace_ids: Mapped[list[str]] = mapped_column(
        JSONB, nullable=False, default=list, server_default=text("'[]'::jsonb")
    )
    amazon_feed_id: Mapped[str | None] = mapped_column(String(100))
    # Amazon's feedDocumentId of the uploaded file, and resultFeedDocumentId of the processing report.
    input_document_id: Mapped[str | None] = mapped_column(String(200))
    result_document_id: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default="pending", server_default=text("'pending'")
    )
    # Amazon's processingStatus as last seen (IN_QUEUE, IN_PROGRESS, DONE, CANCELLED, FATAL).
    processing_status: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The guided bulk update (a JSON_LISTINGS_FEED we built) or a file the user uploaded as it is.
    source: Mapped[str] = mapped_column(
        String(10), nullable=False, default="raw", server_default=text("'raw'")
    )
    # What Amazon is told at createFeedDocument, and the upload is sent with.
    content_type: Mapped[str | None] = mapped_column(String(100))
    # Amazon's feedOptions (string to string).
    feed_options: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    # Messages of a JSON_LISTINGS_FEED (None for other types).
    message_count: Mapped[int | None] = mapped_column(Integer)
    # The processing report's summary: errors, warnings, messages_processed/accepted/invalid.
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Consecutive rescheduled steps (throttled or failed): the backoff grows with it, reset on progress.
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    # Consecutive failed steps (5xx, network, our side): the feed ends `error` after too many.
    # Throttling never counts here: Amazon's quota frees up.
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    # When the job's next step is due; the scheduler revives a feed whose step is long overdue.
    next_check_at: Mapped[datetime | None] = mapped_column()
    # When the current createFeed attempt began (status `submitting`): where the recovery's
    # getFeeds starts looking.
    submit_started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class FeedDocument(UUIDPrimaryKey, TenantOwned, Base):
    __tablename__ = "feed_documents"
    __table_args__ = (
        UniqueConstraint("tenant_id", "feed_id", "role"),
        Index(None, "feed_id"),
        CheckConstraint("role IN ('input', 'result')", name="role"),
    )

    feed_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False)
    role: Mapped[str] = mapped_column(String(10), nullable=False)
    amazon_document_id: Mapped[str | None] = mapped_column(String(200))
    storage_key: Mapped[str] = mapped_column(Text, nullable=False)
    content_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)


class FeedResult(TenantOwned, Base):
    """One message of a feed as Amazon's processing report judged it (accepted ones included)."""

    __tablename__ = "feed_results"
    __table_args__ = (
        UniqueConstraint("tenant_id", "feed_id", "message_id"),
        # The results page: errors first, then warnings, then accepted; messageId order within.
        Index("ix_feed_results_page", "tenant_id", "feed_id", "rank", "message_id"),
        CheckConstraint("status IN ('accepted', 'warning', 'error')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    feed_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False)
    message_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sku: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    # 0 error, 1 warning, 2 accepted: the page's order, indexable (the names sort otherwise).
    rank: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    # [{code, severity, message, attribute_names}], as the report said.
    issues: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, default=list, server_default=text("'[]'::jsonb")
    )
