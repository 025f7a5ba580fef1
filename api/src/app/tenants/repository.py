"""SQL for tenants and memberships. Every read is scoped by tenant (and by user for listings)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.db.session import psycopg_connection
from app.tenants.models import Membership, Tenant

_ACCESS_BY_SESSION = """
    SELECT u.id, m.role, s.last_seen_at
    FROM user_sessions s
    JOIN users u ON u.id = s.user_id
    LEFT JOIN memberships m ON m.user_id = u.id AND m.tenant_id = %(tenant_id)s
    WHERE s.id = %(token_hash)s AND s.revoked_at IS NULL AND s.expires_at > %(now)s
      AND s.last_seen_at > %(idle_since)s AND u.is_active
"""


class TenantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, name: str, slug: str) -> Tenant:
        tenant = Tenant(name=name, slug=slug, feature_flags={})
        self.session.add(tenant)
        await self.session.flush()
        return tenant

    async def get(self, tenant_id: uuid.UUID) -> Tenant | None:
        return await self.session.get(Tenant, tenant_id)

    async def role_of(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> str | None:
        """The user's role in the tenant; None when the user is not a member."""
        role: str | None = await self.session.scalar(
            select(Membership.role).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
        )
        return role

    async def access_by_session(
        self, token_hash: str, now: datetime, idle_since: datetime, tenant_id: uuid.UUID
    ) -> tuple[uuid.UUID, str | None, datetime] | None:
        """For a live session (not expired, not revoked, used since `idle_since`, user active): its
        user, their role in the tenant (None when not a member) and when the session was last
        seen; None when the session is not live.

        Every tenant request asks this, so it is one statement returning two plain columns, run on
        the session's psycopg connection: mapped rows cost ~40% of the orders list's API CPU, and
        even a Core select ~0.5 ms more than a plain statement (bench/b4_orders_api.py)."""
        async with (await psycopg_connection(self.session)).cursor() as cursor:
            await cursor.execute(
                _ACCESS_BY_SESSION,
                {"token_hash": token_hash, "now": now, "idle_since": idle_since, "tenant_id": tenant_id},
                # Primary keys only: one plan serves every caller (`app.db.session`'s kept plans).
                prepare=True,
            )
            row = await cursor.fetchone()
        return None if row is None else (row[0], row[1], row[2])

    async def list_for_user(self, user_id: uuid.UUID) -> list[tuple[Tenant, str]]:
        rows = (
            await self.session.execute(
                select(Tenant, Membership.role)
                .join(Membership, Membership.tenant_id == Tenant.id)
                .where(Membership.user_id == user_id)
                .order_by(Tenant.name, Tenant.id)
            )
        ).all()
        return [(row[0], row[1]) for row in rows]

    async def set_feature_flags(self, tenant_id: uuid.UUID, flags: dict[str, Any]) -> None:
        await self.session.execute(update(Tenant).where(Tenant.id == tenant_id).values(feature_flags=flags))


class MembershipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, tenant_id: uuid.UUID, user_id: uuid.UUID, role: str) -> Membership:
        membership = Membership(tenant_id=tenant_id, user_id=user_id, role=role)
        self.session.add(membership)
        await self.session.flush()
        return membership

    async def get(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Membership | None:
        result = await self.session.scalar(
            select(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
        )
        return result

    async def list_with_users(self, tenant_id: uuid.UUID) -> list[tuple[Membership, User]]:
        rows = (
            await self.session.execute(
                select(Membership, User)
                .join(User, User.id == Membership.user_id)
                .where(Membership.tenant_id == tenant_id)
                .order_by(Membership.created_at, User.email)
            )
        ).all()
        return [(row[0], row[1]) for row in rows]

    async def lock_owners(self, tenant_id: uuid.UUID) -> int:
        """How many owners the tenant has, with their memberships locked until the transaction ends.

        Two owners demoting (or removing) each other at once would otherwise each count two owners
        and leave none: the second now waits for the first, then, under READ COMMITTED, re-reads
        the rows it locked and counts one. Locked in id order so two such transactions cannot
        deadlock."""
        ids = await self.session.scalars(
            select(Membership.id)
            .where(Membership.tenant_id == tenant_id, Membership.role == "owner")
            .order_by(Membership.id)
            .with_for_update()
        )
        return len(list(ids))

    async def set_role(self, tenant_id: uuid.UUID, user_id: uuid.UUID, role: str) -> None:
        await self.session.execute(
            update(Membership)
            .where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
            .values(role=role)
        )

    async def remove(self, tenant_id: uuid.UUID, user_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
        )
