"""Sign-in throttling with the real client address: a per-account cool-down, a per-address limit
against spraying, X-Forwarded-For believed only from the trusted proxy, and no enumeration."""

from __future__ import annotations

import asyncio
import random
import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditLog
from app.settings import get_settings
from tests.auth.helpers import behind_proxy, random_ip, sign_up

PASSWORD = "correct-horse-battery"


def _email() -> str:
    return f"guess-{uuid.uuid4().hex[:10]}@example.com"


async def _fail(browser: httpx.AsyncClient, email: str) -> httpx.Response:
    return await browser.post("/api/auth/signin", json={"email": email, "password": "wrong-guess-1"})


@pytest.fixture
def small_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    _set(monkeypatch, signin_max_failures_per_ip=3, signin_max_failures_per_account=4)


def _set(monkeypatch: pytest.MonkeyPatch, **values: int) -> None:
    """Settings for one test (a code without them fails the test on behaviour, not here)."""
    security = get_settings().security
    for name, value in values.items():
        if hasattr(security, name):
            monkeypatch.setattr(security, name, value)


async def test_spraying_from_one_address_is_paused_while_other_addresses_go_on(
    client: httpx.AsyncClient, small_limits: None
) -> None:
    """Behind the trusted proxy, two client addresses are counted apart: the one that sprays
    wrong passwords over many accounts is paused, for any e-mail, the other is not."""
    await sign_up(client, victim := _email())
    sprayer, bystander = random_ip(), random_ip()
    spraying = behind_proxy(client, sprayer)
    for _ in range(3):
        assert (await _fail(spraying, _email())).status_code == 401
    paused = await spraying.post("/api/auth/signin", json={"email": victim, "password": PASSWORD})
    assert paused.status_code == 429, paused.text
    assert paused.json()["error"]["code"] == "too_many_requests"
    assert 0 < int(paused.headers["retry-after"]) <= 15 * 60

    other = behind_proxy(client, bystander)
    assert (await _fail(other, _email())).status_code == 401
    ok = await other.post("/api/auth/signin", json={"email": victim, "password": PASSWORD})
    assert ok.status_code == 200, ok.text


async def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(
    app: FastAPI, session: AsyncSession, small_limits: None
) -> None:
    """A client talking to the API directly cannot pick the address it is counted (and audited)
    under by sending X-Forwarded-For: its own address is used."""
    peer = f"203.0.113.{random.randint(1, 254)}"
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as direct:
        for forged in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
            direct.headers["X-Forwarded-For"] = forged
            assert (await _fail(direct, _email())).status_code == 401
        direct.headers["X-Forwarded-For"] = "198.51.100.4"
        assert (await _fail(direct, _email())).status_code == 429
    ips = (
        await session.scalars(
            select(AuditLog.ip).where(AuditLog.action == "auth.sign_in_failed", AuditLog.ip == peer)
        )
    ).all()
    assert len(ips) == 3


async def test_the_audit_log_records_the_real_client_address(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await sign_up(client, email := _email())
    ip = random_ip()
    browser = behind_proxy(client, ip)
    assert (
        await browser.post("/api/auth/signin", json={"email": email, "password": PASSWORD})
    ).status_code == 200
    # The latest sign-in (`sign_up` signed in once already, directly from the test client).
    entry = await session.scalar(
        select(AuditLog)
        .where(AuditLog.action == "auth.sign_in", AuditLog.actor_user_id == uuid.UUID(user["id"]))
        .order_by(AuditLog.id.desc())
        .limit(1)
    )
    assert entry is not None and entry.tenant_id is None and str(entry.ip) == ip


async def test_failures_from_anywhere_lock_the_account_for_a_cool_down_only(
    client: httpx.AsyncClient, session: AsyncSession, small_limits: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guesses spread over many addresses still lock the account (10 by default, 4 here); the
    lock is a pause (SIGNIN_LOCKOUT_SEC), not a permanent denial, and is audited."""
    _set(monkeypatch, signin_lockout_sec=2)
    user = await sign_up(client, email := _email())
    for _ in range(4):
        assert (await _fail(behind_proxy(client, random_ip()), email)).status_code == 401
    owner = behind_proxy(client, random_ip())
    locked = await owner.post("/api/auth/signin", json={"email": email, "password": PASSWORD})
    assert locked.status_code == 429
    assert locked.json()["error"]["message"].startswith("Too many sign-in attempts. Try again in")
    lock_entry = await session.scalar(
        select(AuditLog).where(
            AuditLog.action == "auth.account_locked", AuditLog.actor_user_id == uuid.UUID(user["id"])
        )
    )
    assert lock_entry is not None and lock_entry.data == {"lockout_s": 2}

    await asyncio.sleep(2.2)
    after = await owner.post("/api/auth/signin", json={"email": email, "password": PASSWORD})
    assert after.status_code == 200, after.text


async def test_answers_do_not_tell_which_addresses_have_accounts(
    client: httpx.AsyncClient, session: AsyncSession, small_limits: None
) -> None:
    """Unknown e-mail and wrong password answer alike; the lock answers alike for both too; the
    failed attempt on an unknown address is audited with a keyed hash, never the address."""
    await sign_up(client, known := _email())
    unknown = _email()
    answers = {}
    for email in (known, unknown):
        browser = behind_proxy(client, random_ip())
        first = await _fail(browser, email)
        for _ in range(3):
            await _fail(behind_proxy(client, random_ip()), email)
        fifth = await _fail(behind_proxy(client, random_ip()), email)
        answers[email] = (first.status_code, first.json()["error"]["code"], first.json()["error"]["message"])
        answers[email] += (fifth.status_code, fifth.json()["error"]["code"], fifth.json()["error"]["message"])
    assert answers[known] == answers[unknown]
    assert answers[known][:2] == (401, "invalid_credentials") and answers[known][3:5] == (
        429,
        "too_many_requests",
    )

    entries = (
        await session.scalars(
            select(AuditLog).where(AuditLog.action == "auth.sign_in_failed", AuditLog.actor_user_id.is_(None))
        )
    ).all()
    hashed = [e for e in entries if set(e.data) == {"email_hash"}]
    assert len({e.data["email_hash"] for e in hashed}) >= 1
    assert all(unknown not in str(e.data) and "wrong-guess" not in str(e.data) for e in entries)


async def test_a_success_resets_the_account_count_not_the_address_count(
    client: httpx.AsyncClient, small_limits: None
) -> None:
    """An attacker's own good sign-in must not wipe the count of its failures on others."""
    await sign_up(client, own := _email())
    attacker = behind_proxy(client, random_ip())
    for _ in range(2):
        assert (await _fail(attacker, _email())).status_code == 401
    assert (
        await attacker.post("/api/auth/signin", json={"email": own, "password": PASSWORD})
    ).status_code == 200
    assert (await _fail(attacker, _email())).status_code == 401
    assert (await _fail(attacker, _email())).status_code == 429
