"""A token bucket per (application, selling partner, region, operation), in Redis, shared by every
process.

One Lua script does refill + take atomically, on Redis's clock (`TIME`), so processes on machines
with skewed clocks still agree. A call that finds the bucket empty *reserves* the next free slot
(tokens go below zero) when the caller accepts waiting that long; concurrent waiters therefore get
distinct, evenly spaced slots instead of stampeding on the same refill. A caller that may not wait that
long gets the time of the next slot back (`retry_after`) without reserving anything: workers
reschedule themselves with it.

The rate is learned from `x-amzn-RateLimit-Limit` (Amazon raises plans per seller and says so in that
header; a call refused for its token, 401/403, is answered before the seller is known and is not
learned from); the burst is not announced, so the default burst stays. A 429 empties the bucket: Amazon's
view of the bucket is the truth, and every process backs off together.
"""

from __future__ import annotations

from dataclasses import dataclass

import redis.asyncio as aioredis

_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local max_wait = tonumber(ARGV[3])
local safety = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local h = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'rate')
if h[3] then rate = tonumber(h[3]) end
rate = rate * safety
local tokens = tonumber(h[1])
local ts = tonumber(h[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local wait = 0
if tokens < 1 then wait = (1 - tokens) / rate end
if wait > max_wait then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
  redis.call('EXPIRE', KEYS[1], ttl)
  return {0, tostring(wait)}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], ttl)
return {1, tostring(wait)}
"""

# Empty the bucket (keep outstanding reservations, which are negative tokens).
_DRAIN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens') or '0')
if tokens > 0 then tokens = 0 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
"""

# The bucket as it stands (refilled to now on Redis's clock), nothing taken: what a planner reads.
_PEEK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local h = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'rate')
if h[3] then rate = tonumber(h[3]) end
local tokens = tonumber(h[1])
local ts = tonumber(h[2])
if tokens == nil or ts == nil then return {tostring(rate), tostring(burst)} end
return {tostring(rate), tostring(math.min(burst, tokens + math.max(0, now - ts) * rate))}
"""

# Learned state lives for a day; an idle bucket is simply full again after that.
_TTL_S = 24 * 3600


@dataclass(frozen=True)
class UsagePlan:
    """An operation's usage plan: refill rate (requests per second) and burst."""

    rate: float
    burst: int


# Amazon's sandbox figure: used for an operation no plan table lists, rather than no limit at all.
FALLBACK_PLAN = UsagePlan(5.0, 15)


@dataclass(frozen=True)
class BucketKey:
    application: str
    selling_partner: str  # "_app" for grantless calls (Amazon buckets those per application)
    region: str
    operation: str

    def redis_key(self) -> str:
        return f"amzrl:{self.application}:{self.selling_partner}:{self.region}:{self.operation}"


@dataclass(frozen=True)
class Acquired:
    granted: bool
    wait_s: float  # granted: sleep this long first; refused: the next slot is this far away


@dataclass(frozen=True)
class BucketLevel:
    """A bucket now: its rate (learned, else the plan's), burst, and the tokens it holds (negative
    while callers hold reservations)."""

    rate: float
    burst: int
    tokens: float


class RateLimiter:
    """Shared token buckets. `safety` < 1 runs slightly under the plan so that network jitter (a
    request reaching Amazon a little earlier than its slot) does not cost a 429."""

    def __init__(self, redis: aioredis.Redis, *, safety: float = 0.97) -> None:
        self._redis = redis
        self._safety = safety
        self._acquire = redis.register_script(_ACQUIRE)
        self._drain = redis.register_script(_DRAIN)
        self._peek = redis.register_script(_PEEK)

    async def acquire(self, key: BucketKey, plan: UsagePlan, max_wait_s: float) -> Acquired:
        granted, wait = await self._acquire(
            keys=[key.redis_key()],
            args=[plan.rate, plan.burst, max(0.0, max_wait_s), self._safety, _TTL_S],
        )
        return Acquired(bool(int(granted)), float(wait))

    async def level(self, key: BucketKey, plan: UsagePlan) -> BucketLevel:
        """The bucket's level now, without taking a token (an untouched bucket is full)."""
        rate, tokens = await self._peek(keys=[key.redis_key()], args=[plan.rate, plan.burst])
        return BucketLevel(float(rate) * self._safety, plan.burst, float(tokens))

    async def drain(self, key: BucketKey) -> None:
        await self._drain(keys=[key.redis_key()], args=[_TTL_S])

    async def learn_rate(self, key: BucketKey, rate: float) -> bool:
        """Record the rate Amazon announced; True when it changed."""
        if rate <= 0:
            return False
        name = key.redis_key()
        current = await self._redis.hget(name, "rate")
        if current is not None and abs(float(current) - rate) < 1e-9:
            return False
        await self._redis.hset(name, "rate", repr(rate))
        await self._redis.expire(name, _TTL_S)
        return True

    async def learned_rate(self, key: BucketKey) -> float | None:
        value = await self._redis.hget(key.redis_key(), "rate")
        return None if value is None else float(value)
