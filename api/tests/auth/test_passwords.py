"""argon2 off the event loop (a burst of sign-ins does not stall other routes) and the policy a
new password meets."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.audit.models import AuditLog
from app.auth import passwords
from app.auth.models import User
from app.main import create_app
from app.settings import get_settings
from tests.auth.helpers import as_user, behind_proxy, random_ip, sign_up


@pytest.fixture
async def served(clean_state: None) -> AsyncIterator[httpx.AsyncClient]:
    """The app as it serves: one unit of work (its own database session) per request, so requests
    really run at once (the audit entries of the failures commit: `clean_state` removes them)."""
    application = create_app(get_settings())
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            yield http


async def test_a_burst_of_sign_ins_does_not_stall_other_routes(
    served: httpx.AsyncClient, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While sign-ins (random e-mails, and wrong passwords for a real account) hash, /health, asked
    for from another thread the moment a verify starts, answers in a fraction of one verify's time:
    the hashes run in the password pool, not on the event loop (on the loop, /health would wait for
    the verify to end). The hashes are made 10x as costly, so one verify clearly outlasts the
    scheduling noise of a loaded machine."""
    client = served
    real = PasswordHasher()
    slow_hasher = PasswordHasher(time_cost=real.time_cost * 10)
    slow = slow_hasher.hash("not-a-real-password-used-only-for-timing")
    monkeypatch.setattr(passwords, "_DUMMY_HASH", slow)
    email = f"burst-{uuid.uuid4().hex[:10]}@example.com"
    assert (await sign_up(as_user(client), email))["email"] == email
    async with engine.begin() as conn:
        await conn.execute(
            update(User)
            .where(User.email == email)
            .values(password_hash=slow_hasher.hash("correct-horse-battery"))
        )
    started = time.perf_counter()
    with pytest.raises(VerifyMismatchError):
        real.verify(slow, "x" * 12)
    one_verify_s = time.perf_counter() - started

    hashing = threading.Event()

    class Watched:
        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def verify(self, password_hash: str, password: str) -> bool:
            hashing.set()
            return real.verify(password_hash, password)

    monkeypatch.setattr(passwords, "_hasher", Watched())
    loop = asyncio.get_running_loop()

    def health_while_hashing() -> tuple[float, int]:
        assert hashing.wait(timeout=120)
        asked_at = time.perf_counter()
        response = asyncio.run_coroutine_threadsafe(client.get("/health"), loop).result(timeout=300)
        return time.perf_counter() - asked_at, response.status_code

    async def bad_sign_in(address: str) -> int:
        browser = behind_proxy(client, random_ip())
        response = await browser.post("/api/auth/signin", json={"email": address, "password": "x" * 12})
        return response.status_code

    assert (await client.get("/health")).status_code == 200  # warm up
    probe = loop.run_in_executor(None, health_while_hashing)
    addresses = [email, f"nobody-{uuid.uuid4().hex[:8]}@example.com"] * 2
    codes = await asyncio.gather(*(bad_sign_in(address) for address in addresses))
    health_s, health_status = await probe

    assert codes == [401] * 4
    assert health_status == 200
    # Each failure is answered (not raised), so its audit entry commits with the request.
    async with engine.connect() as conn:
        failed = await conn.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.action == "auth.sign_in_failed")
        )
    assert failed == 4
    assert health_s < one_verify_s / 2, (health_s, one_verify_s)


async def test_hashing_runs_in_the_pool_and_an_unknown_email_still_costs_one_verify(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown e-mail is checked against the dummy hash (its answer takes as long as a wrong
    password's, so timing tells nothing), in a thread of the password pool."""
    calls: list[tuple[str, str]] = []
    real = passwords._hasher

    class Watched:
        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

        def verify(self, password_hash: str, password: str) -> bool:
            calls.append((password_hash, threading.current_thread().name))
            return real.verify(password_hash, password)

    monkeypatch.setattr(passwords, "_hasher", Watched())
    browser = behind_proxy(client, random_ip())
    response = await browser.post(
        "/api/auth/signin",
        json={"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com", "password": "whatever-1"},
    )
    assert response.status_code == 401
    assert calls == [(passwords._DUMMY_HASH, calls[0][1] if calls else "")]
    assert calls[0][1].startswith("passwords") and calls[0][1] != threading.main_thread().name


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "at least 10 characters"),
        ("x" * 129, "at most 128 characters"),
        ("password1234", "most common passwords"),
        ("QwertyUIOP12", "most common passwords"),
        ("iloveyou12345", "similar to a commonly used password"),
        ("ana.silva-rocks", "e-mail address"),
        ("aaaaaaaaaaaa", "aaa"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password: str, reason: str) -> None:
    from app.auth.passwords import WeakPassword, check_password_policy

    with pytest.raises(WeakPassword) as refused:
        check_password_policy(password, "Ana.Silva@example.com")
    assert refused.value.issues and reason.lower() in refused.value.message.lower()


@pytest.mark.parametrize(
    "password", ["correct-horse-battery", "Tr0ub4dor&3x-later", "glimmer otter 7 violin"]
)
def test_strong_passwords_pass(password: str) -> None:
    from app.auth.passwords import check_password_policy

    check_password_policy(password, "ana.silva@example.com")


async def test_sign_up_refuses_a_common_password_with_the_reasons(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/signup",
        json={"email": f"weak-{uuid.uuid4().hex[:6]}@example.com", "password": "password1234"},
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "weak_password"
    assert error["issues"] == ["This is one of the most common passwords; choose another."]
    assert "session" not in client.cookies
