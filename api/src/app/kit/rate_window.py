"""Fixed-window counters in Redis: "at most N of these per key per window", shared by every process.

Used where a person, not Amazon, is limited (MFA code attempts, buyer-address reads): a fixed window
is simple to reason about and to tell the user ("try again in 40 seconds"); Amazon's token buckets
live in `app.amazon_http.ratelimit`.
"""

from __future__ import annotations

import redis.asyncio as aioredis

from app.kit.errors import AppError


class RateLimited(AppError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after_s: int) -> None:
        retry_after_s = max(retry_after_s, 1)
        super().__init__(f"{message}; try again in {retry_after_s} seconds")
        self.retry_after_s = retry_after_s
        self.headers = {"Retry-After": str(retry_after_s)}


class FixedWindow:
    def __init__(self, redis: aioredis.Redis, *, name: str, limit: int, window_s: int) -> None:
        self.redis = redis
        self.name = name
        self.limit = limit
        self.window_s = window_s

    def _key(self, key: str) -> str:
        return f"ratewindow:{self.name}:{key}"

    async def retry_after(self, key: str) -> int | None:
        """Seconds until the window ends when the limit is reached, else None (nothing counted)."""
        count = await self.redis.get(self._key(key))
        if count is not None and int(count) >= self.limit:
            return max(int(await self.redis.ttl(self._key(key))), 1)
        return None

    async def hit(self, key: str) -> int | None:
        """Count one; the seconds to wait when this one is over the limit, else None."""
        redis_key = self._key(key)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(redis_key)
            # The window starts with its first hit (EXPIRE NX needs Redis 7; the embedded one is 6).
            pipe.ttl(redis_key)
            count, ttl = await pipe.execute()
        if ttl < 0:
            await self.redis.expire(redis_key, self.window_s)
            ttl = self.window_s
        return max(int(ttl), 1) if int(count) > self.limit else None
