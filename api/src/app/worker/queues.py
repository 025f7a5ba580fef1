"""What waits in the Dramatiq queues, read straight from Redis (the operator's metrics).

The Redis broker keeps, per queue, a list of message ids (`<namespace>:<queue>`, oldest first), a
hash of the messages (`.msgs`), the delayed messages (`<queue>.DQ.msgs`: a worker holds them until
their time, then puts them on the queue) and the dead letters (`<queue>.XQ`, a sorted set).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis

from app.worker.actor import QUEUES
from app.worker.broker import NAMESPACE


@dataclass(frozen=True)
class QueueStats:
    queue: str
    ready: int
    delayed: int
    dead: int
    # Seconds the message at the head of the queue has waited since it became due (0: empty).
    oldest_age_s: float


def _due_since_ms(raw: Any) -> float | None:
    """When a message became runnable: its eta when it was delayed (a retry, a reschedule),
    otherwise when it was sent."""
    try:
        message = json.loads(raw)
        eta = (message.get("options") or {}).get("eta")
        return float(max(message["message_timestamp"], eta or 0))
    except (TypeError, ValueError, KeyError):
        return None


async def queue_stats(redis: aioredis.Redis, now_s: float, namespace: str = NAMESPACE) -> list[QueueStats]:
    """Depth, delayed, dead letters and the oldest message's age of every queue: two round trips."""
    async with redis.pipeline(transaction=False) as pipe:
        for queue in QUEUES:
            key = f"{namespace}:{queue}"
            pipe.llen(key)
            pipe.hlen(f"{key}.DQ.msgs")
            pipe.zcard(f"{key}.XQ")
            pipe.lindex(key, 0)
        answers = await pipe.execute()
    heads = [answers[i * 4 + 3] for i in range(len(QUEUES))]
    async with redis.pipeline(transaction=False) as pipe:
        for queue, head in zip(QUEUES, heads, strict=True):
            pipe.hget(f"{namespace}:{queue}.msgs", head or "")
        messages = await pipe.execute()
    out = []
    for i, queue in enumerate(QUEUES):
        ready, delayed, dead = (int(answers[i * 4 + j]) for j in range(3))
        due_ms = _due_since_ms(messages[i]) if heads[i] and messages[i] else None
        age = max(0.0, now_s - due_ms / 1000) if due_ms is not None else 0.0
        out.append(QueueStats(queue, ready, delayed, dead, round(age, 3)))
    return out
