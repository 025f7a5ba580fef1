"""Amazon calls per connection, operation and UTC day, counted in Redis by every process.

The transport counts each answer Amazon gave a call made for a stored connection (`CallOwner`),
throttled answers (429) apart, so the panel's Health view can say how much of Amazon's quota a
connection spent today. One hash per connection and day; it expires two days after its day.
Counting must never fail the call it counts: a Redis error is logged and dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import redis.asyncio as aioredis
import structlog

_KEY = "amazon:calls:{day}:{connection_id}"
_TTL_S = 3 * 24 * 3600
_THROTTLED = "#429"


def log() -> Any:
    return structlog.get_logger("app.amazon_http.calls")


@dataclass(frozen=True)
class CallOwner:
    """Who a call is made for: the tenant labels the metrics, the connection keys the daily count.
    Never a seller id or a token: these become metric labels and Redis keys."""

    tenant_id: str
    connection_id: str


@dataclass(frozen=True)
class OperationCalls:
    service: str
    operation: str
    calls: int
    throttled: int


def utc_day(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(UTC).date()


def _key(day: date, connection_id: str) -> str:
    return _KEY.format(day=day.isoformat(), connection_id=connection_id)


class DailyCallCounts:
    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis

    async def record(self, owner: CallOwner, service: str, operation: str, *, status: int) -> None:
        key = _key(utc_day(), owner.connection_id)
        field = f"{service}:{operation}"
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.hincrby(key, field, 1)
                if status == 429:
                    pipe.hincrby(key, field + _THROTTLED, 1)
                pipe.expire(key, _TTL_S)
                await pipe.execute()
        except Exception as exc:  # the call itself went through; a lost count is only a lost count
            log().warning("amazon.call_count_failed", operation=operation, error=type(exc).__name__)

    async def read(self, connection_ids: Sequence[str], day: date) -> dict[str, list[OperationCalls]]:
        """Each connection's calls on `day` per operation, most called first."""
        if not connection_ids:
            return {}
        async with self._redis.pipeline(transaction=False) as pipe:
            for connection_id in connection_ids:
                pipe.hgetall(_key(day, connection_id))
            answers: list[dict[Any, Any]] = await pipe.execute()
        out: dict[str, list[OperationCalls]] = {}
        for connection_id, raw in zip(connection_ids, answers, strict=True):
            counts = {_text(k): int(v) for k, v in raw.items()}
            rows = []
            for field, calls in counts.items():
                if field.endswith(_THROTTLED):
                    continue
                service, _, operation = field.partition(":")
                rows.append(OperationCalls(service, operation, calls, counts.get(field + _THROTTLED, 0)))
            out[connection_id] = sorted(rows, key=lambda row: (-row.calls, row.operation))
        return out


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
