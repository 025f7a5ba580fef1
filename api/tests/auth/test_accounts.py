"""E-mail verification, password reset by e-mail and password change (issue 19, item 1)."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.links import MAX_LINKS_PER_HOUR
from app.auth.models import User
from app.auth.token_models import EmailToken
from app.mail.service import outgoing_mail
from tests.auth.helpers import PASSWORD, as_user, mailed_token, sign_in, sign_up

NEW_PASSWORD = "a-brand-new-passphrase"


def _address() -> str:
    return f"acct-{uuid.uuid4().hex[:8]}@example.com"


def _kinds(session: AsyncSession, email: str) -> list[str]:
    return [m.kind for m in outgoing_mail(session) if m.to.lower() == email.lower()]


async def test_verification_link_works_once(client: httpx.AsyncClient, session: AsyncSession) -> None:
    email = _address()
    await sign_up(client, email)
    me = (await client.get("/api/auth/me")).json()
    assert me["email_verified"] is False
    token = mailed_token(session, email, "verify_email")
    stored = (await session.scalars(select(EmailToken.token_hash).where(EmailToken.email == email))).all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]  # only the hash is kept

    # The link works from any browser (the mailbox is the proof), once.
    assert (await as_user(client).post("/api/auth/verify", json={"token": token})).status_code == 204
    assert (await client.get("/api/auth/me")).json()["email_verified"] is True
    again = await client.post("/api/auth/verify", json={"token": token})
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_link"


async def test_expired_verification_link_and_resend(client: httpx.AsyncClient, session: AsyncSession) -> None:
    email = _address()
    await sign_up(client, email)
    old = mailed_token(session, email, "verify_email")
    await session.execute(update(EmailToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert (await client.post("/api/auth/verify", json={"token": old})).status_code == 400

    resent = await client.post("/api/auth/verify/resend")
    assert resent.status_code == 202
    new = mailed_token(session, email, "verify_email")
    assert new != old
    assert (await client.post("/api/auth/verify", json={"token": new})).status_code == 204
    # Verified: resending sends nothing more.
    await client.post("/api/auth/verify/resend")
    assert _kinds(session, email) == ["verify_email", "verify_email"]


async def test_an_unverified_account_signs_in_and_runs_its_own_tenant(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    created = await client.post("/api/tenants", json={"name": "Mine"})
    assert created.status_code == 201 and created.json()["role"] == "owner"


async def test_reset_answers_the_same_and_mails_only_accounts(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    email = _address()
    await sign_up(client, email)
    known = await client.post("/api/auth/password/forgot", json={"email": email.upper()})
    unknown = await client.post("/api/auth/password/forgot", json={"email": _address()})
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert known.status_code == 202
    assert _kinds(session, email) == ["verify_email", "reset_password"]
    assert [m.kind for m in outgoing_mail(session)] == ["verify_email", "reset_password"]


async def test_reset_sets_the_password_once_and_ends_every_session(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    email = _address()
    await sign_up(client, email)
    other_browser = as_user(client)
    await sign_in(other_browser, email)
    await client.post("/api/auth/password/forgot", json={"email": email})
    token = mailed_token(session, email, "reset_password")
    row = await session.scalar(select(EmailToken).where(EmailToken.purpose == "reset_password"))
    assert row is not None
    assert timedelta(minutes=59) < row.expires_at - datetime.now(UTC) <= timedelta(hours=1)

    anonymous = as_user(client)
    reset = await anonymous.post("/api/auth/password/reset", json={"token": token, "password": NEW_PASSWORD})
    assert reset.status_code == 204, reset.text
    for browser in (client, other_browser):
        assert (await browser.get("/api/auth/me")).status_code == 401
    again = await anonymous.post("/api/auth/password/reset", json={"token": token, "password": "x" * 12})
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_link"
    wrong = await anonymous.post("/api/auth/signin", json={"email": email, "password": PASSWORD})
    assert wrong.status_code == 401
    await sign_in(anonymous, email, NEW_PASSWORD)
    # The link proved the mailbox: the address is verified.
    assert (await anonymous.get("/api/auth/me")).json()["email_verified"] is True


async def test_reset_link_expires(client: httpx.AsyncClient, session: AsyncSession) -> None:
    email = _address()
    await sign_up(client, email)
    await client.post("/api/auth/password/forgot", json={"email": email})
    token = mailed_token(session, email, "reset_password")
    await session.execute(update(EmailToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    late = await client.post("/api/auth/password/reset", json={"token": token, "password": NEW_PASSWORD})
    assert late.status_code == 400


async def test_links_per_hour_are_capped(client: httpx.AsyncClient, session: AsyncSession) -> None:
    email = _address()
    await sign_up(client, email)
    for _ in range(MAX_LINKS_PER_HOUR + 3):
        assert (await client.post("/api/auth/password/forgot", json={"email": email})).status_code == 202
    assert _kinds(session, email).count("reset_password") == MAX_LINKS_PER_HOUR


async def test_change_password_needs_the_current_one(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    email = _address()
    await sign_up(client, email)
    other_browser = as_user(client)
    await sign_in(other_browser, email)
    wrong = await client.post(
        "/api/auth/password/change", json={"current_password": "not-it-at-all", "new_password": NEW_PASSWORD}
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "wrong_password"
    changed = await client.post(
        "/api/auth/password/change", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert changed.status_code == 204
    assert (await client.get("/api/auth/me")).status_code == 200  # this session stays
    assert (await other_browser.get("/api/auth/me")).status_code == 401  # the others end
    user = await session.scalar(select(User).where(User.email == email))
    assert user is not None
    await sign_in(as_user(client), email, NEW_PASSWORD)
