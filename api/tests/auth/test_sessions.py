"""Sign-up, sign-in, sign-out, cookies, CSRF and the login rate limit, over real HTTP calls."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User, UserSession
from app.mail.service import outgoing_mail
from app.settings import get_settings
from tests.auth.helpers import as_user, behind_proxy, random_ip, sign_up


async def test_sign_in_sets_httponly_session_and_readable_csrf_cookie(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await client.post(
        "/api/auth/signup", json={"email": "Ana@Example.com", "password": "correct-horse-battery"}
    )
    assert response.status_code == 202, response.text
    # Sign-up signs nobody in (its answer must not differ for an address that has an account).
    assert response.headers.get_list("set-cookie") == []
    response = await client.post(
        "/api/auth/signin", json={"email": "ana@example.com", "password": "correct-horse-battery"}
    )
    assert response.status_code == 200, response.text
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    csrf_cookie = next(c for c in cookies if c.startswith("csrf_token="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    assert "HttpOnly" not in csrf_cookie
    # Not Secure in test (plain http); production sets it (see test_secure_cookie_in_production).
    assert "Secure" not in session_cookie

    user = await session.scalar(select(User).where(User.email == "Ana@Example.com"))
    assert user is not None and user.password_hash is not None and user.password_hash.startswith("$argon2id$")
    token = client.cookies["session"]
    rows = (await session.scalars(select(UserSession).where(UserSession.user_id == user.id))).all()
    assert [r.id for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]

    me = await client.get("/api/auth/me")
    assert me.status_code == 200 and me.json()["email"] == "Ana@Example.com"


async def test_duplicate_email_gets_the_same_answer_and_changes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await sign_up(client, "dup@example.com")
    other = as_user(client)
    response = await other.post(
        "/api/auth/signup", json={"email": "DUP@example.com", "password": "another-password-1"}
    )
    fresh = await other.post(
        "/api/auth/signup", json={"email": "new-dup@example.com", "password": "another-password-1"}
    )
    assert (
        (response.status_code, response.json())
        == (fresh.status_code, fresh.json())
        == (
            202,
            {"status": "email_sent", "message": fresh.json()["message"]},
        )
    )
    assert response.headers.get_list("set-cookie") == []
    # The account keeps its password; its owner is told someone tried.
    taken = await other.post(
        "/api/auth/signin", json={"email": "dup@example.com", "password": "another-password-1"}
    )
    assert taken.status_code == 401
    assert [m.kind for m in outgoing_mail(session) if m.to.lower() == "dup@example.com"] == [
        "verify_email",
        "already_registered",
    ]


async def test_short_password_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/auth/signup", json={"email": "short@example.com", "password": "short"})
    assert response.status_code == 422


async def test_sign_in_and_sign_out(client: httpx.AsyncClient) -> None:
    await sign_up(client, "in-out@example.com")
    browser = behind_proxy(client, random_ip())
    wrong = await browser.post(
        "/api/auth/signin", json={"email": "in-out@example.com", "password": "wrong-password"}
    )
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_credentials"
    unknown = await browser.post("/api/auth/signin", json={"email": "nobody@example.com", "password": "x"})
    assert (
        unknown.status_code == 401 and unknown.json()["error"]["message"] == wrong.json()["error"]["message"]
    )

    ok = await browser.post(
        "/api/auth/signin", json={"email": "IN-OUT@example.com", "password": "correct-horse-battery"}
    )
    assert ok.status_code == 200
    assert (await browser.get("/api/auth/me")).status_code == 200

    token = browser.cookies["session"]
    no_csrf = await browser.post("/api/auth/signout")
    assert no_csrf.status_code == 403 and no_csrf.json()["error"]["code"] == "csrf_failed"
    out = await browser.post("/api/auth/signout", headers={"X-CSRF-Token": browser.cookies["csrf_token"]})
    assert out.status_code == 204
    # The revoked session is dead even if someone kept the cookie.
    stale = as_user(client)
    stale.cookies.set("session", token)
    assert (await stale.get("/api/auth/me")).status_code == 401


async def test_csrf_token_must_match_the_session(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    forged = "0" * 64
    client.cookies.set("csrf_token", forged)
    response = await client.post("/api/tenants", json={"name": "x"}, headers={"X-CSRF-Token": forged})
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"


async def test_login_lock_per_email_leaves_other_emails_of_the_ip(client: httpx.AsyncClient) -> None:
    email = f"limited-{uuid.uuid4().hex[:8]}@example.com"
    await sign_up(client, email)
    browser = behind_proxy(client, random_ip())
    for _ in range(get_settings().security.signin_max_failures_per_account):
        r = await browser.post("/api/auth/signin", json={"email": email, "password": "nope-nope"})
        assert r.status_code == 401
    blocked = await browser.post(
        "/api/auth/signin", json={"email": email, "password": "correct-horse-battery"}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert blocked.json()["error"]["code"] == "too_many_requests"
    # Another e-mail from the same IP is not affected.
    await sign_up(as_user(client), "other-limited@example.com")
    # (fewer failures than SIGNIN_MAX_FAILURES_PER_IP: the client address is not paused)
    fine = await browser.post(
        "/api/auth/signin", json={"email": "other-limited@example.com", "password": "correct-horse-battery"}
    )
    assert fine.status_code == 200


async def test_me_without_session_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/auth/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_secure_cookie_in_production() -> None:
    """Outside development and test the session cookies are Secure (HTTPS only)."""
    from types import SimpleNamespace

    from fastapi import Response

    from app.auth.dependencies import set_session_cookies
    from app.auth.service import NewSession

    settings = SimpleNamespace(is_production=True, security=SimpleNamespace(session_max_age_sec=60))
    response = Response()
    set_session_cookies(response, settings, NewSession("token", "csrf", datetime.now(UTC)))  # type: ignore[arg-type]
    cookies = response.headers.getlist("set-cookie")
    assert all("Secure" in c and "SameSite=lax" in c for c in cookies)
    assert any(c.startswith("session=") and "HttpOnly" in c for c in cookies)


async def test_tenant_routes_check_session_csrf_and_membership(client: httpx.AsyncClient) -> None:
    """Tenant routes read the session and the membership in one statement: each refusal still
    comes out the same (401 not signed in, 403 CSRF or role, 404 not a member)."""
    await sign_up(client)
    tenant_id = (await client.post("/api/tenants", json={"name": "Acme"})).json()["id"]
    flags = f"/api/tenants/{tenant_id}/flags"
    assert (await client.get(flags)).status_code == 200

    csrf = client.headers.pop("X-CSRF-Token")
    no_csrf = await client.patch(flags, json={"flags": {"use_data_kiosk": True}})
    assert no_csrf.status_code == 403 and no_csrf.json()["error"]["code"] == "csrf_failed"
    client.headers["X-CSRF-Token"] = csrf
    assert (await client.patch(flags, json={"flags": {"use_data_kiosk": True}})).status_code == 200

    stranger = as_user(client)
    await sign_up(stranger)
    assert (await stranger.get(flags)).status_code == 404
    anonymous = as_user(client)
    assert (await anonymous.get(flags)).status_code == 401
    forged = as_user(client)
    forged.cookies.set("session", "not-a-session")
    assert (await forged.get(flags)).status_code == 401

    token = client.cookies["session"]
    assert (await client.post("/api/auth/signout")).status_code == 204
    kept = as_user(client)
    kept.cookies.set("session", token)
    assert (await kept.get(flags)).status_code == 401  # a revoked session opens no tenant
