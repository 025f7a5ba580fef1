"""Signed-in API clients for tests: sign up through the API, then send the CSRF header; and the
links of the e-mails the API would send (read from the request session's outbox: in-process tests
never commit, so nothing is really sent; `tests/fixtures/mail.py` catches real sends)."""

from __future__ import annotations

import random
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.mail.catcher import LINK
from app.mail.service import outgoing_mail

PASSWORD = "correct-horse-battery"


async def sign_up(
    client: httpx.AsyncClient, email: str | None = None, password: str = PASSWORD
) -> dict[str, str]:
    """Sign up (an unverified account), then sign in as it."""
    email = email or f"user-{uuid.uuid4().hex[:10]}@example.com"
    response = await client.post(
        "/api/auth/signup", json={"email": email, "password": password, "name": "Test"}
    )
    assert response.status_code == 202, response.text
    return await sign_in(client, email, password)


async def sign_in(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> dict[str, str]:
    response = await client.post("/api/auth/signin", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = client.cookies["csrf_token"]
    user: dict[str, str] = response.json()
    return user


def mailed_token(session: AsyncSession, email: str, kind: str) -> str:
    """The token of the latest link of this kind mailed to `email` in this test."""
    for mail in reversed(outgoing_mail(session)):
        if mail.to.lower() == email.lower() and mail.kind == kind:
            return token_of(mail.text)
    raise AssertionError(f"no {kind} mail to {email}")


def token_of(text: str) -> str:
    link = LINK.search(text)
    assert link is not None, text
    return fragment_token(link.group(0))


def fragment_token(link: str) -> str:
    """The token of a mailed link: in its fragment, which browsers never send to a server; the query
    (it reaches access logs and Referer headers) holds nothing."""
    parts = urlsplit(link)
    assert parts.query == "", link
    return parse_qs(parts.fragment)["token"][0]


async def verify(client: httpx.AsyncClient, session: AsyncSession, email: str) -> None:
    """Open the verification link mailed to `email`."""
    token = mailed_token(session, email, "verify_email")
    response = await client.post("/api/auth/verify", json={"token": token})
    assert response.status_code == 204, response.text


async def sign_up_verified(
    client: httpx.AsyncClient, session: AsyncSession, email: str | None = None
) -> dict[str, str]:
    user = await sign_up(client, email)
    await verify(client, session, user["email"])
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
