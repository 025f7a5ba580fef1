"""Members for tests: invited by an owner or admin, accepted by a verified account of the address."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.tenants.models import Membership
from tests.auth.helpers import as_user, mailed_token, sign_up_verified


async def invite(owner: httpx.AsyncClient, tenant_id: str, email: str, role: str) -> dict[str, Any]:
    response = await owner.post(f"/api/tenants/{tenant_id}/invitations", json={"email": email, "role": role})
    assert response.status_code == 201, response.text
    invitation: dict[str, Any] = response.json()
    return invitation


async def join(
    owner: httpx.AsyncClient, member: httpx.AsyncClient, session: AsyncSession, tenant_id: str, role: str
) -> None:
    """`member` (signed in, verified) joins the tenant with `role`, invited by `owner`."""
    email = (await member.get("/api/auth/me")).json()["email"]
    await invite(owner, tenant_id, email, role)
    token = mailed_token(session, email, "invitation")
    accepted = await member.post("/api/invitations/accept", json={"token": token})
    assert accepted.status_code == 200, accepted.text


async def new_member(
    owner: httpx.AsyncClient, session: AsyncSession, tenant_id: str, role: str
) -> tuple[httpx.AsyncClient, dict[str, str]]:
    """A new verified user who joined the tenant with `role`: their client and their user.

    A co-owner joins as an admin and is made owner in the database: inviting an owner needs the
    inviter's MFA (`tenants/permissions.py`), which the tests of owners without MFA must not have."""
    browser = as_user(owner)
    user = await sign_up_verified(browser, session)
    await join(owner, browser, session, tenant_id, "admin" if role == "owner" else role)
    if role == "owner":
        await session.execute(
            update(Membership)
            .where(Membership.tenant_id == uuid.UUID(tenant_id), Membership.user_id == uuid.UUID(user["id"]))
            .values(role="owner")
        )
        await session.flush()
    return browser, user
