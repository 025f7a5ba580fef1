"""Data Kiosk queries; the JSON Lines document is a file in storage, only its key is kept here."""

from __future__ import annotations

import uuid

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey


class DataKioskQuery(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    __tablename__ = "datakiosk_queries"
    __table_args__ = (
        # DATA_KIOSK_QUERY_PROCESSING_FINISHED notifications find the row by Amazon's queryId.
        UniqueConstraint("tenant_id", "connection_id", "amazon_query_id"),
        Index("ix_datakiosk_queries_tenant_created", "tenant_id", "created_at"),
        Index(None, "connection_id"),
        Index(None, "report_id"),
        # Same vocabulary as reports.status: the /api/reports contract does not change with the flag.
        CheckConstraint(
            "status IN ('pending', 'processing', 'done', 'cancelled', 'fatal', 'error')", name="status"
        ),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    # The `reports` row this query answers when the tenant uses Data Kiosk behind /api/reports.
    report_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    # The GraphQL query text.
    query: Mapped[str] = mapped_column(Text, nullable=False)
    amazon_query_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default="pending", server_default=text("'pending'")
    )
    # Amazon's processingStatus as last seen.
    processing_status: Mapped[str | None] = mapped_column(String(20))
    document_id: Mapped[str | None] = mapped_column(String(200))
    storage_key: Mapped[str | None] = mapped_column(Text)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    row_count: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
