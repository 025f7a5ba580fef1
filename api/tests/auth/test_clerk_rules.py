"""Clerk done right (issue 19): `iss` and `azp` are required and checked, unknown key ids cannot make
us hammer the JWKS, an identity never takes over an account someone can already sign in to, and
the built-in password sign-up and sign-in are closed while Clerk is on.

Tokens are signed here with a local RSA key; the JWKS is served by an in-process transport."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from jwt.algorithms import RSAAlgorithm
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import clerk
from app.auth.clerk import ClerkIdentity, ClerkVerifier, InvalidClerkToken
from app.auth.passwords import hash_password
from app.auth.repository import UserRepository
from app.auth.service import clerk_user
from app.kit.errors import Conflict

KID = "local-key"
ISSUER = "https://clerk.panel.example"
PANEL = "https://panel.example"


@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Jwks:
    """A JWKS endpoint that counts how often it is fetched."""

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        self.body = {"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}
        self.fetches = 0

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.fetches += 1
        return httpx.Response(200, json=self.body)


def _token(key: rsa.RSAPrivateKey, *, kid: str = KID, drop: tuple[str, ...] = (), **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "sub": "user_" + uuid.uuid4().hex[:12],
        "sid": "sess_" + uuid.uuid4().hex[:12],
        "iss": ISSUER,
        "azp": PANEL,
        "iat": now,
        "exp": now + 60,
        **claims,
    }
    for name in drop:
        payload.pop(name)
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def jwks(key: rsa.RSAPrivateKey) -> Jwks:
    return Jwks(key)


@pytest.fixture
async def verifier(jwks: Jwks) -> ClerkVerifier:
    http = httpx.AsyncClient(transport=httpx.MockTransport(jwks.handler))
    return ClerkVerifier("https://clerk.panel.example/.well-known/jwks.json", http, [PANEL], issuer=ISSUER)


async def test_a_good_token_is_accepted(verifier: ClerkVerifier, key: rsa.RSAPrivateKey) -> None:
    identity = await verifier.verify(_token(key, email="a@example.com", email_verified=True))
    assert identity.email == "a@example.com" and identity.email_verified


@pytest.mark.parametrize(
    ("why", "claims", "drop"),
    [
        ("no azp", {}, ("azp",)),
        ("no iss", {}, ("iss",)),
        ("another Clerk instance", {"iss": "https://clerk.attacker.example"}, ()),
        ("another origin", {"azp": "https://attacker.example"}, ()),
    ],
)
async def test_iss_and_azp_are_required_and_checked(
    verifier: ClerkVerifier, key: rsa.RSAPrivateKey, why: str, claims: dict[str, Any], drop: tuple[str, ...]
) -> None:
    with pytest.raises(InvalidClerkToken):
        await verifier.verify(_token(key, drop=drop, **claims))


async def test_unknown_key_ids_refetch_the_jwks_at_most_once_a_window(
    verifier: ClerkVerifier, jwks: Jwks, key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    await verifier.verify(_token(key))
    assert jwks.fetches == 1
    for n in range(20):
        with pytest.raises(InvalidClerkToken, match="unknown signing key"):
            await verifier.verify(_token(key, kid=f"made-up-{n}"))
    assert jwks.fetches == 1, "made-up key ids must not each fetch the JWKS"
    # Once the window has passed, a rotated key is picked up.
    clock = time.monotonic() + clerk.JWKS_REFETCH_MIN_SEC + 1
    monkeypatch.setattr(clerk.time, "monotonic", lambda: clock)
    with pytest.raises(InvalidClerkToken):
        await verifier.verify(_token(key, kid="rotated"))
    assert jwks.fetches == 2


def _identity(email: str, *, verified: bool = True) -> ClerkIdentity:
    return ClerkIdentity(
        user_id="user_" + uuid.uuid4().hex[:12],
        session_id="sess_x",
        email=email,
        email_verified=verified,
        name=None,
    )


async def test_clerk_never_takes_over_an_account_with_a_password(session: AsyncSession) -> None:
    """The pre-hijack: someone registers the victim's address with a password before the victim
    arrives through Clerk; the victim's Clerk identity must not be linked to that account."""
    users = UserRepository(session)
    squatter = await users.add(
        email="victim@example.com", name=None, password_hash=await hash_password("x" * 12)
    )
    with pytest.raises(Conflict):
        await clerk_user(session, _identity("victim@example.com"))
    assert squatter.clerk_user_id is None


async def test_clerk_links_an_invited_account_only_with_a_verified_address(session: AsyncSession) -> None:
    users = UserRepository(session)
    invited = await users.add(email="invited@example.com", name=None)
    # An unverified e-mail claim is not used: a separate account, with no address anyone can claim.
    unverified = await clerk_user(session, _identity("invited@example.com", verified=False))
    assert unverified.id != invited.id and unverified.email.endswith("@clerk.invalid")
    identity = _identity("invited@example.com")
    linked = await clerk_user(session, identity)
    assert linked.id == invited.id and linked.clerk_user_id == identity.user_id
    # The same Clerk user again: the same local user.
    assert (await clerk_user(session, identity)).id == invited.id


async def test_another_clerk_account_cannot_take_over_a_clerk_user(session: AsyncSession) -> None:
    first = await clerk_user(session, _identity("shared@example.com"))
    with pytest.raises(Conflict):
        await clerk_user(session, _identity("shared@example.com"))
    assert first.clerk_user_id is not None


@pytest.mark.parametrize("path", ["/api/auth/signup", "/api/auth/signin"])
async def test_builtin_sign_up_and_sign_in_are_closed_with_clerk(
    app: FastAPI, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    body = {"email": "someone@example.com", "password": "a-long-password-1", "name": "S"}
    monkeypatch.setattr(app.state.settings.security, "clerk_publishable_key", "pk_test_Y2xlcmsuZXhhbXBsZSQ")
    response = await client.post(path, json=body)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "builtin_auth_disabled"
