"""One run per sync_state row at a time: a Redis lock with a TTL, on top of the database claim.

The claim (`sync_state.claimed_at/claimed_by`) decides who should run a row; the lock protects
against the same message being delivered twice (a redelivery after a worker died, a duplicate
enqueue). The TTL (`REDIS_LOCK_TTL_SEC`) frees the lock of a worker that died; a live run extends
it after every page.
"""

from __future__ import annotations

import redis.asyncio as aioredis

_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""

_EXTEND = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""


def lock_key(state_id: str) -> str:
    return f"spapi-saas:sync:lock:{state_id}"


class RunLock:
    def __init__(self, redis: aioredis.Redis, state_id: str, owner: str, ttl_s: float) -> None:
        self.redis = redis
        self.key = lock_key(state_id)
        self.owner = owner
        self.ttl_ms = max(1, int(ttl_s * 1000))

    async def acquire(self) -> bool:
        """True when this owner holds the lock (taken now, or already held by the same owner)."""
        if await self.redis.set(self.key, self.owner, nx=True, px=self.ttl_ms):
            return True
        return await self.extend()

    async def extend(self) -> bool:
        return bool(await self.redis.eval(_EXTEND, 1, self.key, self.owner, str(self.ttl_ms)))

    async def release(self) -> None:
        await self.redis.eval(_RELEASE, 1, self.key, self.owner)
