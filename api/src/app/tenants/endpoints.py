"""Tenants, members, feature flags and the tenant's audit log."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.audit import service as audit
from app.audit.schemas import AuditPage
from app.auth.dependencies import CurrentUserDep, settings_of
from app.db.dependencies import SessionDep
from app.kit.errors import ERROR_RESPONSES, request_id_of
from app.settings import Settings
from app.tenants import service
from app.tenants.dependencies import TenantAccess, TenantAdmin, TenantMember
from app.tenants.models import Tenant
from app.tenants.permissions import OwnerRemoval, OwnerRoleChange
from app.tenants.schemas import (
    FeatureFlagOut,
    FeatureFlagsUpdate,
    MemberOut,
    MemberRoleChange,
    TenantCreate,
    TenantOut,
)

router = APIRouter(prefix="/tenants", tags=["tenants"])
# The audit log is read per tenant (members only) but keeps its own tag in the API document.
audit_router = APIRouter(tags=["audit"])


def _tenant_out(tenant: Tenant, role: str) -> TenantOut:
    return TenantOut(
        id=str(tenant.id), name=tenant.name, slug=tenant.slug, role=role, created_at=tenant.created_at
    )


def _flags_out(tenant: Tenant, settings: Settings) -> list[FeatureFlagOut]:
    values = service.effective_flags(tenant, settings)
    overrides = tenant.feature_flags or {}
    return [
        FeatureFlagOut(
            key=key,
            env_var=flag.env_var,
            description=flag.description,
            value=values[key],
            default=flag.default(settings),
            overridden=key in overrides,
        )
        for key, flag in service.FEATURE_FLAGS.items()
    ]


@router.get("", response_model=list[TenantOut], responses=ERROR_RESPONSES)
async def list_tenants(user: CurrentUserDep, session: SessionDep) -> list[TenantOut]:
    """The tenants the signed-in user belongs to, with their role in each."""
    return [_tenant_out(t, role) for t, role in await service.tenants_of(session, user.id)]


@router.post("", response_model=TenantOut, status_code=status.HTTP_201_CREATED, responses=ERROR_RESPONSES)
async def create_tenant(
    body: TenantCreate, request: Request, user: CurrentUserDep, session: SessionDep
) -> TenantOut:
    """Create a tenant; the caller becomes its owner."""
    tenant = await service.create_tenant(session, user, body.name, request_id=request_id_of(request))
    return _tenant_out(tenant, "owner")


async def _tenant(session: SessionDep, access: TenantAccess) -> Tenant:
    tenant = await service.get_tenant(session, access.tenant_id)
    assert tenant is not None  # the member's tenant (memberships reference it)
    return tenant


@router.get("/{tenant_id}", response_model=TenantOut, responses=ERROR_RESPONSES)
async def get_tenant(access: TenantMember, session: SessionDep) -> TenantOut:
    return _tenant_out(await _tenant(session, access), access.role)


@router.get("/{tenant_id}/members", response_model=list[MemberOut], responses=ERROR_RESPONSES)
async def list_members(access: TenantMember, session: SessionDep) -> list[MemberOut]:
    rows = await service.members(session, access.tenant_id)
    return [
        MemberOut(
            user_id=str(user.id),
            email=user.email,
            name=user.name,
            role=membership.role,
            has_signed_up=user.password_hash is not None or user.clerk_user_id is not None,
            created_at=membership.created_at,
        )
        for membership, user in rows
    ]


@router.patch(
    "/{tenant_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ERROR_RESPONSES
)
async def change_member_role(
    user_id: uuid.UUID, body: MemberRoleChange, access: OwnerRoleChange, session: SessionDep
) -> Response:
    await service.change_role(session, access.tenant_id, access.role, access.actor, user_id, body.role)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete(
    "/{tenant_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ERROR_RESPONSES
)
async def remove_member(user_id: uuid.UUID, access: OwnerRemoval, session: SessionDep) -> Response:
    await service.remove_member(session, access.tenant_id, access.role, access.actor, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{tenant_id}/flags", response_model=list[FeatureFlagOut], responses=ERROR_RESPONSES)
async def get_flags(request: Request, access: TenantMember, session: SessionDep) -> list[FeatureFlagOut]:
    """Feature flags: each one's value for this tenant and the environment's default."""
    return _flags_out(await _tenant(session, access), settings_of(request))


@router.patch("/{tenant_id}/flags", response_model=list[FeatureFlagOut], responses=ERROR_RESPONSES)
async def update_flags(
    body: FeatureFlagsUpdate, request: Request, access: TenantAdmin, session: SessionDep
) -> list[FeatureFlagOut]:
    """Switch flags for this tenant (null restores the environment's default)."""
    settings = settings_of(request)
    tenant = await _tenant(session, access)
    await service.update_flags(session, tenant, settings, access.actor, body.flags)
    return _flags_out(tenant, settings)


@audit_router.get("/tenants/{tenant_id}/audit-logs", response_model=AuditPage, responses=ERROR_RESPONSES)
async def list_audit_logs(
    access: TenantMember,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before_id: Annotated[int | None, Query(description="Entries older than this id (paging).")] = None,
) -> AuditPage:
    return await audit.tenant_log(session, access.tenant_id, limit=limit, before_id=before_id)
