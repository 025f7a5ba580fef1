"""`amazon_documents`: one row per asynchronous document we asked Amazon for (a report, a Data Kiosk
query, a feed's processing report, an Ads report).

The row is written before Amazon is asked, so a crash between Amazon's answer and our commit is
noticed (a `pending` row with no Amazon id) and settled by looking for an identical request still in
flight at Amazon instead of asking twice. The pre-signed download URL is never stored: it expires
within minutes and grants access to the data. `storage_key` names our own copy of the file when a
caller keeps one (documents holding buyer PII, such as order reports, are never kept).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey

KINDS = ("report", "datakiosk_query", "feed_result", "ads_report")
# pending: recorded, Amazon not (yet) known to have it; processing: Amazon's IN_QUEUE/IN_PROGRESS;
# done: a document is ready; cancelled: Amazon cancelled it (for reports often "no data");
# fatal: Amazon failed it; gone: Amazon no longer knows the id (it keeps jobs for a while only).
STATUSES = ("pending", "processing", "done", "cancelled", "fatal", "gone")


class AmazonDocument(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    __tablename__ = "amazon_documents"
    __table_args__ = (
        UniqueConstraint("tenant_id", "connection_id", "kind", "amazon_id"),
        # "Is an identical request of this connection already in flight?"
        Index("ix_amazon_documents_request", "connection_id", "kind", "request_key"),
        CheckConstraint("kind IN ('report', 'datakiosk_query', 'feed_result', 'ads_report')", name="kind"),
        CheckConstraint(
            "status IN ('pending', 'processing', 'done', 'cancelled', 'fatal', 'gone')", name="status"
        ),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # Identical requests (same type, marketplaces, window, options) share the key.
    request_key: Mapped[str] = mapped_column(Text, nullable=False)
    # What was asked, as Amazon's request body (no PII, no token).
    request: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    # Amazon's reportId / queryId / feedId / Ads reportId: NULL until Amazon answered.
    amazon_id: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default="pending", server_default=text("'pending'")
    )
    # Amazon's processing status as last seen (IN_QUEUE, IN_PROGRESS, DONE, CANCELLED, FATAL, ...).
    processing_status: Mapped[str | None] = mapped_column(String(20))
    # Amazon's document id (or the error document's, for a fatal job).
    document_id: Mapped[str | None] = mapped_column(String(200))
    storage_key: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    # The run that asked (a sync window's job row), when one did.
    job_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
