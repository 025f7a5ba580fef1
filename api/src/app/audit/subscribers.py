"""The audit log's subscribers: what lower domains announce and the log keeps (they cannot import
the audit domain).

Account events (`app.auth.events.AccountEvent`: sign-in, failed sign-in, lockout, sign-out, sign-out
everywhere) and second-factor changes (`app.auth.mfa_events.MfaChanged`) are written with no
tenant: they are about a user, not about a tenant's data, and a copy in each of the user's tenants
would show one tenant's admins where the user signs in for another. `audit_logs.tenant_id` is
already NULL for installation-wide events; the user's entries are found by `actor_user_id`
(indexed). They are written in the publisher's unit of work, so the sign-in endpoint answers a
failure without raising: the failed attempt's entry commits.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.auth.events import AccountEvent
from app.auth.mfa_events import MfaChanged
from app.kit.events import subscriber


@subscriber(AccountEvent)
async def record_account_event(session: AsyncSession, event: AccountEvent) -> None:
    await record(
        session,
        tenant_id=None,
        actor_user_id=event.user_id,
        action=event.action,
        target_type="user" if event.user_id else None,
        target_id=str(event.user_id) if event.user_id else None,
        data=dict(event.data),
        ip=event.ip,
        request_id=event.request_id,
    )


@subscriber(MfaChanged)
async def record_mfa_change(session: AsyncSession, event: MfaChanged) -> None:
    """A user's own security setting: the user is both actor and target."""
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
