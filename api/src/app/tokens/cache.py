"""Access tokens in Redis, encrypted, with one refresh at a time per key across every process.

Values are MultiFernet ciphertext: a Redis dump or `MONITOR` shows no usable token. A token is handed
out until `cache_ttl_s(expires_in)`: 60 s before it expires (Amazon's 3600 s tokens), or a quarter of
its lifetime before for a token announced to live less than 4 minutes, so nobody is handed a token about
to expire mid-request and a short-lived token is still reused for most of its life.

Single flight: the first caller to miss takes a short Redis lock (`app.kit.locks`) and refreshes; every
other caller, in this process or another, waits for the value to appear instead of calling LWA too.
Inside one process an asyncio lock per key keeps the waiting to one Redis poller.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import redis.asyncio as aioredis

from app.kit.crypto import DecryptionError, decrypt, encrypt
from app.kit.locks import RedisLock
from app.tokens.errors import TokenServiceUnavailable

EXPIRY_SKEW_S = 60.0
# A short-lived token is dropped this share of its lifetime early instead (min of the two).
EXPIRY_SKEW_SHARE = 0.25


@dataclass(frozen=True)
class FreshToken:
    token: str = field(repr=False)
    expires_in: int


Refresher = Callable[[], Awaitable[FreshToken]]


def cache_ttl_s(expires_in: float) -> float:
    """How long a token announced to live `expires_in` seconds is handed out: its lifetime less
    min(60 s, a quarter of the lifetime)."""
    lifetime = max(0.0, expires_in)
    return lifetime - min(EXPIRY_SKEW_S, lifetime * EXPIRY_SKEW_SHARE)


class AccessTokenCache:
    def __init__(
        self,
        redis: aioredis.Redis,
        encryption_keys: Sequence[str],
        *,
        prefix: str = "lwa",
        lock_ttl_s: float = 15.0,
        wait_timeout_s: float = 20.0,
        poll_s: float = 0.02,
    ) -> None:
        self._redis = redis
        self._keys = list(encryption_keys)
        self._prefix = prefix
        self._lock_ttl_s = lock_ttl_s
        self._wait_timeout = wait_timeout_s
        self._poll = poll_s
        self._local: dict[str, asyncio.Lock] = {}

    def _value_key(self, key: str) -> str:
        return f"{self._prefix}:at:{key}"

    def _lock_key(self, key: str) -> str:
        return f"{self._prefix}:lock:{key}"

    async def peek(self, key: str) -> str | None:
        raw = await self._redis.get(self._value_key(key))
        if raw is None:
            return None
        try:
            return decrypt(self._keys, raw if isinstance(raw, bytes) else raw.encode())
        except DecryptionError:
            # Written under a key that was since removed: treat as a miss and refresh.
            return None

    async def invalidate(self, key: str) -> None:
        await self._redis.delete(self._value_key(key))

    async def get(self, key: str, refresh: Refresher, *, expired: str | None = None) -> str:
        """The cached token, or a fresh one from `refresh()` (called by one caller across processes).

        `expired`: a token Amazon just rejected as expired; a cached value equal to it is a miss, while
        a different cached value means someone already refreshed and is returned as is.
        """
        cached = await self.peek(key)
        if cached is not None and cached != expired:
            return cached
        lock = self._local.setdefault(key, asyncio.Lock())
        async with lock:
            return await self._get_locked(key, refresh, expired)

    async def _get_locked(self, key: str, refresh: Refresher, expired: str | None) -> str:
        deadline = time.monotonic() + self._wait_timeout
        refresh_lock = RedisLock(self._redis, self._lock_key(key), ttl_s=self._lock_ttl_s)
        while True:
            cached = await self.peek(key)
            if cached is not None and cached != expired:
                return cached
            if await refresh_lock.acquire():
                try:
                    # Re-check: the previous holder may have written just before releasing.
                    cached = await self.peek(key)
                    if cached is not None and cached != expired:
                        return cached
                    fresh = await refresh()
                    ttl_ms = max(1, int(cache_ttl_s(fresh.expires_in) * 1000))
                    await self._redis.set(self._value_key(key), encrypt(self._keys, fresh.token), px=ttl_ms)
                    return fresh.token
                finally:
                    await refresh_lock.release()
            if time.monotonic() >= deadline:
                raise TokenServiceUnavailable(f"timed out waiting for another process to refresh {key}")
            await asyncio.sleep(self._poll)
