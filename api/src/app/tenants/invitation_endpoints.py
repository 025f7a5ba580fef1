"""Invitation routes: owners and admins invite, list and revoke; the invitee looks the link up and
accepts it while signed in with the invited, verified address."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response, status

from app.auth.dependencies import CurrentUserDep, client_ip, settings_of
from app.db.dependencies import SessionDep
from app.kit.errors import ERROR_RESPONSES, request_id_of
from app.tenants import invitations
from app.tenants.dependencies import TenantAdmin
from app.tenants.invitation_models import Invitation
from app.tenants.invitation_schemas import (
    InvitationCreate,
    InvitationOut,
    InvitationPreview,
    InvitationToken,
)
from app.tenants.permissions import OwnerInvitation, OwnerInvitationRevoke
from app.tenants.schemas import TenantOut

router = APIRouter(tags=["invitations"])


def _out(invitation: Invitation, now: datetime) -> InvitationOut:
    return InvitationOut(
        id=str(invitation.id),
        email=invitation.email,
        role=invitation.role,
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        expired=invitation.expires_at <= now,
    )


@router.get("/tenants/{tenant_id}/invitations", response_model=list[InvitationOut], responses=ERROR_RESPONSES)
async def list_invitations(access: TenantAdmin, session: SessionDep) -> list[InvitationOut]:
    """Pending invitations (owners and admins only: addresses and roles are not for viewers)."""
    now = datetime.now(UTC)
    return [_out(i, now) for i in await invitations.pending(session, access.tenant_id)]


@router.post(
    "/tenants/{tenant_id}/invitations",
    response_model=InvitationOut,
    status_code=status.HTTP_201_CREATED,
    responses=ERROR_RESPONSES,
)
async def create_invitation(
    body: InvitationCreate, request: Request, access: OwnerInvitation, session: SessionDep
) -> InvitationOut:
    """Invite an address with a role (up to the inviter's own rank); the address gets a link by
    e-mail. Inviting an address again replaces its pending invitation. Inviting an owner (or
    replacing an owner's invitation) is granting the owner role: like PATCH of a member's role to
    owner, it needs a session verified with MFA (`tenants/permissions.py`)."""
    invitation = await invitations.invite(
        session,
        settings_of(request),
        access.tenant_id,
        access.role,
        access.actor,
        email=body.email,
        role=body.role,
    )
    return _out(invitation, datetime.now(UTC))


@router.delete(
    "/tenants/{tenant_id}/invitations/{invitation_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERROR_RESPONSES,
)
async def revoke_invitation(
    invitation_id: uuid.UUID, access: OwnerInvitationRevoke, session: SessionDep
) -> Response:
    """Revoke a pending invitation: its link stops working. An owner invitation only by an owner,
    in a session verified with MFA."""
    await invitations.revoke(session, access.tenant_id, access.role, access.actor, invitation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/invitations/lookup", response_model=InvitationPreview, responses=ERROR_RESPONSES)
async def lookup_invitation(body: InvitationToken, session: SessionDep) -> InvitationPreview:
    """What a working invitation link offers (tenant, role, invited address); 400 when it no
    longer works."""
    invitation, tenant = await invitations.live_invitation(session, body.token)
    return InvitationPreview(
        tenant_name=tenant.name,
        role=invitation.role,
        email=invitation.email,
        expires_at=invitation.expires_at,
    )


@router.post("/invitations/accept", response_model=TenantOut, responses=ERROR_RESPONSES)
async def accept_invitation(
    body: InvitationToken, request: Request, user: CurrentUserDep, session: SessionDep
) -> TenantOut:
    """Join the invitation's tenant: signed in with the invited address, verified (403 otherwise)."""
    tenant, role = await invitations.accept(
        session, user, body.token, ip=client_ip(request), request_id=request_id_of(request)
    )
    return TenantOut(
        id=str(tenant.id),
        name=tenant.name,
        slug=tenant.slug,
        role=role,
        created_at=tenant.created_at,
    )
