"""Retry decisions: which failures are worth another attempt, and how long to wait before it.

Exponential backoff with full jitter (a uniform draw in [0, min(cap, base * 2^n)]) so that many
workers failing at once do not come back at once; a server's `Retry-After` is honoured as the floor.
Attempts are bounded; a wait longer than the caller accepts is handed back as `retry_after` instead.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_s: float = 0.5
    cap_s: float = 30.0

    def backoff(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full-jitter delay after failed attempt number `attempt` (1-based)."""
        ceiling = min(self.cap_s, self.base_s * (2 ** (attempt - 1)))
        return (rng or random).uniform(0.0, ceiling)

    def delay(self, attempt: int, retry_after: float | None) -> float:
        jittered = self.backoff(attempt)
        return max(jittered, retry_after) if retry_after is not None else jittered


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """`Retry-After` as seconds from now: either delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
