"""Need-to-know permissions and the second factor, as route dependencies.

A permission is held by roles (`PERMISSIONS`); `buyer_pii` (a buyer's address, on demand) only by
owners and admins: viewers see orders without PII. Amazon's Data Protection Policy also wants MFA
for anyone who can reach PII, and the issue wants it for owners' owner-only powers.

`require_mfa` answers 403 `mfa_required` when the caller has no second factor (the panel sends
them to enrol) and 403 `mfa_step_up_required` when they have one but this session has not proved
it (the panel asks for a code: POST /api/auth/mfa/verify). Routes behind it (keep this current):

- `GET /api/orders/{order_id}/address` (`BuyerPiiReader`: owners and admins, with MFA);
- every owner-only action, that is whatever grants, changes or removes the owner role
  (`require_mfa_for_owner_role`, the one check all of them use):
  `PATCH /api/tenants/{tenant_id}/members/{user_id}` when the member's old or new role is owner
  (`OwnerRoleChange`), `DELETE` of the same path when the member is an owner (`OwnerRemoval`),
  `POST /api/tenants/{tenant_id}/invitations` with the role owner or replacing an open owner
  invitation of that address (`OwnerInvitation`), and
  `DELETE /api/tenants/{tenant_id}/invitations/{invitation_id}` of an owner invitation
  (`OwnerInvitationRevoke`).
  Everything else on those routes (an admin promoting a viewer) needs no second factor.

A route only owners may use at all takes `TenantOwner` (defined here, not with the other roles
in `tenants.dependencies`, so that no owner-only route can be written without the second factor).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from app.auth.dependencies import client_ip, settings_of
from app.auth.mfa_service import MfaService, Requester, SessionRef
from app.db.dependencies import SessionDep
from app.kit.errors import Forbidden, request_id_of
from app.tenants.dependencies import TenantAccess, load_tenant_access, require_role
from app.tenants.invitation_repository import InvitationRepository
from app.tenants.invitation_schemas import InvitationCreate
from app.tenants.schemas import MemberRoleChange
from app.tenants.service import role_of

PERMISSIONS: dict[str, frozenset[str]] = {
    "buyer_pii": frozenset({"owner", "admin"}),
}

# What a member without the permission is told (the panel shows the same sentence).
PERMISSION_DENIED = {"buyer_pii": "Only owners and admins can see buyer addresses"}


class MfaRequired(Forbidden):
    code = "mfa_required"


class MfaStepUpRequired(Forbidden):
    code = "mfa_step_up_required"


async def require_mfa(request: Request, session: SessionDep, access: TenantAccess) -> None:
    service = MfaService(
        session,
        keys=settings_of(request).security.encryption_keys,
        redis=request.app.state.redis,
        requester=Requester(client_ip(request), request_id_of(request)),
    )
    if not await service.is_enabled(access.user_id):
        raise MfaRequired("turn on two-factor authentication (Security, in the panel) to do this")
    ref = SessionRef.of(access.session_key, access.via) if access.session_key else None
    if await service.session_verified_at(access.user_id, ref) is None:
        raise MfaStepUpRequired("enter a code from your authenticator app to continue")


def require_permission(permission: str) -> Callable[..., Awaitable[TenantAccess]]:
    """The member's role holds `permission`, and the session has proved a second factor."""
    roles = PERMISSIONS[permission]

    async def check(
        request: Request, session: SessionDep, access: Annotated[TenantAccess, Depends(load_tenant_access)]
    ) -> TenantAccess:
        if access.role not in roles:
            raise Forbidden(PERMISSION_DENIED[permission], code="permission_denied")
        await require_mfa(request, session, access)
        return access

    return check


TenantAdminAccess = Annotated[TenantAccess, Depends(require_role("admin"))]


async def require_mfa_for_owner_role(
    request: Request, session: SessionDep, access: TenantAccess, *roles: str | None
) -> TenantAccess:
    """An action touching these roles (old and new) is owner-only when one of them is owner: an
    owner doing it needs a session verified with MFA. Anyone else is refused by the service
    (`may_manage`) with the reason, not sent to enrol for something they may not do anyway."""
    if access.role == "owner" and "owner" in roles:
        await require_mfa(request, session, access)
    return access


async def require_mfa_for_owner_role_change(
    user_id: uuid.UUID,
    body: MemberRoleChange,
    request: Request,
    session: SessionDep,
    access: TenantAdminAccess,
) -> TenantAccess:
    """`body` is the route's own body (FastAPI reads it once for both)."""
    old_role = await role_of(session, access.tenant_id, user_id)
    return await require_mfa_for_owner_role(request, session, access, body.role, old_role)


async def require_mfa_for_owner_removal(
    user_id: uuid.UUID, request: Request, session: SessionDep, access: TenantAdminAccess
) -> TenantAccess:
    old_role = await role_of(session, access.tenant_id, user_id)
    return await require_mfa_for_owner_role(request, session, access, old_role)


async def require_mfa_for_owner_invitation(
    body: InvitationCreate, request: Request, session: SessionDep, access: TenantAdminAccess
) -> TenantAccess:
    """Inviting an owner grants the owner role; inviting the address again replaces (revokes) its
    open invitation, an owner one included."""
    previous = await InvitationRepository(session).open_for(access.tenant_id, body.email)
    previous_role = previous.role if previous is not None else None
    return await require_mfa_for_owner_role(request, session, access, body.role, previous_role)


async def require_mfa_for_owner_invitation_revoke(
    invitation_id: uuid.UUID, request: Request, session: SessionDep, access: TenantAdminAccess
) -> TenantAccess:
    invitation = await InvitationRepository(session).get(access.tenant_id, invitation_id)
    role = invitation.role if invitation is not None else None
    return await require_mfa_for_owner_role(request, session, access, role)


async def require_owner_with_mfa(
    request: Request, session: SessionDep, access: Annotated[TenantAccess, Depends(require_role("owner"))]
) -> TenantAccess:
    await require_mfa(request, session, access)
    return access


BuyerPiiReader = Annotated[TenantAccess, Depends(require_permission("buyer_pii"))]
OwnerRoleChange = Annotated[TenantAccess, Depends(require_mfa_for_owner_role_change)]
OwnerRemoval = Annotated[TenantAccess, Depends(require_mfa_for_owner_removal)]
OwnerInvitation = Annotated[TenantAccess, Depends(require_mfa_for_owner_invitation)]
OwnerInvitationRevoke = Annotated[TenantAccess, Depends(require_mfa_for_owner_invitation_revoke)]
TenantOwner = Annotated[TenantAccess, Depends(require_owner_with_mfa)]
