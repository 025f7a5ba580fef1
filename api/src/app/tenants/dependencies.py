"""Tenant access for routes: membership checked on every request, roles enforced.

A tenant the caller does not belong to answers 404, exactly like one that does not exist, so ids
of other tenants reveal nothing. A member whose role is too low gets 403.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from app.audit.service import Actor
from app.auth.dependencies import CurrentUserDep, client_ip
from app.auth.models import User
from app.db.dependencies import SessionDep
from app.kit.errors import Forbidden, NotFound, request_id_of
from app.tenants.models import Tenant
from app.tenants.repository import TenantRepository
from app.tenants.service import ROLE_RANK


@dataclass(frozen=True)
class TenantAccess:
    tenant: Tenant
    role: str
    user: User
    actor: Actor

    @property
    def tenant_id(self) -> uuid.UUID:
        return self.tenant.id


async def load_tenant_access(
    tenant_id: uuid.UUID, request: Request, user: CurrentUserDep, session: SessionDep
) -> TenantAccess:
    found = await TenantRepository(session).for_member(tenant_id, user.id)
    if found is None:
        raise NotFound("tenant not found")
    tenant, role = found
    return TenantAccess(tenant, role, user, Actor(user.id, client_ip(request), request_id_of(request)))


def require_role(minimum: str) -> Callable[[TenantAccess], Awaitable[TenantAccess]]:
    async def check(access: Annotated[TenantAccess, Depends(load_tenant_access)]) -> TenantAccess:
        if ROLE_RANK[access.role] < ROLE_RANK[minimum]:
            raise Forbidden(f"this needs the {minimum} role or higher in the tenant (you are {access.role})")
        return access

    return check


# `tenant_id` comes from the path (/tenants/{tenant_id}/...) or the query (?tenant_id=...).
TenantMember = Annotated[TenantAccess, Depends(load_tenant_access)]
TenantAdmin = Annotated[TenantAccess, Depends(require_role("admin"))]
TenantOwner = Annotated[TenantAccess, Depends(require_role("owner"))]
