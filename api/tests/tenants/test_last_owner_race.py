"""The last-owner rule holds when two owners demote (or remove) each other at the same time, each
on its own connection: one change goes through, the other is refused, one owner is left."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.audit.service import Actor
from app.auth.repository import UserRepository
from app.kit.errors import AppError
from app.tenants.models import Membership
from app.tenants.repository import MembershipRepository
from app.tenants.service import change_role, remove_member
from tests.factories.tenants import make_tenant

Change = Callable[[AsyncSession, uuid.UUID, uuid.UUID, uuid.UUID], Awaitable[None]]


async def _demote(session: AsyncSession, tenant_id: uuid.UUID, actor: uuid.UUID, target: uuid.UUID) -> None:
    await change_role(session, tenant_id, "owner", Actor(actor), target, "viewer")


async def _remove(session: AsyncSession, tenant_id: uuid.UUID, actor: uuid.UUID, target: uuid.UUID) -> None:
    await remove_member(session, tenant_id, "owner", Actor(actor), target)


@pytest.mark.parametrize("change", [_demote, _remove], ids=["demote", "remove"])
async def test_two_owners_changing_each_other_at_once_leave_one(
    engine: AsyncEngine, clean_state: None, change: Change
) -> None:
    async with AsyncSession(engine, expire_on_commit=False) as setup:
        tenant = await make_tenant(setup, "Two Owners")
        users = UserRepository(setup)
        alice = await users.add(email=f"alice-{uuid.uuid4().hex[:6]}@example.com", name=None)
        bob = await users.add(email=f"bob-{uuid.uuid4().hex[:6]}@example.com", name=None)
        members = MembershipRepository(setup)
        await members.add(tenant.id, alice.id, "owner")
        await members.add(tenant.id, bob.id, "owner")
        await setup.commit()

    async with AsyncSession(engine) as first, AsyncSession(engine) as second:
        # Alice's change is made and not yet committed when Bob's starts.
        await change(first, tenant.id, alice.id, bob.id)
        bobs = asyncio.create_task(change(second, tenant.id, bob.id, alice.id))
        await asyncio.sleep(0.5)  # Bob's change runs as far as it can: it must wait for Alice's
        assert not bobs.done(), "the second change did not wait for the first one's owners lock"
        await first.commit()
        with pytest.raises(AppError) as refused:
            await bobs
        assert refused.value.code == "last_owner"
        await second.rollback()

    async with AsyncSession(engine) as check:
        owners = await check.scalar(
            select(func.count()).where(Membership.tenant_id == tenant.id, Membership.role == "owner")
        )
    assert owners == 1
