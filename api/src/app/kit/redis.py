"""Redis clients with timeouts, so a dead Redis fails calls quickly instead of hanging them."""

from __future__ import annotations

import redis.asyncio as aioredis


def create_redis(url: str | None) -> aioredis.Redis:
    if not url:
        raise RuntimeError("REDIS_URL is not set (only `spapi-saas dev` starts an embedded Redis)")
    return aioredis.Redis.from_url(
        url,
        decode_responses=False,
        socket_connect_timeout=3,
        socket_timeout=5,
        health_check_interval=15,
        retry_on_timeout=False,
    )
