"""ORDER_CHANGE refreshes a connection's getOrder plan cannot keep up with, left to one delta.

getOrder allows a burst of 30 calls, then one every 2 s, per seller. A seller shipping a thousand
orders at once sends a thousand notifications within a minute: one `orders.refresh_order` each
would pile up throttled jobs for many minutes, every one of them rescheduled again and again. So,
per connection, the refreshes that wait for getOrder are counted; past
ORDER_REFRESH_COALESCE_AFTER of them, a change is *coalesced* instead: kept in a set of the
connection and marketplace with when it happened, and the connection's orders delta is made due
(`app.sync.service.request_dataset_delta`, the engine's "sync now" path, by `changed_at` plus
Amazon's 2-minute rule, as searchOrders shows nothing newer, plus COALESCE_WINDOW). A delta reads
every order updated since its watermark (less an overlap), so one searchOrders call serves all of
them.

* While a set is not empty, further changes of that connection and marketplace join it, and a
  refresh job enqueued earlier that has not called getOrder yet joins it too (no getOrder call is
  spent on what the delta reads anyway).
* The scheduler's tick (`sweep`) drops the changes the delta has covered (its watermark reached
  their time) and, while some remain, makes the delta due again by the oldest of them (plus the
  window): a change
  coalesced while a delta was running, or a request lost with a crash, is served by the next one.
* A refresh job that finds its change covered by a delta already ends without calling Amazon.

State is in Redis, keyed by tenant and connection, each key with a TTL: the waiting refreshes
(a sorted set of refresh job ids by when they were enqueued; one older than PENDING_STALE_S no longer
counts, so a job lost with a crashed worker stops counting by itself), the coalesced changes (order
id -> the time of its latest change) and the index of connections with coalesced changes. Each
step is one Lua script, atomic against the others. Losing it all (Redis flushed) only means the
regular delta, the safety net, reads those changes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis
from prometheus_client import Counter

# One delta reads the coalesced changes of this long: it is due COALESCE_WINDOW after the 2-minute
# rule lets a search see the oldest of them. A burst of a minute costs a few searchOrders calls
# (its plan: a burst of 20, then one every 3 minutes), not one per tick, and a coalesced change
# arrives 2 to 2.5 minutes after it happened.
COALESCE_WINDOW = timedelta(seconds=30)
# A refresh enqueued this long ago stops counting as waiting (a lost job, a crashed worker).
PENDING_STALE_S = 600
# Coalesced changes are kept at most this long: by then the regular delta has read them.
COALESCED_TTL_S = 6 * 3600
# Marketplace part of the key when a notification names none: every marketplace of the connection.
ANY_MARKETPLACE = "*"
_PREFIX = "spapi-saas:orders"
INDEX_KEY = f"{_PREFIX}:coalescing"

# outcome: enqueued (one getOrder refresh), coalesced (left to a delta when the notification came),
# deferred (a refresh job left its change to a coalescing delta before calling getOrder), covered
# (a refresh job found a delta had read its change), served_by_delta (a coalesced change a delta read).
ORDER_CHANGE_REFRESHES = Counter(
    "order_change_refreshes_total",
    "ORDER_CHANGE notifications by how the order was brought up to date",
    ["outcome", "tenant"],
)

# KEYS: pending, coalesced, index. ARGV: now, stale_s, threshold, order id, changed_at, index member,
# coalesced ttl, refresh id. Returns {coalesced 0/1, waiting refreshes, coalesced changes, set was empty 0/1}.
_ADMIT = """
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
local waiting = redis.call('ZCARD', KEYS[1])
local coalescing = redis.call('EXISTS', KEYS[2])
if coalescing == 1 or waiting >= tonumber(ARGV[3]) then
  local known = redis.call('ZSCORE', KEYS[2], ARGV[4])
  if (not known) or tonumber(known) < tonumber(ARGV[5]) then
    redis.call('ZADD', KEYS[2], ARGV[5], ARGV[4])
  end
  redis.call('EXPIRE', KEYS[2], ARGV[7])
  redis.call('SADD', KEYS[3], ARGV[6])
  return {1, waiting, redis.call('ZCARD', KEYS[2]), 1 - coalescing}
end
redis.call('ZADD', KEYS[1], now, ARGV[8])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return {0, waiting + 1, 0, 0}
"""

# A refresh job about to call getOrder. KEYS: pending, coalesced, index. ARGV: order id, changed_at,
# index member, coalesced ttl, refresh id. Returns 1 when the change joined a coalescing set (no
# call to make).
_DEFER = """
if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
local known = redis.call('ZSCORE', KEYS[2], ARGV[1])
if (not known) or tonumber(known) < tonumber(ARGV[2]) then
  redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
end
redis.call('EXPIRE', KEYS[2], ARGV[4])
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('ZREM', KEYS[1], ARGV[5])
return 1
"""

# KEYS: coalesced, index. ARGV: covered until (epoch), index member. Drops the covered changes; an
# empty set leaves the index. Returns {dropped, remaining, oldest remaining change or ''}.
_SWEEP = """
local dropped = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local remaining = redis.call('ZCARD', KEYS[1])
if remaining == 0 then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[2])
  return {dropped, 0, ''}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {dropped, remaining, oldest[2]}
