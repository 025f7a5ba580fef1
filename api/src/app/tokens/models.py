"""Encrypted long-lived credentials.

Columns hold Fernet ciphertext only (MultiFernet, so keys rotate). Never stored: access tokens
(cached in Redis for their hour), restricted data tokens (in memory for their minutes), and any
secret in plain text.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, UniqueConstraint, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantOwned, UUIDPrimaryKey


class Token(UUIDPrimaryKey, TenantOwned, Base):
    """The LWA refresh token of one connection (one row per connection)."""

    __tablename__ = "tokens"
    __table_args__ = (
        UniqueConstraint("tenant_id", "connection_id"),
        CheckConstraint("encrypted_with IN ('master', 'tenant')", name="encrypted_with"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    refresh_token_enc: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    # `tenant`: under the tenant's data key (`TenantKey`); `master`: directly under ENCRYPTION_KEY,
    # as every token was before tenant keys existed; such a token is re-encrypted under the
    # tenant's key the first time it is read (`SqlTokenStore.refresh_token`).
    encrypted_with: Mapped[str] = mapped_column(
        String(10), nullable=False, default="master", server_default=text("'master'")
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    # Set when a re-authorization or a key rotation rewrites the ciphertext.
    rotated_at: Mapped[datetime | None] = mapped_column()


class AppSecret(UUIDPrimaryKey, Base):
    """The application's LWA client secret after a rotation (system-wide, no tenant).

    The newest row whose `expires_at` is in the future is used; the environment's
    LWA_CLIENT_SECRET is the fallback until the first rotation arrives.
    """

    __tablename__ = "app_secrets"
    __table_args__ = (Index("ix_app_secrets_client_created", "client_id", "created_at"),)

    client_id: Mapped[str] = mapped_column(String(200), nullable=False)
    secret_enc: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    expires_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)


class TenantKey(Base):
    """A tenant's data key (envelope encryption): a random Fernet key, stored encrypted by the
    master keys (ENCRYPTION_KEY). The tenant's refresh tokens and cached buyer PII are encrypted
    with it, so destroying this row (or the tenant, by cascade) makes them unreadable for good;
    rotating the master key re-wraps these rows only."""

    __tablename__ = "tenant_keys"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    key_enc: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    rotated_at: Mapped[datetime | None] = mapped_column()
