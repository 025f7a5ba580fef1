"""Owner-only actions need MFA: granting, changing or removing the owner role (the routes are listed
in app/tenants/permissions.py). What an admin may also do needs none."""

from __future__ import annotations

import httpx

from tests.auth.helpers import as_user, sign_up
from tests.auth.mfa_helpers import enrol


async def _join(owner: httpx.AsyncClient, tenant_id: str, role: str) -> dict[str, str]:
    user = await sign_up(as_user(owner))
    added = await owner.post(f"/api/tenants/{tenant_id}/members", json={"email": user["email"], "role": role})
    assert added.status_code == 201, added.text
    return user


async def test_owner_role_changes_need_mfa(client: httpx.AsyncClient) -> None:
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
