"""OAuth `state`: random, signed, kept in Redis for 10 minutes, usable once.

The value sent to Amazon is `<nonce>.<signature>`. The signature (HMAC of SESSION_SECRET) rejects
forged values before Redis is asked; Redis holds what the state is bound to (tenant, user,
provider, region, marketplaces) and GETDEL makes it single use even when two callbacks race.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass, field

import redis.asyncio as aioredis

from app.kit.providers import Provider
from app.kit.regions import Region

STATE_TTL_SEC = 600
_KEY_PREFIX = "oauth:state:"


class InvalidState(Exception):
    """The callback's state cannot be used; the message is shown to the user."""


@dataclass(frozen=True)
class OAuthState:
    tenant_id: str
    user_id: str
    provider: Provider
    region: Region
    marketplaces: list[str] = field(default_factory=list)
    # Set when the user pressed Reconnect on an existing connection.
    connection_id: str | None = None


class OAuthStateStore:
    def __init__(self, redis: aioredis.Redis, secret: str) -> None:
        self.redis = redis
        self._secret = secret.encode()

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._secret, f"oauth-state:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]

    async def issue(self, state: OAuthState) -> str:
        nonce = secrets.token_urlsafe(24)
        await self.redis.set(_KEY_PREFIX + nonce, json.dumps(asdict(state)), ex=STATE_TTL_SEC)
        return f"{nonce}.{self._sign(nonce)}"

    async def consume(self, value: str | None) -> OAuthState:
        """The state's binding, deleted in the same step (a second callback finds nothing)."""
        if not value:
            raise InvalidState("The authorization response has no state parameter.")
        nonce, _, signature = value.partition(".")
        if not nonce or not hmac.compare_digest(signature, self._sign(nonce)):
            raise InvalidState("The state parameter is not one this application issued.")
        raw = await self.redis.getdel(_KEY_PREFIX + nonce)
        if raw is None:
            raise InvalidState(
                "This authorization link has expired or was already used. Start again from the panel."
            )
        return OAuthState(**json.loads(raw))
