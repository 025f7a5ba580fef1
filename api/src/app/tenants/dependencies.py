"""Tenant access for routes: membership checked on every request, roles enforced.

A tenant the caller does not belong to answers 404, exactly like one that does not exist, so ids
of other tenants reveal nothing. A member whose role is too low gets 403.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request

from app.audit.service import Actor
from app.auth.dependencies import SESSION_COOKIE, check_csrf, client_ip, optional_principal, settings_of
from app.auth.service import hash_session_token, session_seen
from app.db.dependencies import SessionDep
from app.kit.errors import Forbidden, NotFound, Unauthenticated, request_id_of
from app.tenants.service import ROLE_RANK, access_by_session, role_of


@dataclass(frozen=True)
class TenantAccess:
    tenant_id: uuid.UUID
    role: str
    user_id: uuid.UUID
    actor: Actor
    # The caller's session (what its MFA mark is kept on): the session cookie's token or Clerk's id.
    session_key: str = ""
    via: str = "session"


async def load_tenant_access(tenant_id: uuid.UUID, request: Request, session: SessionDep) -> TenantAccess:
    """Signed in, CSRF-checked, and a member. With the session cookie (the panel) that is one
    statement; otherwise (a Clerk token, or a cookie that is no longer live) the general sign-in
    path of `app.auth.dependencies`, then the membership."""
    token = request.cookies.get(SESSION_COOKIE)
    found = None
    if token:
        now = datetime.now(UTC)
        idle_since = now - timedelta(seconds=settings_of(request).security.session_idle_timeout_sec)
        token_hash = hash_session_token(token)
        found = await access_by_session(session, token_hash, now, idle_since, tenant_id)
    if found is not None:
        assert token is not None
        user_id, role, last_seen_at = found
        session_key, via = token, "session"
        check_csrf(request, token, "session")
        await session_seen(session, token_hash, last_seen_at, now)
    else:
        principal = await optional_principal(request, session)
        if principal is None:
            raise Unauthenticated("not signed in")
        check_csrf(request, principal.session_key, principal.via)
        user_id = principal.user.id
        session_key, via = principal.session_key, principal.via
        role = await role_of(session, tenant_id, user_id)
    if role is None:
        raise NotFound("tenant not found")
    actor = Actor(user_id, client_ip(request), request_id_of(request))
    return TenantAccess(tenant_id, role, user_id, actor, session_key, via)


def require_role(minimum: str) -> Callable[[TenantAccess], Awaitable[TenantAccess]]:
    async def check(access: Annotated[TenantAccess, Depends(load_tenant_access)]) -> TenantAccess:
        if ROLE_RANK[access.role] < ROLE_RANK[minimum]:
            raise Forbidden(f"this needs the {minimum} role or higher in the tenant (you are {access.role})")
        return access

    return check


# `tenant_id` comes from the path (/tenants/{tenant_id}/...) or the query (?tenant_id=...).
TenantMember = Annotated[TenantAccess, Depends(load_tenant_access)]
TenantAdmin = Annotated[TenantAccess, Depends(require_role("admin"))]
# Owner-only routes take `app.tenants.permissions.TenantOwner`: it also wants the second factor.
