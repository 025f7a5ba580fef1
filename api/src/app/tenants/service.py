"""Tenants, memberships and feature flags. Services never commit: the unit of work does."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor
from app.auth.models import User
from app.auth.service import user_by_id
from app.kit.errors import AppError, Forbidden, NotFound
from app.settings import Settings
from app.tenants.models import Membership, Tenant
from app.tenants.repository import MembershipRepository, TenantRepository

ROLE_RANK = {"viewer": 0, "admin": 1, "owner": 2}


@dataclass(frozen=True)
class FeatureFlag:
    key: str
    env_var: str
    description: str

    def default(self, settings: Settings) -> bool:
        return bool(getattr(settings.sync, self.env_var.lower()))


# Per-tenant switches; the default of each is its environment variable (installation-wide).
FEATURE_FLAGS = {
    flag.key: flag
    for flag in (
        FeatureFlag(
            "use_data_kiosk",
            "FEATURE_USE_DATA_KIOSK",
            "Use Data Kiosk queries instead of Reports API reports (same results in the panel).",
        ),
    )
}


def effective_flags(tenant: Tenant, settings: Settings) -> dict[str, bool]:
    """Each flag's value for this tenant: its override, else the environment's default."""
    overrides = tenant.feature_flags or {}
    return {
        key: bool(overrides[key]) if key in overrides else flag.default(settings)
        for key, flag in FEATURE_FLAGS.items()
    }


def flag_enabled(tenant: Tenant, settings: Settings, key: str) -> bool:
    return effective_flags(tenant, settings)[key]


def _slug(name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80] or "tenant"
    # A random suffix keeps slugs unique without a read-then-write race.
    return f"{base}-{secrets.token_hex(3)}"


async def access_by_session(
    session: AsyncSession, token_hash: str, now: datetime, idle_since: datetime, tenant_id: uuid.UUID
) -> tuple[uuid.UUID, str | None, datetime] | None:
    """(user id, role in the tenant or None, session last seen) for a live session; None when the
    session is not live."""
    return await TenantRepository(session).access_by_session(token_hash, now, idle_since, tenant_id)


async def role_of(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> str | None:
    """The user's role in the tenant; None when the user is not a member."""
    return await TenantRepository(session).role_of(tenant_id, user_id)


async def tenants_of(session: AsyncSession, user_id: uuid.UUID) -> list[tuple[Tenant, str]]:
    """The user's tenants with their role in each, by name."""
    return await TenantRepository(session).list_for_user(user_id)


async def get_tenant(session: AsyncSession, tenant_id: uuid.UUID) -> Tenant | None:
    return await TenantRepository(session).get(tenant_id)


async def members(session: AsyncSession, tenant_id: uuid.UUID) -> list[tuple[Membership, User]]:
    return await MembershipRepository(session).list_with_users(tenant_id)


async def membership(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> Membership | None:
    return await MembershipRepository(session).get(tenant_id, user_id)


async def create_tenant(session: AsyncSession, owner: User, name: str, *, request_id: str | None) -> Tenant:
    tenant = await TenantRepository(session).add(name=name.strip(), slug=_slug(name))
    await MembershipRepository(session).add(tenant.id, owner.id, "owner")
    await Actor(owner.id, request_id=request_id).record(
        session,
        tenant.id,
        "tenant.created",
        target_type="tenant",
        target_id=str(tenant.id),
        data={"name": name},
    )
    return tenant


async def _email_of(session: AsyncSession, user_id: uuid.UUID) -> str | None:
    user = await user_by_id(session, user_id)
    return user.email if user else None


def may_manage(actor_role: str, old_role: str | None, new_role: str | None) -> None:
    """Admins manage admins and viewers; only owners grant, change or remove the owner role."""
    if ROLE_RANK[actor_role] < ROLE_RANK["admin"]:
        raise Forbidden("only owners and admins manage members")
    if "owner" in (old_role, new_role) and actor_role != "owner":
        raise Forbidden("only an owner can grant, change or remove the owner role")


async def change_role(
    session: AsyncSession, tenant_id: uuid.UUID, actor_role: str, actor: Actor, user_id: uuid.UUID, role: str
) -> None:
    members = MembershipRepository(session)
    membership = await members.get(tenant_id, user_id)
    if membership is None:
        raise NotFound("member not found")
    may_manage(actor_role, membership.role, role)
    old_role = membership.role  # the UPDATE below refreshes the loaded object
    if old_role == role:
        return
    if old_role == "owner" and await members.lock_owners(tenant_id) <= 1:
        raise AppError("a tenant needs at least one owner", code="last_owner", status_code=409)
    await members.set_role(tenant_id, user_id, role)
    await actor.record(
        session,
        tenant_id,
        "member.role_changed",
        target_type="user",
        target_id=str(user_id),
        data={"from": old_role, "to": role, "email": await _email_of(session, user_id)},
    )


async def remove_member(
    session: AsyncSession, tenant_id: uuid.UUID, actor_role: str, actor: Actor, user_id: uuid.UUID
) -> None:
    members = MembershipRepository(session)
    membership = await members.get(tenant_id, user_id)
    if membership is None:
        raise NotFound("member not found")
    old_role = membership.role
    may_manage(actor_role, old_role, None)
    if old_role == "owner" and await members.lock_owners(tenant_id) <= 1:
        raise AppError("a tenant needs at least one owner", code="last_owner", status_code=409)
    await members.remove(tenant_id, user_id)
    await actor.record(
        session,
        tenant_id,
        "member.removed",
        target_type="user",
        target_id=str(user_id),
        data={"role": old_role, "email": await _email_of(session, user_id)},
    )


async def update_flags(
    session: AsyncSession, tenant: Tenant, settings: Settings, actor: Actor, changes: dict[str, bool | None]
) -> dict[str, bool]:
    unknown = sorted(set(changes) - set(FEATURE_FLAGS))
    if unknown:
        raise AppError(f"unknown feature flags: {', '.join(unknown)}", code="unknown_flag", status_code=422)
    before = effective_flags(tenant, settings)
    overrides: dict[str, Any] = dict(tenant.feature_flags or {})
    for key, value in changes.items():
        if value is None:
            overrides.pop(key, None)
        else:
            overrides[key] = value
    await TenantRepository(session).set_feature_flags(tenant.id, overrides)
    tenant.feature_flags = overrides
    after = effective_flags(tenant, settings)
    changed = {key: {"from": before[key], "to": after[key]} for key in after if before[key] != after[key]}
    await actor.record(
        session,
        tenant.id,
        "flags.changed",
        target_type="tenant",
        target_id=str(tenant.id),
        data={"changes": changed, "overrides": overrides},
    )
    return after
