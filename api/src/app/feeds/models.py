"""Feeds (bulk uploads) and their input and result documents (metadata; files live in storage).

Upload and download URLs are never stored: they are pre-signed and expire within minutes.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey


class Feed(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    __tablename__ = "feeds"
    __table_args__ = (
        UniqueConstraint("tenant_id", "connection_id", "amazon_feed_id"),
        Index("ix_feeds_tenant_created", "tenant_id", "created_at"),
        Index(None, "connection_id"),
        # Ours: pending (feed document created, file not uploaded), uploaded, processing (createFeed
        # accepted; IN_QUEUE/IN_PROGRESS), done (result document stored), cancelled, fatal, error.
        CheckConstraint(
            "status IN ('pending', 'uploaded', 'processing', 'done', 'cancelled', 'fatal', 'error')",
            name="status",
        ),
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
    processing_status: Mapped[str | None] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


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
