"""SQL for users and their server-side sessions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
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

    async def live_user(
        self, token_hash: str, now: datetime, idle_since: datetime
    ) -> tuple[User, datetime] | None:
        """The user of a live session (not expired, not revoked, used since `idle_since`, user
        active) and when the session was last seen."""
        row = (
            await self.session.execute(
                select(User, UserSession.last_seen_at)
                .join(UserSession, UserSession.user_id == User.id)
                .where(
                    UserSession.id == token_hash,
                    UserSession.revoked_at.is_(None),
                    UserSession.expires_at > now,
                    UserSession.last_seen_at > idle_since,
                    User.is_active.is_(True),
                )
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def touch(self, token_hash: str, now: datetime, *, every: timedelta) -> None:
        """Mark the session used now, unless that was already said less than `every` ago (the
        condition keeps it to one write per session per `every`, whatever the request rate)."""
        await self.session.execute(
            update(UserSession)
            .where(UserSession.id == token_hash, UserSession.last_seen_at < now - every)
            .values(last_seen_at=now)
        )

    async def list_live(self, user_id: uuid.UUID, now: datetime, idle_since: datetime) -> list[UserSession]:
        """The user's live sessions, most recently used first."""
        result = await self.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user_id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > now,
                UserSession.last_seen_at > idle_since,
            )
            .order_by(UserSession.last_seen_at.desc())
        )
        return list(result)

    async def revoke(self, token_hash: str) -> None:
        await self.session.execute(
            update(UserSession)
            .where(UserSession.id == token_hash, UserSession.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )

    async def revoke_all(self, user_id: uuid.UUID) -> int:
        """Revoke every session of the user still open; how many were."""
        result = await self.session.execute(
            update(UserSession)
            .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def purge(self, now: datetime, idle_since: datetime) -> int:
        """Delete the sessions that can never be used again (expired, idle too long, revoked)."""
        result = await self.session.execute(
            delete(UserSession).where(
                or_(
                    UserSession.expires_at <= now,
                    UserSession.last_seen_at <= idle_since,
                    UserSession.revoked_at.is_not(None),
                )
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
