"""Invitations: how someone joins a tenant.

An owner or admin invites an address with a role (up to their own rank, as for members); the
address gets a single-use link that expires. The invitation becomes a membership only when a user
signed in with exactly that address (case-insensitive), verified, presents the link's token. So an
account registered for the address beforehand gains nothing by itself, whoever signs up first gains
nothing without the mailbox, and the pending list (addresses and roles) is for owners and admins.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor
from app.auth.links import InvalidLink, hash_link_token, link_url
from app.auth.models import User
from app.auth.service import user_by_id
from app.kit.errors import Conflict, Forbidden, NotFound
from app.mail.service import Mail, send_after_commit
from app.settings import Settings
from app.tenants.invitation_models import Invitation
from app.tenants.invitation_repository import InvitationRepository
from app.tenants.models import Tenant
from app.tenants.repository import MembershipRepository
from app.tenants.service import get_tenant, may_manage, members

INVITATION_TTL = timedelta(days=7)


async def invite(
    session: AsyncSession,
    settings: Settings,
    tenant_id: uuid.UUID,
    actor_role: str,
    actor: Actor,
    *,
    email: str,
    role: str,
) -> Invitation:
    """Invite an address (again: the open invitation it had is replaced, its link dies)."""
    may_manage(actor_role, None, role)
    email = email.strip()
    if any(user.email.lower() == email.lower() for _, user in await members(session, tenant_id)):
        raise Conflict("this person is already a member of the tenant")
    invitations = InvitationRepository(session)
    now = datetime.now(UTC)
    previous = await invitations.open_for(tenant_id, email)
    if previous is not None:
        may_manage(actor_role, None, previous.role)
        await invitations.revoke(tenant_id, previous.id, now)
    token = secrets.token_urlsafe(32)
    assert actor.user_id is not None
    invitation = await invitations.add(
        tenant_id=tenant_id,
        email=email,
        role=role,
        token_hash=hash_link_token(token),
        invited_by=actor.user_id,
        expires_at=now + INVITATION_TTL,
    )
    tenant = await get_tenant(session, tenant_id)
    inviter = await user_by_id(session, actor.user_id)
    assert tenant is not None and inviter is not None
    send_after_commit(session, _invitation_mail(settings, invitation, tenant, inviter, token))
    await actor.record(
        session,
        tenant_id,
        "member.invited",
        target_type="invitation",
        target_id=str(invitation.id),
        data={"email": email, "role": role},
    )
    return invitation


async def pending(session: AsyncSession, tenant_id: uuid.UUID) -> list[Invitation]:
    return await InvitationRepository(session).list_open(tenant_id)


async def revoke(
    session: AsyncSession, tenant_id: uuid.UUID, actor_role: str, actor: Actor, invitation_id: uuid.UUID
) -> None:
    invitations = InvitationRepository(session)
    invitation = await invitations.get(tenant_id, invitation_id)
    if invitation is None or invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise NotFound("invitation not found (or no longer pending)")
    may_manage(actor_role, None, invitation.role)
    await invitations.revoke(tenant_id, invitation_id, datetime.now(UTC))
    await actor.record(
        session,
        tenant_id,
        "invitation.revoked",
        target_type="invitation",
        target_id=str(invitation_id),
        data={"email": invitation.email, "role": invitation.role},
    )


async def live_invitation(session: AsyncSession, token: str) -> tuple[Invitation, Tenant]:
    """The invitation of a link that still works (not accepted, revoked or expired); InvalidLink else."""
    found = await InvitationRepository(session).by_token_hash(hash_link_token(token))
    if found is None:
        raise InvalidLink()
    invitation, tenant = found
    now = datetime.now(UTC)
    if invitation.accepted_at or invitation.revoked_at or invitation.expires_at <= now:
        raise InvalidLink()
    return invitation, tenant


async def accept(
    session: AsyncSession, user: User, token: str, *, ip: str | None, request_id: str | None
) -> tuple[Tenant, str]:
    """Join the tenant of the invitation; the user must be signed in with the invited, verified
    address. Returns the tenant and the user's role in it."""
    invitation, tenant = await live_invitation(session, token)
    if user.email_verified_at is None:
        raise Forbidden(
            "verify your e-mail address before accepting an invitation", code="email_not_verified"
        )
    if user.email.strip().lower() != invitation.email.strip().lower():
        raise Forbidden(
            "this invitation was sent to another e-mail address: sign in with that address to accept it",
            code="wrong_account",
        )
    now = datetime.now(UTC)
    invitations = InvitationRepository(session)
    if not await invitations.mark_accepted(tenant.id, invitation.id, user.id, now):
        raise InvalidLink()
    memberships = MembershipRepository(session)
    existing = await memberships.get(tenant.id, user.id)
    if existing is not None:
        return tenant, existing.role
    await memberships.add(tenant.id, user.id, invitation.role)
    await Actor(user.id, ip, request_id).record(
        session,
        tenant.id,
        "member.joined",
        target_type="user",
        target_id=str(user.id),
        data={"email": user.email, "role": invitation.role, "invitation_id": str(invitation.id)},
    )
    return tenant, invitation.role


def _invitation_mail(
    settings: Settings, invitation: Invitation, tenant: Tenant, inviter: User, token: str
) -> Mail:
    url = link_url(settings, "/invitations/accept", token)
    days = INVITATION_TTL.days
    who = f"{inviter.name} ({inviter.email})" if inviter.name else inviter.email
    return Mail(
        to=invitation.email,
        subject=f"You are invited to {tenant.name}",
        text=(
            f"{who} invited you to join {tenant.name} as {invitation.role}.\n\n"
            f"Accept here (sign up or sign in with this address first):\n\n{url}\n\n"
            f"The link works once and expires in {days} days. If you did not expect it, ignore "
            "this message.\n"
        ),
        kind="invitation",
    )
