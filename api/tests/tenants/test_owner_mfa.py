"""Owner-only actions need MFA: granting, changing or removing the owner role (the routes are listed
in app/tenants/permissions.py). What an admin may also do needs none."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

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
