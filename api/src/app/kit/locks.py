"""A Redis lock with one owner and a TTL: the scheduler's leadership, the token cache's refresh,
a sync run.

Each step is one atomic Redis operation, so two processes can never both believe they hold it:
* `acquire`: take the lock (SET NX PX), or extend it when this owner already holds it (a
  rescheduled message, a leader renewing) — one Lua script;
* `extend`: push the expiry out, only while this owner holds it (compare-and-PEXPIRE);
* `release`: delete it, only while this owner holds it (compare-and-DEL). A get then a delete
  would drop a lock that expired in between and was taken by someone else.
The TTL frees the lock of an owner that died; a live owner extends it before it runs out.
"""

from __future__ import annotations

import secrets

import redis.asyncio as aioredis

_ACQUIRE = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""

_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class RedisLock:
    """`key` held by `owner` (random unless given: give one to make the same owner re-acquire
    across messages or processes) for `ttl_s` seconds after each acquire or extend."""

    def __init__(self, redis: aioredis.Redis, key: str, *, ttl_s: float, owner: str | None = None) -> None:
        self.redis = redis
        self.key = key
        self.owner = owner or secrets.token_hex(8)
        self.ttl_ms = max(1, int(ttl_s * 1000))

    async def acquire(self) -> bool:
        """True when this owner holds the lock now (just taken, or already its own and extended)."""
        return bool(await self.redis.eval(_ACQUIRE, 1, self.key, self.owner, str(self.ttl_ms)))

    async def extend(self) -> bool:
        """Another TTL from now; False when the lock is no longer this owner's."""
        return bool(await self.redis.eval(_EXTEND, 1, self.key, self.owner, str(self.ttl_ms)))

    async def release(self) -> bool:
        """Free the lock; False (and nothing changes) when it is not this owner's."""
        return bool(await self.redis.eval(_RELEASE, 1, self.key, self.owner))
