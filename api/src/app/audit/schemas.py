"""Shapes of the audit log API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AuditEntry(BaseModel):
    id: int
    action: str
    actor_user_id: str | None
    actor_email: str | None
    target_type: str | None
    target_id: str | None
    data: dict[str, Any]
    request_id: str | None
    created_at: datetime


class AuditPage(BaseModel):
    items: list[AuditEntry]
    # Pass as `before_id` for the next (older) page; null when this is the last page.
    next_before_id: int | None
