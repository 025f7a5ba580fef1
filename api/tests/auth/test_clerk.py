"""Clerk sign-in: the API, started with CLERK_JWKS_URL pointing at a JWKS we host, accepts session
JWTs signed with that key (as Clerk's would be) and refuses anything else."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.auth.models import User
from app.auth.passwords import hash_password
from app.auth.repository import UserRepository
from app.kit.embedded import free_port
from tests.fixtures.app import REPO_ROOT, wait_for_http

KID = "test-clerk-key"
# How often the API fetched our JWKS (the handler counts).
JWKS_FETCHES: list[float] = []


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url(signing_key: rsa.RSAPrivateKey) -> Iterator[str]:
    jwk = json.loads(RSAAlgorithm.to_jwk(signing_key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            JWKS_FETCHES.append(time.monotonic())
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture(scope="module")
def clerk_api(jwks_url: str) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "API_PORT": str(port),
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CLERK_JWKS_URL": jwks_url,
        "CLERK_PUBLISHABLE_KEY": "pk_test_local",
        "CLERK_ISSUER": "https://clerk.example.test",
    }
    log_path = REPO_ROOT / "test-results" / "clerk-api.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "api"], env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            wait_for_http(f"http://127.0.0.1:{port}/health", proc=proc)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def _token(key: Any, base: str, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "sub": "user_" + uuid.uuid4().hex[:12],
        "sid": "sess_" + uuid.uuid4().hex[:12],
        "iss": "https://clerk.example.test",
        "azp": base,
        "iat": now,
        "nbf": now - 5,
        "exp": now + 60,
        "email": f"clerk-{uuid.uuid4().hex[:6]}@example.com",
        "email_verified": True,
        **overrides,
    }
    kid = claims.pop("kid", KID)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def test_clerk_session_jwt_is_accepted(clerk_api: str, signing_key: rsa.RSAPrivateKey) -> None:
    token = _token(signing_key, clerk_api)
    with httpx.Client(base_url=clerk_api) as http:
        me = http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        email = me.json()["email"]
        assert email.startswith("clerk-")
        # Bearer tokens need no CSRF token: browsers never attach them by themselves.
        created = http.post(
            "/api/tenants", json={"name": "Clerk Co"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert created.status_code == 201, created.text
        # Same Clerk user again: same local user, sees the tenant.
        listed = http.get("/api/tenants", headers={"Authorization": f"Bearer {token}"}).json()
        assert [t["name"] for t in listed] == ["Clerk Co"]


def test_clerk_cookie_needs_csrf_on_unsafe_methods(clerk_api: str, signing_key: rsa.RSAPrivateKey) -> None:
    token = _token(signing_key, clerk_api)
    with httpx.Client(base_url=clerk_api, cookies={"__session": token}) as http:
        me = http.get("/api/auth/me")
        assert me.status_code == 200
        csrf = me.cookies["csrf_token"]
        refused = http.post("/api/tenants", json={"name": "No CSRF"})
        assert refused.status_code == 403
        accepted = http.post("/api/tenants", json={"name": "With CSRF"}, headers={"X-CSRF-Token": csrf})
        assert accepted.status_code == 201, accepted.text


def test_bad_clerk_tokens_are_refused(clerk_api: str, signing_key: rsa.RSAPrivateKey) -> None:
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    bad = {
        "forged signature": _token(other_key, clerk_api),
        "expired": _token(signing_key, clerk_api, iat=now - 600, nbf=now - 600, exp=now - 300),
        "other origin": _token(signing_key, clerk_api, azp="https://evil.example"),
        "no authorized party": _token(signing_key, clerk_api, azp=None),
        "unknown key id": _token(signing_key, clerk_api, kid="rotated-away"),
        "another Clerk instance": _token(signing_key, clerk_api, iss="https://clerk.attacker.example"),
        "not a jwt": "garbage",
    }
    with httpx.Client(base_url=clerk_api) as http:
        for why, token in bad.items():
            response = http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, why
            assert response.json()["error"]["code"] == "unauthenticated"


def test_unknown_key_ids_do_not_refetch_the_jwks_each_time(
    clerk_api: str, signing_key: rsa.RSAPrivateKey
) -> None:
    """Tokens naming made-up key ids must not each make the API fetch Clerk's JWKS."""
    with httpx.Client(base_url=clerk_api) as http:
        assert http.get("/api/auth/me", headers={"Authorization": f"Bearer {_token(signing_key, clerk_api)}"})
        before = len(JWKS_FETCHES)
        for n in range(10):
            token = _token(signing_key, clerk_api, kid=f"made-up-{n}-{uuid.uuid4().hex[:6]}")
            assert http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert len(JWKS_FETCHES) - before <= 1


def test_sign_up_and_sign_in_with_a_password_are_closed(clerk_api: str) -> None:
    body = {"email": f"pw-{uuid.uuid4().hex[:6]}@example.com", "password": "a-long-password-1"}
    with httpx.Client(base_url=clerk_api) as http:
        for path in ("/api/auth/signup", "/api/auth/signin"):
            response = http.post(path, json=body)
            assert response.status_code == 403, (path, response.text)
            assert response.json()["error"]["code"] == "builtin_auth_disabled"


async def test_a_clerk_identity_never_takes_over_an_account_with_a_password(
    clerk_api: str, signing_key: rsa.RSAPrivateKey, engine: AsyncEngine, clean_state: None
) -> None:
    """Pre-hijack: someone registered the victim's address with a password of their own; the
    victim then signs in through Clerk with that (verified) address. The Clerk identity must not
    be linked to the squatter's account (both would then be signed in to it)."""
    email = f"victim-{uuid.uuid4().hex[:6]}@example.com"
    async with AsyncSession(engine, expire_on_commit=False) as db:
        squatter = await UserRepository(db).add(
            email=email, name=None, password_hash=await hash_password("squatters-password-1")
        )
        await db.commit()
    token = _token(signing_key, clerk_api, email=email)
    async with httpx.AsyncClient(base_url=clerk_api) as http:
        me = await http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 409, me.text
    assert me.json()["error"]["code"] == "account_not_linkable"
    async with AsyncSession(engine) as db:
        assert (await db.get(User, squatter.id)).clerk_user_id is None  # type: ignore[union-attr]
