"""Users and their server-side sessions.

No secret is stored in clear: `password_hash` is an argon2 hash (and absent for users who sign in
with Clerk), and a session row's id is the SHA-256 of the cookie's token, never the token itself.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, Timestamps, UUIDPrimaryKey


class User(UUIDPrimaryKey, Timestamps, Base):
    __tablename__ = "users"
    __table_args__ = (
        # E-mail addresses compare case-insensitively; a functional unique index does what citext
        # would without an extension. Look users up by `func.lower(User.email) == email.lower()`.
        Index("uq_users_email_lower", text("lower(email)"), unique=True),
    )

    email: Mapped[str] = mapped_column(String(320), nullable=False)
    name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    clerk_user_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    is_active: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=text("true")
    )
    # Set when the user proved they receive mail at `email` (a verification or reset link). Until
    # then the account may sign in and run its own tenants but joins no one else's.
    email_verified_at: Mapped[datetime | None] = mapped_column()


class UserSession(Base):
    """A signed-in browser. Deleting or revoking the row signs it out everywhere at once."""

    __tablename__ = "user_sessions"
    __table_args__ = (
        Index(None, "user_id"),
        # The purge of expired sessions scans by expiry.
        Index(None, "expires_at"),
    )

    # Hex SHA-256 of the session token: a database leak does not yield usable cookies.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    user_agent: Mapped[str | None] = mapped_column(String(500))
    revoked_at: Mapped[datetime | None] = mapped_column()
    # When this session proved a second factor (a TOTP or recovery code at sign-in, enrolment or a
    # step-up); NULL for a password-only session. Buyer PII and owner-only routes need it set.
    mfa_verified_at: Mapped[datetime | None] = mapped_column()
