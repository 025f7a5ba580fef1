"""`/api/ads/*`: Amazon Ads per profile."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.ads import service
from app.ads.schemas import AdsSyncIn, AdsSyncOut
from app.db.dependencies import SessionDep
from app.kit.errors import ERROR_RESPONSES
from app.tenants.dependencies import TenantAdmin

router = APIRouter(prefix="/ads", tags=["ads"])


@router.post(
    "/sync", response_model=AdsSyncOut, status_code=status.HTTP_202_ACCEPTED, responses=ERROR_RESPONSES
)
async def sync_now(access: TenantAdmin, session: SessionDep, body: AdsSyncIn | None = None) -> AdsSyncOut:
    """Admins: sync the Ads profiles now (or one): campaigns and each report's restatement window."""
    profile_id = body.profile_id if body is not None else None
    return AdsSyncOut(queued=await service.request_sync(session, access.tenant_id, profile_id))
