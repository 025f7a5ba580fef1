"""SQL for invitations. The tenant's reads are scoped by tenant; an invitation is found across
tenants only by its token's hash (the invitee does not know the tenant yet)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.tenants.invitation_models import Invitation
from app.tenants.models import Tenant


class InvitationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        tenant_id: uuid.UUID,
        email: str,
        role: str,
        token_hash: str,
        invited_by: uuid.UUID,
        expires_at: datetime,
    ) -> Invitation:
        invitation = Invitation(
            tenant_id=tenant_id,
            email=email,
            role=role,
            token_hash=token_hash,
            invited_by=invited_by,
            expires_at=expires_at,
        )
        self.session.add(invitation)
        await self.session.flush()
        return invitation

    async def open_for(self, tenant_id: uuid.UUID, email: str) -> Invitation | None:
        """The tenant's open (neither accepted nor revoked) invitation of an address."""
        result = await self.session.scalar(
            select(Invitation).where(
                Invitation.tenant_id == tenant_id,
                func.lower(Invitation.email) == email.strip().lower(),
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
        )
        return result

    async def get(self, tenant_id: uuid.UUID, invitation_id: uuid.UUID) -> Invitation | None:
        result = await self.session.scalar(
            select(Invitation).where(Invitation.tenant_id == tenant_id, Invitation.id == invitation_id)
        )
        return result

    async def list_open(self, tenant_id: uuid.UUID) -> list[Invitation]:
        """The tenant's open invitations (expired ones too: the panel offers to send them again)."""
        rows = await self.session.scalars(
            select(Invitation)
            .where(
                Invitation.tenant_id == tenant_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id)
        )
        return list(rows)

    async def by_token_hash(self, token_hash: str) -> tuple[Invitation, Tenant] | None:
        row = (
            await self.session.execute(
                select(Invitation, Tenant)
                .join(Tenant, Tenant.id == Invitation.tenant_id)
                .where(Invitation.token_hash == token_hash)
            )
        ).first()
        return None if row is None else (row[0], row[1])

    async def revoke(self, tenant_id: uuid.UUID, invitation_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(Invitation)
            .where(
                Invitation.tenant_id == tenant_id,
                Invitation.id == invitation_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .values(revoked_at=now)
        )

    async def mark_accepted(
        self, tenant_id: uuid.UUID, invitation_id: uuid.UUID, user_id: uuid.UUID, now: datetime
    ) -> bool:
        """Accept a live invitation; False when it was accepted, revoked or expired meanwhile (one
        statement: of two concurrent accepts, one wins)."""
        accepted = await self.session.scalar(
            update(Invitation)
            .where(
                Invitation.tenant_id == tenant_id,
                Invitation.id == invitation_id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
            .values(accepted_at=now, accepted_by=user_id)
            .returning(Invitation.id)
        )
        return accepted is not None
