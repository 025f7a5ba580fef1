"""Reports (Reports API, or Data Kiosk behind the tenant's flag) and their documents.

Documents are files in storage (`storage_key`); the database keeps metadata only. The pre-signed
download URL is never stored: it expires within minutes and grants access to the data.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
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


class Report(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    __tablename__ = "reports"
    __table_args__ = (
        # REPORT_PROCESSING_FINISHED notifications find the rows by Amazon's id (NULL until created).
        # Not unique: two identical requests in flight share Amazon's report (reused, not asked twice).
        Index("ix_reports_connection_amazon_id", "connection_id", "amazon_report_id"),
        # A settlement report is discovered (getReports) every hour: one row per Amazon report.
        Index(
            "uq_reports_settlement",
            "tenant_id",
            "connection_id",
            "amazon_report_id",
            unique=True,
            postgresql_where=text("source = 'settlement'"),
        ),
        Index("ix_reports_tenant_created", "tenant_id", "created_at"),
        # The scheduler's sweep for in-flight reports whose next step is overdue.
        Index(
            "ix_reports_in_flight",
            "next_check_at",
            postgresql_where=text("status IN ('pending', 'processing')"),
        ),
        # "Is an identical report already in flight?" before asking Amazon for a new one.
        Index("ix_reports_connection_type_status", "connection_id", "report_type", "status"),
        # Ours, not Amazon's: pending (not yet created at Amazon), processing (IN_QUEUE/IN_PROGRESS),
        # done (document stored), cancelled (often "no data"), fatal (Amazon failed), error (we failed).
        CheckConstraint(
            "status IN ('pending', 'processing', 'done', 'cancelled', 'fatal', 'error')", name="status"
        ),
        CheckConstraint("via IN ('report', 'datakiosk')", name="via"),
        CheckConstraint("source IN ('user', 'schedule', 'settlement')", name="source"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    report_type: Mapped[str] = mapped_column(String(100), nullable=False)
    marketplace_ids: Mapped[list[str]] = mapped_column(
        JSONB, nullable=False, default=list, server_default=text("'[]'::jsonb")
    )
    data_start: Mapped[datetime | None] = mapped_column()
    data_end: Mapped[datetime | None] = mapped_column()
    # Amazon's reportOptions, e.g. {"dateGranularity": "DAY"}.
    options: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    amazon_report_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default="pending", server_default=text("'pending'")
    )
    # Amazon's processingStatus as last seen (IN_QUEUE, IN_PROGRESS, DONE, CANCELLED, FATAL).
    processing_status: Mapped[str | None] = mapped_column(String(20))
    # Amazon's reportDocumentId (or the Data Kiosk document id).
    document_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    # NULL when the system requested it (the backfill's order reports).
    requested_by_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    via: Mapped[str] = mapped_column(
        String(20), nullable=False, default="report", server_default=text("'report'")
    )
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    # Who asked: a user (the panel, the API), a schedule of the tenant, or Amazon (settlements).
    source: Mapped[str] = mapped_column(
        String(20), nullable=False, default="user", server_default=text("'user'")
    )
    schedule_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("report_schedules.id", ondelete="SET NULL")
    )
    # The durable request (`amazon_documents`) this report follows: shared by identical requests.
    document_record_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("amazon_documents.id", ondelete="SET NULL")
    )
    rows_loaded: Mapped[int | None] = mapped_column(Integer)
    # Amazon's FATAL error document, as text (truncated), shown to the user.
    error_document: Mapped[str | None] = mapped_column(Text)
    # Consecutive throttled or failed attempts: the retry backoff grows with it, reset on progress.
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default=text("0"))
    finished_at: Mapped[datetime | None] = mapped_column()
    # When the job's next step is due (its polling message's time). The scheduler revives a report
    # whose step is long overdue (the message was lost with a killed worker); a step that comes
    # early on a second chain sees it and stops, so chains never multiply.
    next_check_at: Mapped[datetime | None] = mapped_column()


class ReportSchedule(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    """A recurring report: every day, week or month the scheduler's tick asks for it again, for the
    `range_days` before the run (or the snapshot, for types without dates)."""

    __tablename__ = "report_schedules"
    __table_args__ = (
        Index("ix_report_schedules_due", "next_run_at"),
        Index("ix_report_schedules_tenant_created", "tenant_id", "created_at"),
        CheckConstraint("every IN ('day', 'week', 'month')", name="every"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    report_type: Mapped[str] = mapped_column(String(100), nullable=False)
    marketplace_ids: Mapped[list[str]] = mapped_column(
        JSONB, nullable=False, default=list, server_default=text("'[]'::jsonb")
    )
    options: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    every: Mapped[str] = mapped_column(String(10), nullable=False)
    range_days: Mapped[int | None] = mapped_column(Integer)
    next_run_at: Mapped[datetime] = mapped_column(nullable=False)
    # No foreign key: reports already point here (schedule_id), and a cycle of keys buys nothing.
    last_report_id: Mapped[uuid.UUID | None] = mapped_column()
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ReportDocument(UUIDPrimaryKey, TenantOwned, Base):
    __tablename__ = "report_documents"
    __table_args__ = (
        UniqueConstraint("tenant_id", "report_id", "amazon_document_id"),
        Index(None, "report_id"),
    )

    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), nullable=False)
    amazon_document_id: Mapped[str] = mapped_column(String(200), nullable=False)
    # Path or object key of the stored (decompressed) file.
    storage_key: Mapped[str] = mapped_column(Text, nullable=False)
    content_type: Mapped[str | None] = mapped_column(String(100))
    # What Amazon sent (e.g. GZIP); the stored file is decompressed.
    compression: Mapped[str | None] = mapped_column(String(20))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    row_count: Mapped[int | None] = mapped_column(Integer)
    # What the browser downloads it as: "<reportType>_<Amazon id>.<ext>".
    file_name: Mapped[str | None] = mapped_column(String(300))
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
