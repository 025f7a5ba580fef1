"""One run per sync_state row at a time: a Redis lock with a TTL, on top of the database claim.

The claim (`sync_state.claimed_at/claimed_by`) decides who should run a row; the lock protects
against the same message being delivered twice (a redelivery after a worker died, a duplicate
enqueue). The claim is the lock's owner, so a rescheduled message of the same claim takes it again.
The TTL (`REDIS_LOCK_TTL_SEC`) frees the lock of a worker that died; a live run extends it after
every page. The lock itself is `app.kit.locks.RedisLock`.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from app.kit.locks import RedisLock


def lock_key(state_id: str) -> str:
    return f"spapi-saas:sync:lock:{state_id}"


class RunLock(RedisLock):
    def __init__(self, redis: aioredis.Redis, state_id: str, owner: str, ttl_s: float) -> None:
        super().__init__(redis, lock_key(state_id), ttl_s=ttl_s, owner=owner)
