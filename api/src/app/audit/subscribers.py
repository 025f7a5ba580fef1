"""Audit entries for what lower domains publish (they cannot import the audit domain)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.auth.mfa_events import MfaChanged
from app.kit.events import subscriber


@subscriber(MfaChanged)
async def record_mfa_change(session: AsyncSession, event: MfaChanged) -> None:
    """A user's own security setting: no tenant, the user is both actor and target."""
    await record(
        session,
        tenant_id=None,
        actor_user_id=event.user_id,
        action=event.action,
        target_type="user",
        target_id=str(event.user_id),
        ip=event.ip,
        request_id=event.request_id,
    )
