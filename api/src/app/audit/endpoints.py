"""The tenant's audit log: who did what, when."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.audit.repository import AuditRepository
from app.audit.schemas import AuditEntry, AuditPage
from app.db.dependencies import SessionDep
from app.kit.errors import ERROR_RESPONSES
from app.tenants.dependencies import TenantMember

router = APIRouter(tags=["audit"])


@router.get("/tenants/{tenant_id}/audit-logs", response_model=AuditPage, responses=ERROR_RESPONSES)
async def list_audit_logs(
    access: TenantMember,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[int | None, Query(description="Entries older than this id (paging).")] = None,
) -> AuditPage:
    rows = await AuditRepository(session).list_for_tenant(access.tenant_id, limit=limit, before_id=before_id)
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
