"""SQL for users and their server-side sessions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User, UserSession


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def by_id(self, user_id: uuid.UUID) -> User | None:
        return await self.session.get(User, user_id)

    async def by_email(self, email: str) -> User | None:
        result = await self.session.scalar(
            select(User).where(func.lower(User.email) == email.strip().lower())
        )
        return result

    async def by_clerk_id(self, clerk_user_id: str) -> User | None:
        result = await self.session.scalar(select(User).where(User.clerk_user_id == clerk_user_id))
        return result

    async def add(
        self,
        *,
        email: str,
        name: str | None,
        password_hash: str | None = None,
        clerk_user_id: str | None = None,
    ) -> User:
        user = User(email=email.strip(), name=name, password_hash=password_hash, clerk_user_id=clerk_user_id)
        self.session.add(user)
        await self.session.flush()
        return user

    async def change(self, user: User, **values: Any) -> None:
        """Set columns of a loaded user (password hash, name, Clerk id) and write them now."""
        for column, value in values.items():
            setattr(user, column, value)
        await self.session.flush()


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, *, token_hash: str, user_id: uuid.UUID, expires_at: datetime, user_agent: str | None
    ) -> None:
        self.session.add(
            UserSession(id=token_hash, user_id=user_id, expires_at=expires_at, user_agent=user_agent)
        )
        await self.session.flush()

    async def active_user(self, token_hash: str, now: datetime) -> User | None:
        """The user of a live session (not expired, not revoked, user active)."""
        result = await self.session.scalar(
            select(User)
            .join(UserSession, UserSession.user_id == User.id)
            .where(
                UserSession.id == token_hash,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
                User.is_active.is_(True),
            )
        )
        return result

    async def revoke(self, token_hash: str) -> None:
        await self.session.execute(
            update(UserSession)
            .where(UserSession.id == token_hash, UserSession.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
