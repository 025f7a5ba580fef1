"""Tenants and memberships.

A tenant is the unit of isolation: every tenant-owned table carries `tenant_id` (see `TenantOwned`),
indexed and leading its unique keys, so every query and every unique lookup is scoped by tenant first.

Enumerations are `String` columns with a CHECK constraint everywhere in the schema (never native PG
enums): adding a value is a one-line constraint swap in a migration, with no `ALTER TYPE` dance.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey


class Tenant(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "tenants"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # URL-friendly handle; unique across the installation.
    slug: Mapped[str] = mapped_column(String(100), nullable=False, unique=True)
    # Per-tenant switches, e.g. {"use_data_kiosk": true}; a missing key means the installation default.
    feature_flags: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )


class Membership(UUIDPrimaryKey, TenantOwned, Base):
    """One user's role in one tenant (an agency user manages several tenants)."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "user_id"),
        # "Which tenants can this user see?" runs on every sign-in.
        Index(None, "user_id"),
        CheckConstraint("role IN ('owner', 'admin', 'viewer')", name="role"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
