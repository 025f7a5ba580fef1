"""Invitations: single-use e-mailed links, accepted only by a verified account of the invited
address; pending invitations visible to owners and admins only (issue 19, "An invitation can be
taken over")."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.tenants.invitation_models import Invitation
from tests.auth.helpers import as_user, mailed_token, sign_up, sign_up_verified, verify
from tests.auth.mfa_helpers import enrol
from tests.tenants.helpers import invite, new_member


async def _owner_with_tenant(client: httpx.AsyncClient, name: str = "Acme Agency") -> str:
    await sign_up(client)
    response = await client.post("/api/tenants", json={"name": name})
    assert response.status_code == 201, response.text
    tenant_id: str = response.json()["id"]
    return tenant_id


def _address() -> str:
    return f"invitee-{uuid.uuid4().hex[:8]}@example.com"


async def _tenants(browser: httpx.AsyncClient) -> list[tuple[str, str]]:
    return [(t["id"], t["role"]) for t in (await browser.get("/api/tenants")).json()]


async def test_viewer_cannot_see_pending_invitations(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    tenant_id = await _owner_with_tenant(client)
    viewer, _ = await new_member(client, session, tenant_id, "viewer")
    admin, _ = await new_member(client, session, tenant_id, "admin")
    email = _address()
    await invite(client, tenant_id, email, "admin")

    denied = await viewer.get(f"/api/tenants/{tenant_id}/invitations")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "forbidden"
    # Nor does the members list show the invited address (it did, as a member "not signed up yet").
    members = (await viewer.get(f"/api/tenants/{tenant_id}/members")).json()
    assert email not in [m["email"] for m in members]
    for reader in (client, admin):
        pending = (await reader.get(f"/api/tenants/{tenant_id}/invitations")).json()
        assert [(i["email"], i["role"], i["expired"]) for i in pending] == [(email, "admin", False)]


async def test_first_to_sign_up_with_an_invited_address_gets_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    tenant_id = await _owner_with_tenant(client)
    await enrol(client)  # inviting an owner needs MFA
    email = _address()
    await invite(client, tenant_id, email, "owner")
    attacker = as_user(client)
    await sign_up(attacker, email)
    assert await _tenants(attacker) == []
    # Even holding the link (say, a forwarded message), an unverified account cannot accept it.
    token = mailed_token(session, email, "invitation")
    refused = await attacker.post("/api/invitations/accept", json={"token": token})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "email_not_verified"
    assert await _tenants(attacker) == []


async def test_an_address_registered_before_the_invitation_gets_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    email = _address()
    attacker = as_user(client)
    await sign_up(attacker, email)
    tenant_id = await _owner_with_tenant(client)
    response = await client.post(
        f"/api/tenants/{tenant_id}/invitations", json={"email": email, "role": "admin"}
    )
    assert response.status_code == 201, response.text
    assert await _tenants(attacker) == []
    members = (await client.get(f"/api/tenants/{tenant_id}/members")).json()
    assert email not in [m["email"] for m in members]


async def test_the_invitee_verifies_then_accepts_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    tenant_id = await _owner_with_tenant(client, "Invited Co")
    email = _address()
    await invite(client, tenant_id, email.upper(), "admin")
    token = mailed_token(session, email, "invitation")

    preview = await as_user(client).post("/api/invitations/lookup", json={"token": token})
    assert preview.status_code == 200
    assert {k: preview.json()[k] for k in ("tenant_name", "role", "email")} == {
        "tenant_name": "Invited Co",
        "role": "admin",
        "email": email.upper(),
    }

    invitee = as_user(client)
    await sign_up(invitee, email)
    assert (await invitee.get("/api/auth/me")).json()["email_verified"] is False
    await verify(invitee, session, email)
    assert (await invitee.get("/api/auth/me")).json()["email_verified"] is True
    accepted = await invitee.post("/api/invitations/accept", json={"token": token})
    assert accepted.status_code == 200, accepted.text
    assert (accepted.json()["id"], accepted.json()["role"]) == (tenant_id, "admin")
    assert await _tenants(invitee) == [(tenant_id, "admin")]

    again = await invitee.post("/api/invitations/accept", json={"token": token})
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_link"
    assert (await client.get(f"/api/tenants/{tenant_id}/invitations")).json() == []
    log = (await client.get(f"/api/tenants/{tenant_id}/audit-logs")).json()["items"]
    assert [e["action"] for e in log[:2]] == ["member.joined", "member.invited"]
    # The token is stored only as its hash.
    stored = (
        await session.scalars(select(Invitation.token_hash).where(Invitation.email == email.upper()))
    ).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


async def test_only_the_invited_address_can_accept(client: httpx.AsyncClient, session: AsyncSession) -> None:
    tenant_id = await _owner_with_tenant(client)
    email = _address()
    await invite(client, tenant_id, email, "viewer")
    token = mailed_token(session, email, "invitation")
    someone_else = as_user(client)
    await sign_up_verified(someone_else, session)
    refused = await someone_else.post("/api/invitations/accept", json={"token": token})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "wrong_account"
    assert await _tenants(someone_else) == []
    # The link still works for its address.
    invitee = as_user(client)
    await sign_up_verified(invitee, session, email)
    assert (await invitee.post("/api/invitations/accept", json={"token": token})).status_code == 200


async def test_revoked_expired_and_replaced_links_do_not_work(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    tenant_id = await _owner_with_tenant(client)
    email = _address()
    invitee = as_user(client)
    await sign_up_verified(invitee, session, email)

    revoked: dict[str, Any] = await invite(client, tenant_id, email, "viewer")
    revoked_token = mailed_token(session, email, "invitation")
    gone = await client.delete(f"/api/tenants/{tenant_id}/invitations/{revoked['id']}")
    assert gone.status_code == 204
    assert (await client.delete(f"/api/tenants/{tenant_id}/invitations/{revoked['id']}")).status_code == 404
    refused = await invitee.post("/api/invitations/accept", json={"token": revoked_token})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_link"

    await invite(client, tenant_id, email, "viewer")
    replaced_token = mailed_token(session, email, "invitation")
    latest = await invite(client, tenant_id, email, "admin")
    latest_token = mailed_token(session, email, "invitation")
    assert (await invitee.post("/api/invitations/accept", json={"token": replaced_token})).status_code == 400

    await session.execute(
        update(Invitation)
        .where(Invitation.id == uuid.UUID(latest["id"]))
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    listed = (await client.get(f"/api/tenants/{tenant_id}/invitations")).json()
    assert [(i["id"], i["expired"]) for i in listed] == [(latest["id"], True)]
    expired = await invitee.post("/api/invitations/accept", json={"token": latest_token})
    assert expired.status_code == 400
    lookup = await invitee.post("/api/invitations/lookup", json={"token": latest_token})
    assert lookup.status_code == 400 and lookup.json()["error"]["code"] == "invalid_link"
    assert await _tenants(invitee) == []
    log = (await client.get(f"/api/tenants/{tenant_id}/audit-logs")).json()["items"]
    assert "invitation.revoked" in [e["action"] for e in log]


async def test_role_rules_for_invitations(client: httpx.AsyncClient, session: AsyncSession) -> None:
    tenant_id = await _owner_with_tenant(client)
    admin, _ = await new_member(client, session, tenant_id, "admin")
    # Granting the owner role by invitation needs a session verified with MFA, as PATCH does.
    unverified = await client.post(
        f"/api/tenants/{tenant_id}/invitations", json={"email": _address(), "role": "owner"}
    )
    assert unverified.status_code == 403 and unverified.json()["error"]["code"] == "mfa_required"
    await enrol(client)
    owner_invite = await invite(client, tenant_id, _address(), "owner")
    # An admin neither grants the owner role nor withdraws an owner's invitation.
    assert (
        await admin.delete(f"/api/tenants/{tenant_id}/invitations/{owner_invite['id']}")
    ).status_code == 403
    denied = await admin.post(
        f"/api/tenants/{tenant_id}/invitations", json={"email": _address(), "role": "owner"}
    )
    assert denied.status_code == 403
    # Members are not invited again.
    me = (await admin.get("/api/auth/me")).json()["email"]
    again = await client.post(f"/api/tenants/{tenant_id}/invitations", json={"email": me, "role": "viewer"})
    assert again.status_code == 409
