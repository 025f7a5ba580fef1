"""Clerk session JWTs, verified against the instance's JWKS (when `CLERK_JWKS_URL` is set).

Clerk signs session tokens with RS256; the keys are fetched over HTTPS and cached, and refetched
when a token names a key id we have not seen (Clerk rotates keys), at most once per
JWKS_REFETCH_MIN_SEC: otherwise anyone could make every request of ours fetch the JWKS by sending
tokens with made-up key ids. A token is accepted only if it is signed by a JWKS key, not expired,
issued by our Clerk instance (`iss` is CLERK_ISSUER) and for one of the panel's origins (`azp` is
required: Clerk sets it on every browser session token).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import structlog

log = structlog.get_logger("app.auth.clerk")

JWKS_CACHE_SEC = 3600
JWKS_REFETCH_MIN_SEC = 60.0
LEEWAY_SEC = 5


class InvalidClerkToken(Exception):
    """The token is not a valid Clerk session token for this installation."""


@dataclass(frozen=True)
class ClerkIdentity:
    user_id: str
    session_id: str
    email: str | None
    # Clerk verified the address (the `email_verified` claim of the session token's template).
    email_verified: bool
    name: str | None


class ClerkVerifier:
    def __init__(
        self, jwks_url: str, http: httpx.AsyncClient, allowed_parties: list[str], *, issuer: str
    ) -> None:
        self.jwks_url = jwks_url
        self.http = http
        self.allowed_parties = [p.rstrip("/") for p in allowed_parties if p]
        self.issuer = issuer.rstrip("/")
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def _load_keys(self, *, force: bool) -> dict[str, jwt.PyJWK]:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if self._keys and (age < JWKS_REFETCH_MIN_SEC or (age < JWKS_CACHE_SEC and not force)):
                return self._keys
            response = await self.http.get(self.jwks_url, timeout=5.0)
            response.raise_for_status()
            keys = jwt.PyJWKSet.from_dict(response.json()).keys
            self._keys = {str(k.key_id): k for k in keys}
            self._fetched_at = time.monotonic()
            return self._keys

    async def verify(self, token: str) -> ClerkIdentity:
        if not self.issuer or not self.allowed_parties:
            # Fail closed: without both we cannot tell our tokens from another Clerk app's.
            raise InvalidClerkToken("Clerk is not fully configured (CLERK_ISSUER, PUBLIC_URL)")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise InvalidClerkToken("malformed token") from exc
        kid = str(header.get("kid", ""))
        try:
            keys = await self._load_keys(force=False)
            if kid not in keys:
                keys = await self._load_keys(force=True)
        except (httpx.HTTPError, jwt.PyJWTError, ValueError) as exc:
            log.warning("clerk.jwks_unavailable", error=type(exc).__name__)
            raise InvalidClerkToken("the sign-in provider's keys are unavailable") from exc
        key = keys.get(kid)
        if key is None:
            raise InvalidClerkToken("unknown signing key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=["RS256"],
                options={"require": ["exp", "iat", "sub", "iss", "azp"]},
                issuer=self.issuer,
                leeway=LEEWAY_SEC,
            )
        except jwt.PyJWTError as exc:
            raise InvalidClerkToken(f"rejected token: {type(exc).__name__}") from exc
        if str(claims["azp"]).rstrip("/") not in self.allowed_parties:
            raise InvalidClerkToken("token issued for another origin")
        return ClerkIdentity(
            user_id=str(claims["sub"]),
            session_id=str(claims.get("sid") or claims["sub"]),
            email=claims.get("email"),
            email_verified=claims.get("email_verified") is True,
            name=claims.get("name"),
        )
