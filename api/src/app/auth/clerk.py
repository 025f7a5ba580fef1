"""Clerk session JWTs, verified against the instance's JWKS (when `CLERK_JWKS_URL` is set).

Clerk signs session tokens with RS256; the keys are fetched over HTTPS and cached, and refetched
once when a token names a key id we have not seen (Clerk rotates keys). A token is accepted only
if it is signed by a JWKS key, not expired, and, when it names an authorized party (`azp`), that
party is the panel's origin.
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
LEEWAY_SEC = 5


class InvalidClerkToken(Exception):
    """The token is not a valid Clerk session token for this installation."""


@dataclass(frozen=True)
class ClerkIdentity:
    user_id: str
    session_id: str
    email: str | None
    name: str | None


class ClerkVerifier:
    def __init__(self, jwks_url: str, http: httpx.AsyncClient, allowed_parties: list[str]) -> None:
        self.jwks_url = jwks_url
        self.http = http
        self.allowed_parties = [p.rstrip("/") for p in allowed_parties]
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def _load_keys(self, *, force: bool) -> dict[str, jwt.PyJWK]:
        async with self._lock:
            fresh = time.monotonic() - self._fetched_at < JWKS_CACHE_SEC
            if self._keys and fresh and not force:
                return self._keys
            response = await self.http.get(self.jwks_url, timeout=5.0)
            response.raise_for_status()
            keys = jwt.PyJWKSet.from_dict(response.json()).keys
            self._keys = {str(k.key_id): k for k in keys}
            self._fetched_at = time.monotonic()
            return self._keys

    async def verify(self, token: str) -> ClerkIdentity:
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
                options={"require": ["exp", "iat", "sub"]},
                leeway=LEEWAY_SEC,
            )
        except jwt.PyJWTError as exc:
            raise InvalidClerkToken(f"rejected token: {type(exc).__name__}") from exc
        azp = claims.get("azp")
        if azp and self.allowed_parties and str(azp).rstrip("/") not in self.allowed_parties:
            raise InvalidClerkToken("token issued for another origin")
        return ClerkIdentity(
            user_id=str(claims["sub"]),
            session_id=str(claims.get("sid") or claims["sub"]),
            email=claims.get("email"),
            name=claims.get("name"),
        )
