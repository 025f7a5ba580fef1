"""A control character in a typed field is refused with 422, never a 500: PostgreSQL stores no NUL
in text, and a NUL that reached a query (a look-up by address, an insert of a name) answered 500.
Found by the fuzzing (test_fuzz.py: POST /api/tenants/{tenant_id}/invitations)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.auth.helpers import PASSWORD, as_user, sign_up

NUL = "a\x00b@example.com"
BELL = "ab@exa\x07mple.com"

SIGNED_OUT: list[tuple[str, dict[str, Any]]] = [
    ("/api/auth/signup", {"email": NUL, "password": PASSWORD}),
    ("/api/auth/signup", {"email": BELL, "password": PASSWORD}),
    ("/api/auth/signup", {"email": "named@example.com", "password": PASSWORD, "name": "A\x00"}),
    ("/api/auth/signin", {"email": NUL, "password": PASSWORD}),
    ("/api/auth/password/forgot", {"email": NUL}),
]


@pytest.mark.parametrize(("path", "body"), SIGNED_OUT)
async def test_signed_out_routes_refuse_control_characters(
    client: httpx.AsyncClient, path: str, body: dict[str, Any]
) -> None:
    response = await client.post(path, json=body)
    assert response.status_code == 422, response.text


async def test_tenant_routes_refuse_control_characters(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    named = await client.post("/api/tenants", json={"name": "Acme\x00"})
    assert named.status_code == 422, named.text
    tenant = await client.post("/api/tenants", json={"name": "Acme"})
    assert tenant.status_code == 201, tenant.text
    for email in (NUL, BELL):
        invited = await client.post(
            f"/api/tenants/{tenant.json()['id']}/invitations", json={"email": email, "role": "viewer"}
        )
        assert invited.status_code == 422, invited.text
    # A plain address still works (the shape did not get stricter than an address).
    invited = await client.post(
        f"/api/tenants/{tenant.json()['id']}/invitations",
        json={"email": "o'brien+tag@sub.example.co.uk", "role": "viewer"},
    )
    assert invited.status_code == 201, invited.text
    assert (
        await as_user(client).post("/api/auth/signin", json={"email": "x@y.z", "password": "p"})
    ).status_code == 401
