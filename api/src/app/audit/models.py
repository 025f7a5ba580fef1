"""The audit log. `data` holds identifiers and changed settings only: never tokens, secrets or
buyer PII (a PII view is recorded as "who viewed which order's address", not the address)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, String, func, text
from sqlalchemy.dialects.postgresql import INET, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class AuditLog(Base):
    __tablename__ = "audit_logs"
    __table_args__ = (
        # The tenant's log, newest first (a backward index scan serves DESC).
        Index("ix_audit_logs_tenant_created", "tenant_id", "created_at"),
        Index(None, "actor_user_id"),
    )

    # Append-only and high-volume: a bigint identity keeps the index small and orders inserts.
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    # NULL for installation-wide events (e.g. the application's secret rotation).
    tenant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    # NULL for actions by the system (sync, notifications); kept when the user is deleted.
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(100), nullable=False)
    target_type: Mapped[str | None] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )
    ip: Mapped[str | None] = mapped_column(INET)
    request_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
