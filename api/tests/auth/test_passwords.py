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

from app.auth import passwords
from app.main import create_app
from app.settings import get_settings
from tests.auth.helpers import behind_proxy, random_ip


@pytest.fixture
async def served(clean_tables: None) -> AsyncIterator[httpx.AsyncClient]:
    """The app as it serves: one unit of work (its own database session) per request, so requests
    really run at once (the audit entries of the failures commit: `clean_tables` removes them)."""
    application = create_app(get_settings())
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
            yield http


async def test_a_burst_of_sign_ins_does_not_stall_other_routes(served: httpx.AsyncClient) -> None:
    """While many sign-ins with random e-mails hash at once, a cheap route still answers quickly:
    the hashes run in the password pool, not on the event loop."""
    client = served
    hasher = PasswordHasher()
    started = time.perf_counter()
    hasher.hash("one hash's cost on this machine")
    one_hash_s = time.perf_counter() - started

    async def bad_sign_in() -> int:
        browser = behind_proxy(client, random_ip())
        email = f"burst-{uuid.uuid4().hex[:10]}@example.com"
        response = await browser.post("/api/auth/signin", json={"email": email, "password": "x" * 12})
        return response.status_code

    burst = [asyncio.create_task(bad_sign_in()) for _ in range(12)]
    await asyncio.sleep(0.05)  # the sign-ins are hashing now
    health_started = time.perf_counter()
    health = await client.get("/health")
    health_s = time.perf_counter() - health_started
    codes = await asyncio.gather(*burst)

    assert health.status_code == 200
    assert codes == [401] * 12
    # On the loop the health check would wait for most of the 12 hashes (~12x one_hash_s).
    assert health_s < max(3 * one_hash_s, 0.1), (health_s, one_hash_s)


async def test_hashing_runs_in_the_pool_and_an_unknown_email_still_costs_one_verify(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bool, str]] = []
    real_verify = passwords._verify

    def spy(password_hash: str | None, password: str) -> bool:
        calls.append((password_hash is None, threading.current_thread().name))
        return real_verify(password_hash, password)

    monkeypatch.setattr(passwords, "_verify", spy)
    browser = behind_proxy(client, random_ip())
    response = await browser.post(
        "/api/auth/signin",
        json={"email": f"nobody-{uuid.uuid4().hex[:8]}@example.com", "password": "whatever-1"},
    )
    assert response.status_code == 401
    assert len(calls) == 1
    no_hash, thread = calls[0]
    assert no_hash and thread.startswith("passwords")
    assert thread != threading.main_thread().name


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
