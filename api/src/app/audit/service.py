"""Recording who did what. Entries hold identifiers and changed settings, never secrets or PII."""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditLog
from app.audit.repository import AuditRepository


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
