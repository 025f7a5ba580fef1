"""Recording who did what. Entries hold identifiers and changed settings, never secrets or PII."""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditLog
from app.audit.repository import AuditRepository
from app.audit.schemas import AuditEntry, AuditPage


def _valid_ip(ip: str | None) -> str | None:
    """The client address if it is one (the column is INET; test clients and proxies may send names)."""
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return None


async def record(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID | None,
    actor_user_id: uuid.UUID | None,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
    request_id: str | None = None,
) -> None:
    """Add an entry to the caller's unit of work (it is written if, and only if, the change is)."""
    await AuditRepository(session).add(
        AuditLog(
            tenant_id=tenant_id,
            actor_user_id=actor_user_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            data=data or {},
            ip=_valid_ip(ip),
            request_id=request_id or None,
        )
    )


class Actor:
    """Who acts, from where: the fields every audit entry of a request shares."""

    def __init__(
        self, user_id: uuid.UUID | None, ip: str | None = None, request_id: str | None = None
    ) -> None:
        self.user_id = user_id
        self.ip = ip
        self.request_id = request_id

    async def record(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID | None,
        action: str,
        *,
        target_type: str | None = None,
        target_id: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        await record(
            session,
            tenant_id=tenant_id,
            actor_user_id=self.user_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            data=data,
            ip=self.ip,
            request_id=self.request_id,
        )


async def tenant_log(
    session: AsyncSession, tenant_id: uuid.UUID, *, limit: int, before_id: int | None
) -> AuditPage:
    """One page of the tenant's log, newest first, with each actor's e-mail."""
    rows = await AuditRepository(session).list_for_tenant(tenant_id, limit=limit, before_id=before_id)
    items = [
        AuditEntry(
            id=entry.id,
            action=entry.action,
            actor_user_id=str(entry.actor_user_id) if entry.actor_user_id else None,
            actor_email=email,
            target_type=entry.target_type,
            target_id=entry.target_id,
            data=entry.data,
            request_id=entry.request_id,
            created_at=entry.created_at,
        )
        for entry, email in rows
    ]
    return AuditPage(items=items, next_before_id=items[-1].id if len(items) == limit else None)
