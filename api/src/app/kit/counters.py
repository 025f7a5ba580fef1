"""Fixed-window counters in Redis, shared by every process (sign-in failures per account and per
client address).

`hit` is one atomic script: INCR, and EXPIRE only on the first hit, so the window starts at the
first event and a stream of hits never pushes it out (EXPIRE NX would do the same but needs Redis 7;
the embedded one is 6).
"""

from __future__ import annotations

import redis.asyncio as aioredis

_HIT = """
local n = redis.call('incr', KEYS[1])
if n == 1 then
  redis.call('expire', KEYS[1], ARGV[1])
end
return n
"""


async def hit(redis: aioredis.Redis, key: str, window_s: int) -> int:
    """Count one event in the window of `key` (`window_s` from its first event); the count so far."""
    return int(await redis.eval(_HIT, 1, key, str(max(1, window_s))))


async def seconds_left(redis: aioredis.Redis, key: str) -> int:
    """Seconds until `key` expires; 0 when it does not exist (or has no expiry)."""
    ttl = int(await redis.ttl(key))
    return max(ttl, 0)
