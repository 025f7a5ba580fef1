"""The Redis token bucket: burst, evenly spaced reservations, retry-at-T, learned rates, drain."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid

import redis.asyncio as aioredis

from app.amazon_http.ratelimit import BucketKey, RateLimiter, UsagePlan


def key() -> BucketKey:
    return BucketKey("app", f"S-{uuid.uuid4().hex[:8]}", "NA", "ordersV0.getOrders")


async def test_burst_then_wait(redis_client: aioredis.Redis) -> None:
    limiter = RateLimiter(redis_client, safety=1.0)
    k, plan = key(), UsagePlan(rate=2.0, burst=3)
    granted = [await limiter.acquire(k, plan, max_wait_s=0) for _ in range(4)]
    assert [g.granted for g in granted] == [True, True, True, False]
    assert 0.4 < granted[3].wait_s <= 0.5  # the next token, 1/rate away


async def test_waiters_get_distinct_evenly_spaced_slots(redis_client: aioredis.Redis) -> None:
    limiter = RateLimiter(redis_client, safety=1.0)
    k, plan = key(), UsagePlan(rate=10.0, burst=1)
    slots = await asyncio.gather(*[limiter.acquire(k, plan, max_wait_s=5) for _ in range(6)])
    waits = sorted(s.wait_s for s in slots)
    assert all(s.granted for s in slots)
    assert waits[0] == 0
    gaps = [b - a for a, b in itertools.pairwise(waits)]
    # Each slot is one period after the previous one (minus the few ms between the Redis calls).
    assert all(0.05 < g <= 0.101 for g in gaps), gaps


async def test_refused_callers_do_not_reserve(redis_client: aioredis.Redis) -> None:
    limiter = RateLimiter(redis_client, safety=1.0)
    k, plan = key(), UsagePlan(rate=1.0, burst=1)
    assert (await limiter.acquire(k, plan, 0)).granted
    for _ in range(5):
        refused = await limiter.acquire(k, plan, 0)
        assert not refused.granted and refused.wait_s <= 1.0
    # Nobody reserved: after one period there is exactly one token again.
    await asyncio.sleep(1.0)
    assert (await limiter.acquire(k, plan, 0)).granted


async def test_rate_is_learned_from_the_header(redis_client: aioredis.Redis) -> None:
    limiter = RateLimiter(redis_client, safety=1.0)
    k, plan = key(), UsagePlan(rate=0.0167, burst=1)
    assert (await limiter.acquire(k, plan, 0)).granted
    slow = await limiter.acquire(k, plan, 0)
    assert slow.wait_s > 50
    assert await limiter.learn_rate(k, 20.0)
    assert not await limiter.learn_rate(k, 20.0)
    assert await limiter.learned_rate(k) == 20.0
    fast = await limiter.acquire(k, plan, 1)
    assert fast.granted and fast.wait_s < 0.1


async def test_drain_after_429(redis_client: aioredis.Redis) -> None:
    limiter = RateLimiter(redis_client, safety=1.0)
    k, plan = key(), UsagePlan(rate=5.0, burst=10)
    assert (await limiter.acquire(k, plan, 0)).granted
    await limiter.drain(k)
    refused = await limiter.acquire(k, plan, 0)
    assert not refused.granted and 0.1 < refused.wait_s <= 0.2


async def test_throughput_matches_the_plan(redis_client: aioredis.Redis) -> None:
    limiter = RateLimiter(redis_client, safety=1.0)
    k, plan = key(), UsagePlan(rate=50.0, burst=1)
    started = time.monotonic()
    count = 0

    async def worker() -> None:
        nonlocal count
        while time.monotonic() - started < 1.0:
            slot = await limiter.acquire(k, plan, max_wait_s=0.5)
            if slot.granted:
                await asyncio.sleep(slot.wait_s)
                count += 1

    await asyncio.gather(*[worker() for _ in range(8)])
    assert 45 <= count <= 60
