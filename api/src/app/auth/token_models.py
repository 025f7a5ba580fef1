"""Single-use links sent by e-mail: verify an address, reset a password.

Only the SHA-256 of a link's token is stored: a database leak yields no usable link. A row is
spent (`used_at`) by the one statement that checks it, so a link works once even under races.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, UUIDPrimaryKey

EMAIL_TOKEN_PURPOSES = ("verify_email", "reset_password")


class EmailToken(UUIDPrimaryKey, Base):
    __tablename__ = "email_tokens"
    __table_args__ = (
        Index(None, "user_id"),
        CheckConstraint("purpose IN ('verify_email', 'reset_password')", name="purpose"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    purpose: Mapped[str] = mapped_column(String(20), nullable=False)
    # Hex SHA-256 of the link's token.
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    # The address the link was sent to: verifying proves this address, not whatever the user's
    # address is by the time the link is opened.
    email: Mapped[str] = mapped_column(String(320), nullable=False)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(nullable=False)
    used_at: Mapped[datetime | None] = mapped_column()
