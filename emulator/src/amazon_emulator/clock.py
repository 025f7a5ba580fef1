"""Time: wall-clock timestamps, scaled durations and rates.

Amazon timestamps (order dates, ``now``) always follow the wall clock. Amazon *durations* (token lifetimes,
processing times, expiry of URLs and pagination tokens) and *rates* (usage-plan refills) are scaled by
``time_scale``: with 60, one Amazon hour passes in one real minute.

A scaled emulator looks like a faster Amazon, never like Amazon with a secret: every value it *announces* to
a client is in real units. ``x-amzn-RateLimit-Limit`` is the real refill rate (:meth:`Clock.real_rate`);
``Retry-After`` counts real seconds; a lifetime it announces (LWA ``expires_in``, the RDT ``expiresIn``,
``X-Amz-Expires`` of a pre-signed URL) is :meth:`Clock.announced_seconds`: whole real seconds, rounded down,
at least 1, and the thing really lives exactly that long. So under very large scales a token lives 1 real
second (longer than its scaled lifetime) rather than announcing 0 or more than it lives. Durations nobody
announces (processing times, pagination tokens, refills) keep their exact scaled value.

Tests can move time forward with :meth:`Clock.advance`; it shifts both ``now()`` and ``time()``, so everything
that expires or refills sees the jump.
"""

from __future__ import annotations

import math
import threading
import time
from datetime import UTC, datetime


class Clock:
    """The single source of time for one emulator instance."""

    def __init__(self, time_scale: float = 1.0) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be > 0")
        self.time_scale = float(time_scale)
        self._offset = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        """Epoch seconds (wall clock plus any test offset); use for expiry and bucket refills."""
        return time.time() + self._offset

    def now(self) -> datetime:
        """Current UTC datetime on the (possibly advanced) wall clock."""
        return datetime.fromtimestamp(self.time(), tz=UTC)

    def advance(self, real_seconds: float) -> None:
        """Move time forward by ``real_seconds`` (tests and demos only)."""
        with self._lock:
            self._offset += real_seconds

    def real_duration(self, amazon_seconds: float) -> float:
        """Real seconds that an Amazon duration takes under the time scale."""
        return amazon_seconds / self.time_scale

    def real_rate(self, amazon_rate: float) -> float:
        """Real refills per second for an Amazon rate (requests per second); also what
        ``x-amzn-RateLimit-Limit`` announces."""
        return amazon_rate * self.time_scale

    def expires_at(self, amazon_seconds: float) -> float:
        """Epoch second at which something with an Amazon lifetime of ``amazon_seconds`` expires (for
        lifetimes the emulator does not announce; see :meth:`announced_seconds` for those it does)."""
        return self.time() + self.real_duration(amazon_seconds)

    def announced_seconds(self, amazon_seconds: float) -> int:
        """The lifetime to announce, and to give, for something living ``amazon_seconds`` on Amazon: whole
        real seconds, rounded down, never below 1 (the integer fields Amazon uses cannot say less)."""
        # The small epsilon keeps 3600 / 60 at 60 despite floating-point division.
        return max(1, math.floor(self.real_duration(amazon_seconds) + 1e-9))


def iso(dt: datetime) -> str:
    """Amazon's timestamp format: ISO 8601 UTC with ``Z`` and no fractional seconds."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_ts(epoch: float) -> str:
    """:func:`iso` for an epoch second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def iso_ms(epoch: float) -> str:
    """:func:`iso_ts` with milliseconds (for logs, where order within a second matters)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}Z"


def parse_iso(value: str) -> datetime:
    """Parse an ISO 8601 timestamp as Amazon accepts it; naive values are taken as UTC.

    Raises ``ValueError`` when the value is not a timestamp.
    """
    text = value.strip()
    if not text or not text[0].isdigit():
        raise ValueError(value)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)
