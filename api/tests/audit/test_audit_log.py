"""The audit log API: newest first, keyset paging, tenant isolation, no secrets in entries."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.auth.helpers import as_user, sign_up, sign_up_verified
from tests.tenants.helpers import join


async def test_paging_and_isolation(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    tenant_id = (await client.post("/api/tenants", json={"name": "Audited"})).json()["id"]
    for value in (True, False, True, False):
        await client.patch(f"/api/tenants/{tenant_id}/flags", json={"flags": {"use_data_kiosk": value}})

    first = (await client.get(f"/api/tenants/{tenant_id}/audit-logs", params={"limit": 3})).json()
    assert len(first["items"]) == 3 and first["next_before_id"] == first["items"][-1]["id"]
    rest = (
        await client.get(
            f"/api/tenants/{tenant_id}/audit-logs", params={"limit": 3, "before_id": first["next_before_id"]}
        )
    ).json()
    ids = [e["id"] for e in first["items"] + rest["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 5
    assert rest["next_before_id"] is None
    assert rest["items"][-1]["action"] == "tenant.created"
    assert all(e["request_id"] for e in first["items"])

    other = as_user(client)
    await sign_up(other)
    own = (await other.post("/api/tenants", json={"name": "Other"})).json()["id"]
    assert (await other.get(f"/api/tenants/{tenant_id}/audit-logs")).status_code == 404
    mine = (await other.get(f"/api/tenants/{own}/audit-logs")).json()["items"]
    assert [e["action"] for e in mine] == ["tenant.created"]


async def test_viewers_can_read_the_log(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await sign_up(client)
    tenant_id = (await client.post("/api/tenants", json={"name": "Audited"})).json()["id"]
    viewer = as_user(client)
    user = await sign_up_verified(viewer, session)
    await join(client, viewer, session, tenant_id, "viewer")
    log = await viewer.get(f"/api/tenants/{tenant_id}/audit-logs")
    assert log.status_code == 200
    joined, invited = log.json()["items"][:2]
    assert joined["action"] == "member.joined" and joined["actor_email"] == user["email"]
    assert {k: joined["data"][k] for k in ("email", "role")} == {"email": user["email"], "role": "viewer"}
    assert invited["action"] == "member.invited"
    assert invited["data"] == {"email": user["email"], "role": "viewer"}
