"""Tenants, members, roles, feature flags and tenant isolation over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.auth.helpers import as_user, sign_up
from tests.auth.mfa_helpers import enrol
from tests.tenants.helpers import new_member


async def _tenant(client: httpx.AsyncClient, name: str = "Acme Agency") -> dict[str, Any]:
    response = await client.post("/api/tenants", json={"name": name})
    assert response.status_code == 201, response.text
    tenant: dict[str, Any] = response.json()
    return tenant


async def test_create_and_list_tenants(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    assert (await client.get("/api/tenants")).json() == []
    tenant = await _tenant(client)
    assert tenant["role"] == "owner" and tenant["name"] == "Acme Agency"
    listed = (await client.get("/api/tenants")).json()
    assert [t["id"] for t in listed] == [tenant["id"]]
    assert (await client.get(f"/api/tenants/{tenant['id']}")).json()["role"] == "owner"


async def test_other_tenants_answer_404(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    tenant = await _tenant(client)
    stranger = as_user(client)
    await sign_up(stranger)
    tid = tenant["id"]
    for method, path, body in [
        ("GET", f"/api/tenants/{tid}", None),
        ("GET", f"/api/tenants/{tid}/members", None),
        ("GET", f"/api/tenants/{tid}/invitations", None),
        ("POST", f"/api/tenants/{tid}/invitations", {"email": "x@example.com", "role": "viewer"}),
        ("DELETE", f"/api/tenants/{tid}/invitations/{uuid.uuid4()}", None),
        ("GET", f"/api/tenants/{tid}/flags", None),
        ("PATCH", f"/api/tenants/{tid}/flags", {"flags": {"use_data_kiosk": True}}),
        ("GET", f"/api/tenants/{tid}/audit-logs", None),
        ("GET", f"/api/tenants/{uuid.uuid4()}", None),
    ]:
        response = await stranger.request(method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"]["code"] == "not_found"
    assert (await stranger.get("/api/tenants")).json() == []


@pytest.mark.parametrize("role", ["viewer", "admin", "owner"])
async def test_role_permissions(client: httpx.AsyncClient, session: AsyncSession, role: str) -> None:
    await sign_up(client)
    tenant = await _tenant(client)
    tid = tenant["id"]
    member, _ = await new_member(client, session, tid, role)
    _, target = await new_member(client, session, tid, "viewer")

    can_admin = role in ("admin", "owner")
    flags = await member.patch(f"/api/tenants/{tid}/flags", json={"flags": {"use_data_kiosk": True}})
    assert flags.status_code == (200 if can_admin else 403)
    add = await member.post(
        f"/api/tenants/{tid}/invitations", json={"email": f"n-{uuid.uuid4().hex[:6]}@x.io", "role": "viewer"}
    )
    assert add.status_code == (201 if can_admin else 403)
    invite_owner = await member.post(
        f"/api/tenants/{tid}/invitations", json={"email": f"o-{uuid.uuid4().hex[:6]}@x.io", "role": "owner"}
    )
    if role == "owner":
        # Inviting an owner grants the owner role: it needs MFA too.
        assert invite_owner.status_code == 403 and invite_owner.json()["error"]["code"] == "mfa_required"
    else:
        assert invite_owner.status_code == 403
    promote = await member.patch(f"/api/tenants/{tid}/members/{target['id']}", json={"role": "admin"})
    assert promote.status_code == (204 if can_admin else 403)
    make_owner = await member.patch(f"/api/tenants/{tid}/members/{target['id']}", json={"role": "owner"})
    if role == "owner":
        # Granting the owner role is an owner-only action: it needs MFA (app/tenants/permissions.py).
        assert make_owner.status_code == 403 and make_owner.json()["error"]["code"] == "mfa_required"
        await enrol(member)
        make_owner = await member.patch(f"/api/tenants/{tid}/members/{target['id']}", json={"role": "owner"})
        invite_owner = await member.post(
            f"/api/tenants/{tid}/invitations",
            json={"email": f"o-{uuid.uuid4().hex[:6]}@x.io", "role": "owner"},
        )
        assert invite_owner.status_code == 201, invite_owner.text
    assert make_owner.status_code == (204 if role == "owner" else 403)
    # Everyone can read.
    assert (await member.get(f"/api/tenants/{tid}/members")).status_code == 200
    assert (await member.get(f"/api/tenants/{tid}/audit-logs")).status_code == 200
    if role == "viewer":
        assert flags.json()["error"]["code"] == "forbidden"


async def test_last_owner_cannot_leave_or_be_demoted(client: httpx.AsyncClient) -> None:
    owner = await sign_up(client)
    await enrol(client)
    tenant = await _tenant(client)
    response = await client.patch(
        f"/api/tenants/{tenant['id']}/members/{owner['id']}", json={"role": "admin"}
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "last_owner"
    response = await client.delete(f"/api/tenants/{tenant['id']}/members/{owner['id']}")
    assert response.status_code == 409


async def test_feature_flags_default_to_environment_and_are_audited(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    tenant = await _tenant(client)
    tid = tenant["id"]
    flags = (await client.get(f"/api/tenants/{tid}/flags")).json()
    assert flags == [
        {
            "key": "use_data_kiosk",
            "env_var": "FEATURE_USE_DATA_KIOSK",
            "description": flags[0]["description"],
            "value": False,
            "default": False,
            "overridden": False,
        }
    ]
    on = (await client.patch(f"/api/tenants/{tid}/flags", json={"flags": {"use_data_kiosk": True}})).json()
    assert on[0]["value"] is True and on[0]["overridden"] is True
    reset = (await client.patch(f"/api/tenants/{tid}/flags", json={"flags": {"use_data_kiosk": None}})).json()
    assert reset[0]["value"] is False and reset[0]["overridden"] is False
    bad = await client.patch(f"/api/tenants/{tid}/flags", json={"flags": {"nope": True}})
    assert bad.status_code == 422

    log = (await client.get(f"/api/tenants/{tid}/audit-logs")).json()["items"]
    assert [e["action"] for e in log] == ["flags.changed", "flags.changed", "tenant.created"]
    assert log[1]["data"]["changes"] == {"use_data_kiosk": {"from": False, "to": True}}
    assert log[0]["actor_email"] is not None


async def test_member_changes_are_audited(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await sign_up(client)
    tenant = await _tenant(client)
    tid = tenant["id"]
    _, user = await new_member(client, session, tid, "viewer")
    await client.patch(f"/api/tenants/{tid}/members/{user['id']}", json={"role": "admin"})
    await client.delete(f"/api/tenants/{tid}/members/{user['id']}")
    log = (await client.get(f"/api/tenants/{tid}/audit-logs")).json()["items"]
    assert [e["action"] for e in log] == [
        "member.removed",
        "member.role_changed",
        "member.joined",
        "member.invited",
        "tenant.created",
    ]
    assert log[1]["data"] == {"from": "viewer", "to": "admin", "email": user["email"]}
    assert log[0]["data"] == {"role": "admin", "email": user["email"]}
