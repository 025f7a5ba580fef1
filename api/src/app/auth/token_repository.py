"""SQL for the single-use links sent by e-mail, and for ending every session of a user."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User, UserSession
from app.auth.token_models import EmailToken


class EmailTokenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, *, user_id: uuid.UUID, purpose: str, token_hash: str, email: str, expires_at: datetime
    ) -> None:
        self.session.add(
            EmailToken(
                user_id=user_id, purpose=purpose, token_hash=token_hash, email=email, expires_at=expires_at
            )
        )
        await self.session.flush()

    async def spend(self, token_hash: str, purpose: str, now: datetime) -> tuple[User, str] | None:
        """Mark a live link used and return its user and the address it was sent to; None when the
        link is unknown, spent or expired. One statement, so two clicks cannot both spend it."""
        spent = (
            await self.session.execute(
                update(EmailToken)
                .where(
                    EmailToken.token_hash == token_hash,
                    EmailToken.purpose == purpose,
                    EmailToken.used_at.is_(None),
                    EmailToken.expires_at > now,
                )
                .values(used_at=now)
                .returning(EmailToken.user_id, EmailToken.email)
            )
        ).first()
        if spent is None:
            return None
        user = await self.session.scalar(select(User).where(User.id == spent[0], User.is_active.is_(True)))
        return None if user is None else (user, spent[1])

    async def spend_all(self, user_id: uuid.UUID, purpose: str, now: datetime) -> None:
        """Void the user's other live links of this purpose (a reset done voids the other resets)."""
        await self.session.execute(
            update(EmailToken)
            .where(EmailToken.user_id == user_id, EmailToken.purpose == purpose, EmailToken.used_at.is_(None))
            .values(used_at=now)
        )

    async def sent_since(self, user_id: uuid.UUID, purpose: str, since: datetime) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(EmailToken)
            .where(
                EmailToken.user_id == user_id, EmailToken.purpose == purpose, EmailToken.created_at >= since
            )
        )
        return int(count or 0)


async def revoke_sessions_of(
    session: AsyncSession, user_id: uuid.UUID, now: datetime, *, keep: str | None = None
) -> None:
    """Revoke every live session of the user but `keep` (a session's token hash)."""
    statement = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if keep is not None:
        statement = statement.where(UserSession.id != keep)
    await session.execute(statement.values(revoked_at=now))
