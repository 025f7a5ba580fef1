"""Sign-in throttling in Redis, shared by every API process.

Two limits, both counted over SIGNIN_FAILURE_WINDOW_SEC from the first failure:

* per account: SIGNIN_MAX_FAILURES_PER_ACCOUNT failed sign-ins for one e-mail address, from
  anywhere, lock it for SIGNIN_LOCKOUT_SEC. The trade-off: anyone who knows an address can lock it
  out for the cool-down by guessing wrong on purpose. It is never more than a pause (the lock
  expires by itself, a success before it resets the count, sessions already signed in go on, and
  the per-address limit below caps how many accounts one client can lock); an attacker with many
  addresses can renew it, which is the price of making online guessing of one password hopeless
  (at most 10 guesses per 15 minutes). Failures are counted for addresses without an account too,
  so the lock answers the same for every address and says nothing about which ones exist.
* per client address (the real one, behind the trusted proxy: FORWARDED_ALLOW_IPS):
  SIGNIN_MAX_FAILURES_PER_IP failures across all addresses pause that client until the window
  ends: spraying one password over many accounts stops there. A success does not reset it (an
  attacker's own account must not wipe the count of its failures on others).

Keys hold SHA-256 digests, never the addresses themselves.
"""

from __future__ import annotations

import hashlib
import math

import redis.asyncio as aioredis

from app.kit.counters import hit, seconds_left
from app.kit.errors import AppError
from app.settings import SecuritySettings


class TooManyAttempts(AppError):
    """The same answer for a locked account and a paused client address, for any e-mail."""

    status_code = 429
    code = "too_many_requests"

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = max(retry_after_s, 1)
        minutes = math.ceil(self.retry_after_s / 60)
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        super().__init__(f"Too many sign-in attempts. Try again in {wait}.")


def _digest(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()


class SignInGuard:
    def __init__(self, redis: aioredis.Redis, settings: SecuritySettings) -> None:
        self.redis = redis
        self.settings = settings

    @staticmethod
    def _account_failures(email: str) -> str:
        return f"auth:signin:account-failures:{_digest(email)}"

    @staticmethod
    def _account_lock(email: str) -> str:
        return f"auth:signin:account-locked:{_digest(email)}"

    @staticmethod
    def _ip_failures(ip: str) -> str:
        return f"auth:signin:ip-failures:{_digest(ip)}"

    async def check(self, email: str, ip: str) -> None:
        """Raise TooManyAttempts while the address is locked or the client paused."""
        ip_key = self._ip_failures(ip)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.ttl(self._account_lock(email))
            pipe.get(ip_key)
            pipe.ttl(ip_key)
            lock_ttl, ip_failures, ip_ttl = await pipe.execute()
        waits = [int(lock_ttl)]
        if ip_failures is not None and int(ip_failures) >= self.settings.signin_max_failures_per_ip:
            waits.append(int(ip_ttl))
        wait = max(waits)
        if wait > 0:
            raise TooManyAttempts(wait)

    async def failed(self, email: str, ip: str) -> bool:
        """Count a failed sign-in; True when it has just locked the address."""
        window = self.settings.signin_failure_window_sec
        await hit(self.redis, self._ip_failures(ip), window)
        failures = await hit(self.redis, self._account_failures(email), window)
        if failures < self.settings.signin_max_failures_per_account:
            return False
        await self.redis.set(self._account_lock(email), b"1", ex=self.settings.signin_lockout_sec)
        await self.redis.delete(self._account_failures(email))
        return True

    async def succeeded(self, email: str) -> None:
        await self.redis.delete(self._account_failures(email))

    async def lock_left(self, email: str) -> int:
        """Seconds the address stays locked (0: not locked)."""
        return await seconds_left(self.redis, self._account_lock(email))
