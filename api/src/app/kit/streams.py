"""A cap on the long-lived streams (SSE) one user holds open, across every API worker.

Each stream holds a connection and polls the database every few seconds until it ends, so one
user opening hundreds of tabs (or a script) would starve the rest. The count lives in Redis so
that the cap holds across workers; its TTL, renewed with every stream opened, clears slots a
crashed worker never gave back.
"""

from __future__ import annotations

import anyio
import redis.asyncio as aioredis

from app.kit.errors import AppError


class TooManyStreams(AppError):
    status_code = 429
    code = "too_many_streams"


class StreamSlots:
    def __init__(self, redis: aioredis.Redis, *, limit: int, ttl_s: int) -> None:
        self.redis = redis
        self.limit = limit
        self.ttl_s = ttl_s

    @staticmethod
    def key(owner: str) -> str:
        return f"streams:open:{owner}"

    async def take(self, owner: str) -> None:
        """Take one of `owner`'s slots, or raise TooManyStreams."""
        key = self.key(owner)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self.ttl_s)
            opened, _ = await pipe.execute()
        if int(opened) > self.limit:
            await self.give_back(owner)
            raise TooManyStreams(
                f"at most {self.limit} live streams per user; close another tab or try again later"
            )

    async def give_back(self, owner: str) -> None:
        # Shielded: a stream ends by being cancelled (the browser went away), and the slot must
        # still be returned.
        with anyio.CancelScope(shield=True):
            left = await self.redis.decr(self.key(owner))
            if int(left) <= 0:
                await self.redis.delete(self.key(owner))
