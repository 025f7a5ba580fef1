"""`spapi-saas create-user` creates a user who can sign in, and their tenant."""

from __future__ import annotations

import uuid

import httpx
import pytest

from app.tenants.commands import create_user_command


async def test_create_user_with_tenant_then_sign_in(clean_state: None, client: httpx.AsyncClient) -> None:
    email = f"cli-{uuid.uuid4().hex[:6]}@example.com"
    user_id = await create_user_command(email, "correct-horse-battery", "Cli User", "Cli Tenant")
    assert uuid.UUID(user_id)
    signed_in = await client.post(
        "/api/auth/signin", json={"email": email, "password": "correct-horse-battery"}
    )
    assert signed_in.status_code == 200 and signed_in.json()["id"] == user_id
    # The operator vouches for the address: it counts as verified.
    assert signed_in.json()["email_verified"] is True
    tenants = (await client.get("/api/tenants")).json()
    assert [(t["name"], t["role"]) for t in tenants] == [("Cli Tenant", "owner")]
    with pytest.raises(ValueError, match="already exists"):
        await create_user_command(email, "correct-horse-battery", None, None)


async def test_create_user_refuses_short_passwords() -> None:
    with pytest.raises(ValueError, match="at least 10"):
        await create_user_command("short@example.com", "short", None, None)
