"""SQL for the audit log (append-only; read per tenant, newest first)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditLog
from app.auth.models import User


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, entry: AuditLog) -> None:
        self.session.add(entry)
        await self.session.flush()

    async def list_for_tenant(
        self, tenant_id: uuid.UUID, *, limit: int, before_id: int | None
    ) -> list[tuple[AuditLog, str | None]]:
        """Entries of one tenant with the actor's e-mail, newest first (keyset on the id)."""
        statement: Any = (
            select(AuditLog, User.email)
            .outerjoin(User, User.id == AuditLog.actor_user_id)
            .where(AuditLog.tenant_id == tenant_id)
            .order_by(AuditLog.id.desc())
            .limit(limit)
        )
        if before_id is not None:
            statement = statement.where(AuditLog.id < before_id)
        rows = (await self.session.execute(statement)).all()
        return [(row[0], row[1]) for row in rows]