"""


@dataclass(frozen=True)
class CoalescingKey:
    """A connection and marketplace whose changes are coalesced (ANY_MARKETPLACE: all of them)."""

    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    marketplace_id: str

    @property
    def member(self) -> str:
        return f"{self.tenant_id}|{self.connection_id}|{self.marketplace_id}"

    @classmethod
    def parse(cls, member: str) -> CoalescingKey | None:
        parts = member.split("|")
        if len(parts) != 3:
            return None
        try:
            return cls(uuid.UUID(parts[0]), uuid.UUID(parts[1]), parts[2])
        except ValueError:
            return None

    @property
    def marketplace(self) -> str | None:
        return None if self.marketplace_id == ANY_MARKETPLACE else self.marketplace_id


@dataclass(frozen=True)
class Admission:
    coalesced: bool
    waiting: int  # refreshes waiting for getOrder on the connection (this one included if enqueued)
    coalesced_changes: int
    first: bool  # the first coalesced change of the set: the delta is to be requested


@dataclass(frozen=True)
class Swept:
    key: CoalescingKey
    served: int
    remaining: int
    oldest: datetime | None


def _pending_key(tenant_id: uuid.UUID, connection_id: uuid.UUID) -> str:
    return f"{_PREFIX}:refresh-pending:{tenant_id}:{connection_id}"


def _coalesced_key(key: CoalescingKey) -> str:
    return f"{_PREFIX}:coalesced:{key.tenant_id}:{key.connection_id}:{key.marketplace_id}"


def key_of(tenant_id: uuid.UUID, connection_id: uuid.UUID, marketplace_id: str | None) -> CoalescingKey:
    return CoalescingKey(tenant_id, connection_id, marketplace_id or ANY_MARKETPLACE)


class RefreshBacklog:
    """The Redis side of coalescing, shared by the notifications consumer, the workers and the
    scheduler."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    async def admit(
        self, key: CoalescingKey, amazon_order_id: str, refresh_id: str, changed_at: datetime, threshold: int
    ) -> Admission:
        """Count a refresh (`refresh_id`: its job's own id, so two refreshes of one order count
        twice) as waiting, or coalesce the change when the connection has `threshold` refreshes
        waiting already or its changes are being coalesced."""
        now = datetime.now(UTC).timestamp()
        coalesced, waiting, changes, first = await self.redis.eval(
            _ADMIT,
            3,
            _pending_key(key.tenant_id, key.connection_id),
            _coalesced_key(key),
            INDEX_KEY,
            repr(now),
            str(PENDING_STALE_S),
            str(threshold),
            amazon_order_id,
            repr(changed_at.timestamp()),
            key.member,
            str(COALESCED_TTL_S),
            refresh_id,
        )
        return Admission(bool(int(coalesced)), int(waiting), int(changes), bool(int(first)))

    async def defer(
        self, key: CoalescingKey, amazon_order_id: str, refresh_id: str, changed_at: datetime
    ) -> bool:
        """A refresh job's change joins the connection's coalesced changes when there are any;
        True when it did (the job has nothing left to do)."""
        joined = await self.redis.eval(
            _DEFER,
            3,
            _pending_key(key.tenant_id, key.connection_id),
            _coalesced_key(key),
            INDEX_KEY,
            amazon_order_id,
            repr(changed_at.timestamp()),
            key.member,
            str(COALESCED_TTL_S),
            refresh_id,
        )
        return bool(int(joined))

    async def done(self, tenant_id: uuid.UUID, connection_id: uuid.UUID, refresh_id: str) -> None:
        """A refresh job ended (refreshed, skipped, or covered): it no longer waits."""
        await self.redis.zrem(_pending_key(tenant_id, connection_id), refresh_id)

    async def coalescing(self) -> list[CoalescingKey]:
        members = await self.redis.smembers(INDEX_KEY)
        keys = [CoalescingKey.parse(m.decode() if isinstance(m, bytes) else str(m)) for m in members]
        return [k for k in keys if k is not None]

    async def sweep(self, key: CoalescingKey, covered_until: datetime | None) -> Swept:
        """Drop the changes a delta has read (up to `covered_until`); what remains, and its oldest."""
        until = covered_until.timestamp() if covered_until is not None else float("-inf")
        dropped, remaining, oldest = await self.redis.eval(
            _SWEEP,
            2,
            _coalesced_key(key),
            INDEX_KEY,
            "-inf" if until == float("-inf") else repr(until),
            key.member,
        )
        text = oldest.decode() if isinstance(oldest, bytes) else str(oldest)
        return Swept(
            key,
            int(dropped),
            int(remaining),
            datetime.fromtimestamp(float(text), UTC) if text else None,
        )

    async def forget(self, key: CoalescingKey) -> None:
        """The connection or its rows are gone: its coalesced changes with them."""
        await self.redis.delete(_coalesced_key(key))
        await self.redis.srem(INDEX_KEY, key.member)
