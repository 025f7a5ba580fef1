"""Invitations: an address invited into a tenant with a role, accepted once through an e-mailed link.

The link's token is stored only as its SHA-256. An invitation becomes a membership only when a user
signed in with that exact address, verified, presents the token (`tenants/invitations.py`).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantOwned, UUIDPrimaryKey


class Invitation(UUIDPrimaryKey, TenantOwned, Base):
    __tablename__ = "invitations"
    __table_args__ = (
        # The tenant's pending list, newest first.
        Index(None, "tenant_id", "created_at"),
        # At most one open invitation per address and tenant (inviting again replaces it).
        Index(
            "uq_invitations_open_email",
            "tenant_id",
            text("lower(email)"),
            unique=True,
            postgresql_where=text("accepted_at IS NULL AND revoked_at IS NULL"),
        ),
        # The invitee's link finds its invitation by the token's hash, across tenants (the invitee
        # does not know the tenant yet). Not unique: a unique key would have to lead with tenant_id,
        # and two random 256-bit tokens do not collide.
        Index(None, "token_hash"),
        CheckConstraint("role IN ('owner', 'admin', 'viewer')", name="role"),
    )

    email: Mapped[str] = mapped_column(String(320), nullable=False)
    role: Mapped[str] = mapped_column(String(20), nullable=False)
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    invited_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column()
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column()
