"""Owner-only actions need MFA: granting, changing or removing the owner role, by membership or by
invitation, and any route for owners only (the routes are listed in app/tenants/permissions.py).
What an admin may also do needs none."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.tenants.permissions import TenantOwner
from tests.auth.helpers import sign_up
from tests.auth.mfa_helpers import enrol
from tests.tenants.helpers import new_member


async def test_owner_role_changes_need_mfa(client: httpx.AsyncClient, session: AsyncSession) -> None:
    async def _join(owner: httpx.AsyncClient, tenant_id: str, role: str) -> dict[str, str]:
        return (await new_member(owner, session, tenant_id, role))[1]

    await sign_up(client)
    tid = (await client.post("/api/tenants", json={"name": "Owners"})).json()["id"]
    viewer = await _join(client, tid, "viewer")
    co_owner = await _join(client, tid, "owner")

    # Not an owner-only action: no second factor needed.
    promote = await client.patch(f"/api/tenants/{tid}/members/{viewer['id']}", json={"role": "admin"})
    assert promote.status_code == 204
    for method, path, body in [
        ("PATCH", f"/api/tenants/{tid}/members/{viewer['id']}", {"role": "owner"}),
        ("PATCH", f"/api/tenants/{tid}/members/{co_owner['id']}", {"role": "viewer"}),
        ("DELETE", f"/api/tenants/{tid}/members/{co_owner['id']}", None),
    ]:
        response = await client.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["error"]["code"] == "mfa_required"

    await enrol(client)
    removed = await client.delete(f"/api/tenants/{tid}/members/{co_owner['id']}")
    assert removed.status_code == 204
    granted = await client.patch(f"/api/tenants/{tid}/members/{viewer['id']}", json={"role": "owner"})
    assert granted.status_code == 204


async def test_owner_invitations_need_mfa(client: httpx.AsyncClient, session: AsyncSession) -> None:
    """Inviting an owner, replacing an owner's open invitation and revoking it are owner-only:
    an owner without MFA is sent to enrol, an admin is refused for the role."""
    await sign_up(client)
    tid = (await client.post("/api/tenants", json={"name": "Invites"})).json()["id"]
    co_owner, _ = await new_member(client, session, tid, "owner")
    admin, _ = await new_member(client, session, tid, "admin")
    invitations = f"/api/tenants/{tid}/invitations"

    refused = await client.post(invitations, json={"email": "boss@example.com", "role": "owner"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "mfa_required", refused.text
    await enrol(client)
    invited = await client.post(invitations, json={"email": "boss@example.com", "role": "owner"})
    assert invited.status_code == 201, invited.text
    revoke = f"{invitations}/{invited.json()['id']}"

    # The co-owner has no second factor yet; the admin may not touch an owner invitation at all.
    for member, code in [(co_owner, "mfa_required"), (admin, "forbidden")]:
        replaced = await member.post(invitations, json={"email": "boss@example.com", "role": "viewer"})
        assert replaced.status_code == 403 and replaced.json()["error"]["code"] == code, replaced.text
        revoked = await member.delete(revoke)
        assert revoked.status_code == 403 and revoked.json()["error"]["code"] == code, revoked.text
    # Not owner-only: an admin without MFA invites a viewer.
    helper = await admin.post(invitations, json={"email": "helper@example.com", "role": "viewer"})
    assert helper.status_code == 201, helper.text

    await enrol(co_owner)
    assert (await co_owner.delete(revoke)).status_code == 204
    pending = await client.get(invitations)
    assert [i["email"] for i in pending.json()] == ["helper@example.com"]


async def test_a_route_for_owners_only_needs_mfa(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """`TenantOwner` (the dependency an owner-only route takes) wants the second factor too."""

    async def probe(access: TenantOwner) -> dict[str, str]:
        return {"role": access.role}

    app.add_api_route("/api/tenants/{tenant_id}/owner-probe", probe, methods=["GET"])
    app.router.routes.insert(0, app.router.routes.pop())  # before the API's catch-all 404
    await sign_up(client)
    tid = (await client.post("/api/tenants", json={"name": "Probe"})).json()["id"]
    admin, _ = await new_member(client, session, tid, "admin")
    await enrol(admin)
    assert (await admin.get(f"/api/tenants/{tid}/owner-probe")).status_code == 403

    refused = await client.get(f"/api/tenants/{tid}/owner-probe")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "mfa_required", refused.text
    await enrol(client)
    allowed = await client.get(f"/api/tenants/{tid}/owner-probe")
    assert allowed.status_code == 200 and allowed.json() == {"role": "owner"}
