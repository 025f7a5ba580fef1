"""TOTP MFA over HTTP: enrolment (secret encrypted, recovery codes hashed and shown once), the two-step
sign-in, single use of codes (TOTP replay, recovery codes), rate limiting, disabling, key rotation."""

from __future__ import annotations

import uuid

import httpx
import pyotp
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.crypto import decrypt, generate_key
from app.settings import get_settings
from app.tokens.commands import reencrypt_all
from tests.auth.helpers import as_user, sign_up
from tests.auth.mfa_helpers import Authenticator, enrol

PASSWORD = "correct-horse-battery"


async def _signed_in(client: httpx.AsyncClient) -> dict[str, str]:
    return await sign_up(client, f"mfa-{uuid.uuid4().hex[:10]}@example.com", PASSWORD)


async def _sign_in_password(client: httpx.AsyncClient, email: str) -> httpx.Response:
    response = await client.post("/api/auth/signin", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response


async def _second_step(client: httpx.AsyncClient, token: str, code: str) -> httpx.Response:
    response = await client.post("/api/auth/mfa/signin", json={"mfa_token": token, "code": code})
    if response.status_code == 200:
        client.headers["X-CSRF-Token"] = client.cookies["csrf_token"]
    return response


async def test_enrolment_stores_the_secret_encrypted_and_shows_recovery_codes_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await _signed_in(client)
    assert (await client.get("/api/auth/mfa")).json()["enabled"] is False

    started = await client.post("/api/auth/mfa/enrol")
    assert started.status_code == 200 and started.headers["cache-control"] == "no-store"
    secret, uri = started.json()["secret"], started.json()["otpauth_uri"]
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "issuer=spapi-saas" in uri
    row = (
        await session.execute(
            text("SELECT totp_secret_enc, confirmed_at FROM user_mfa WHERE user_id = :u"), {"u": user["id"]}
        )
    ).one()
    assert secret.encode() not in row.totp_secret_enc and row.confirmed_at is None
    assert decrypt(get_settings().security.encryption_keys, row.totp_secret_enc) == secret
    assert (await client.get("/api/auth/mfa")).json()["enrolment_pending"] is True

    wrong = await client.post("/api/auth/mfa/confirm", json={"code": "000000"})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid_mfa_code"
    confirmed = await client.post("/api/auth/mfa/confirm", json={"code": pyotp.TOTP(secret).now()})
    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10

    query = text("SELECT code_hash FROM mfa_recovery_codes WHERE user_id = :u")
    stored = (await session.execute(query, {"u": user["id"]})).scalars().all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    status = (await client.get("/api/auth/mfa")).json()
    assert status["enabled"] and status["session_verified"] and status["recovery_codes_left"] == 10
    # Shown once: a second enrolment is refused, and nothing returns the secret or the codes again.
    again = await client.post("/api/auth/mfa/enrol")
    assert again.status_code == 409 and again.json()["error"]["code"] == "mfa_already_enabled"
    audit = (
        await session.execute(
            text("SELECT action, tenant_id FROM audit_logs WHERE actor_user_id = :u"), {"u": user["id"]}
        )
    ).all()
    assert ("mfa.enabled", None) in [tuple(a) for a in audit]


async def test_sign_in_with_mfa_takes_a_code_after_the_password(client: httpx.AsyncClient) -> None:
    user = await _signed_in(client)
    authenticator = await enrol(client)
    browser = as_user(client)

    first = await _sign_in_password(browser, user["email"])
    body = first.json()
    assert body["status"] == "mfa_required" and body["expires_in"] == 300 and body["mfa_token"]
    # No session yet: the password alone opens nothing.
    assert "session" not in browser.cookies
    assert (await browser.get("/api/auth/me")).status_code == 401

    wrong = await _second_step(browser, body["mfa_token"], "123456")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid_mfa_code"
    second = await _second_step(browser, body["mfa_token"], authenticator.code())
    assert second.status_code == 200, second.text
    assert second.json()["email"] == user["email"]
    assert (await browser.get("/api/auth/me")).status_code == 200
    assert (await browser.get("/api/auth/mfa")).json()["session_verified"] is True

    # The token is spent.
    reused = await _second_step(as_user(client), body["mfa_token"], authenticator.code())
    assert reused.status_code == 401 and reused.json()["error"]["code"] == "mfa_token_invalid"


async def test_a_totp_code_is_not_accepted_twice(client: httpx.AsyncClient) -> None:
    user = await _signed_in(client)
    authenticator = await enrol(client)
    code = authenticator.code()
    token = (await _sign_in_password(as_user(client), user["email"])).json()["mfa_token"]
    assert (await _second_step(as_user(client), token, code)).status_code == 200

    # The same code, still inside its 30-second window, seen by someone else: refused.
    other = as_user(client)
    token = (await _sign_in_password(other, user["email"])).json()["mfa_token"]
    replay = await _second_step(other, token, code)
    assert replay.status_code == 400 and replay.json()["error"]["code"] == "invalid_mfa_code"
    # So is the code of the enrolment (an earlier step).
    assert (await client.post("/api/auth/mfa/verify", json={"code": code})).status_code == 400


async def test_a_recovery_code_signs_in_once(client: httpx.AsyncClient) -> None:
    user = await _signed_in(client)
    authenticator = await enrol(client)
    recovery = authenticator.recovery_codes[3]

    browser = as_user(client)
    token = (await _sign_in_password(browser, user["email"])).json()["mfa_token"]
    # Typed back in capitals and without dashes still counts.
    signed_in = await _second_step(browser, token, recovery.replace("-", "").upper())
    assert signed_in.status_code == 200, signed_in.text
    assert (await browser.get("/api/auth/mfa")).json()["recovery_codes_left"] == 9

    again = as_user(client)
    token = (await _sign_in_password(again, user["email"])).json()["mfa_token"]
    reused = await _second_step(again, token, recovery)
    assert reused.status_code == 400 and reused.json()["error"]["code"] == "invalid_mfa_code"


async def test_wrong_codes_are_rate_limited(client: httpx.AsyncClient) -> None:
    await _signed_in(client)
    authenticator = await enrol(client)
    for _ in range(5):
        response = await client.post("/api/auth/mfa/verify", json={"code": "000000"})
        assert response.status_code == 400
    sixth = await client.post("/api/auth/mfa/verify", json={"code": "000000"})
    assert sixth.status_code == 429 and int(sixth.headers["retry-after"]) > 0
    # Paused: even the right code waits.
    right = await client.post("/api/auth/mfa/verify", json={"code": authenticator.code()})
    assert right.status_code == 429 and right.json()["error"]["code"] == "too_many_requests"


async def test_disabling_needs_a_code_and_the_password(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await _signed_in(client)
    authenticator = await enrol(client)

    no_code = await client.post("/api/auth/mfa/disable", json={"password": PASSWORD})
    assert no_code.status_code == 422
    wrong_password = await client.post(
        "/api/auth/mfa/disable", json={"code": authenticator.code(), "password": "not-my-password"}
    )
    assert wrong_password.status_code == 400 and wrong_password.json()["error"]["code"] == "wrong_password"
    no_password = await client.post("/api/auth/mfa/disable", json={"code": authenticator.code()})
    assert no_password.status_code == 400
    done = await client.post(
        "/api/auth/mfa/disable", json={"code": authenticator.recovery_codes[0], "password": PASSWORD}
    )
    assert done.status_code == 204, done.text
    assert (await client.get("/api/auth/mfa")).json()["enabled"] is False
    left = await session.scalar(
        text("SELECT count(*) FROM mfa_recovery_codes WHERE user_id = :u"), {"u": user["id"]}
    )
    assert left == 0
    # The password alone signs in again.
    browser = as_user(client)
    assert "id" in (await _sign_in_password(browser, user["email"])).json()


async def test_step_up_marks_an_older_session(client: httpx.AsyncClient) -> None:
    user = await _signed_in(client)
    older = as_user(client)
    await _sign_in_password(older, user["email"])
    older.headers["X-CSRF-Token"] = older.cookies["csrf_token"]
    authenticator = await enrol(client)

    status = (await older.get("/api/auth/mfa")).json()
    assert status["enabled"] is True and status["session_verified"] is False
    verified = await older.post("/api/auth/mfa/verify", json={"code": authenticator.code()})
    assert verified.status_code == 200, verified.text
    assert (await older.get("/api/auth/mfa")).json()["session_verified"] is True


async def test_key_rotation_reencrypts_totp_secrets(client: httpx.AsyncClient, session: AsyncSession) -> None:
    user = await _signed_in(client)
    authenticator: Authenticator = await enrol(client)
    new_key = generate_key()
    keys = [new_key, *get_settings().security.encryption_keys]
    done = await reencrypt_all(session, keys)
    assert done.totp_secrets >= 1
    ciphertext = await session.scalar(
        text("SELECT totp_secret_enc FROM user_mfa WHERE user_id = :u"), {"u": user["id"]}
    )
    assert decrypt([new_key], ciphertext) == authenticator.secret
