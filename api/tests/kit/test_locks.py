"""The Redis lock against the real Redis: one owner at a time, re-entry by the same owner, extend and
release only by the owner, and the TTL freeing the lock of an owner that went away."""

from __future__ import annotations

import asyncio
import uuid

import redis.asyncio as aioredis

from app.kit.locks import RedisLock
from tests.amazon.support import redis_client

__all__ = ["redis_client"]


def key() -> str:
    return f"test:lock:{uuid.uuid4().hex}"


async def test_one_owner_at_a_time(redis_client: aioredis.Redis) -> None:
    name = key()
    first = RedisLock(redis_client, name, ttl_s=5)
    second = RedisLock(redis_client, name, ttl_s=5)
    assert first.owner != second.owner
    assert await first.acquire()
    assert not await second.acquire()
    assert await redis_client.get(name) in (first.owner, first.owner.encode())
    assert await first.release()
    assert await second.acquire()
    assert not await first.acquire()
    await second.release()


async def test_the_same_owner_acquires_again_and_extends(redis_client: aioredis.Redis) -> None:
    name = key()
    lock = RedisLock(redis_client, name, ttl_s=0.5, owner="worker-1")
    assert await lock.acquire()
    await asyncio.sleep(0.3)
    assert await RedisLock(redis_client, name, ttl_s=0.5, owner="worker-1").acquire()  # a redelivery
    assert 300 < await redis_client.pttl(name) <= 500, "re-acquiring renewed the TTL"
    await asyncio.sleep(0.3)
    assert await lock.extend()
    assert 300 < await redis_client.pttl(name) <= 500
    await lock.release()


async def test_release_and_extend_by_a_non_owner_do_nothing(redis_client: aioredis.Redis) -> None:
    name = key()
    owner = RedisLock(redis_client, name, ttl_s=5)
    other = RedisLock(redis_client, name, ttl_s=60)
    assert await owner.acquire()
    assert not await other.release()
    assert not await other.extend()
    assert await redis_client.exists(name)
    assert await redis_client.pttl(name) <= 5000, "the other owner's TTL was not applied"
    assert not await other.acquire()
    assert await owner.release()
    assert not await redis_client.exists(name)
    assert not await owner.release(), "a second release finds nothing to free"


async def test_the_ttl_frees_the_lock_of_an_owner_that_went_away(redis_client: aioredis.Redis) -> None:
    name = key()
    gone = RedisLock(redis_client, name, ttl_s=0.2)
    assert await gone.acquire()
    successor = RedisLock(redis_client, name, ttl_s=5)
    assert not await successor.acquire()
    await asyncio.sleep(0.3)
    assert await successor.acquire()
    # The first owner comes back late: it can neither extend nor release the successor's lock.
    assert not await gone.extend()
    assert not await gone.release()
    assert await redis_client.exists(name)
    await successor.release()
