"""Signed-in API clients for tests: sign up through the API, then send the CSRF header."""

from __future__ import annotations

import random
import uuid

import httpx


async def sign_up(
    client: httpx.AsyncClient, email: str | None = None, password: str = "correct-horse-battery"
) -> dict[str, str]:
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
    response = await client.post(
        "/api/auth/signup", json={"email": email, "password": password, "name": "Test"}
    )
    assert response.status_code == 201, response.text
    client.headers["X-CSRF-Token"] = client.cookies["csrf_token"]
    user: dict[str, str] = response.json()
    return user


def as_user(app_client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A second browser on the same app (own cookie jar)."""
    return httpx.AsyncClient(transport=app_client._transport, base_url=str(app_client.base_url))


def random_ip() -> str:
    """A documentation address (TEST-NET-2) of its own per call: sign-in counters per client
    address in the shared Redis never mix between tests."""
    return f"198.51.{random.randint(100, 199)}.{random.randint(1, 254)}"


def behind_proxy(app_client: httpx.AsyncClient, ip: str) -> httpx.AsyncClient:
    """A browser whose requests reach the app through the trusted proxy (the test transport's peer
    is 127.0.0.1, the default FORWARDED_ALLOW_IPS) on behalf of client `ip`."""
    browser = as_user(app_client)
    browser.headers["X-Forwarded-For"] = ip
    return browser
