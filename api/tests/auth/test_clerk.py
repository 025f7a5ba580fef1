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

from app.kit.embedded import free_port
from tests.fixtures.app import REPO_ROOT, wait_for_http

KID = "test-clerk-key"


@pytest.fixture(scope="module")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url(signing_key: rsa.RSAPrivateKey) -> Iterator[str]:
    jwk = json.loads(RSAAlgorithm.to_jwk(signing_key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
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
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": overrides.pop("kid", KID)})


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
        "unknown key id": _token(signing_key, clerk_api, kid="rotated-away"),
        "another Clerk instance": _token(signing_key, clerk_api, iss="https://clerk.attacker.example"),
        "not a jwt": "garbage",
    }
    with httpx.Client(base_url=clerk_api) as http:
        for why, token in bad.items():
            response = http.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 401, why
            assert response.json()["error"]["code"] == "unauthenticated"
