"""Token buckets per (application, selling partner, operation), scaled by the time scale.

A bucket starts full (``burst`` tokens) and refills at ``rate * time_scale`` tokens per real second, which is
also what ``x-amzn-RateLimit-Limit`` announces.
Overrides per (selling partner, operation) mimic Amazon raising a seller's plan: they replace the default
plan for that seller and reset its buckets. Grantless calls use ``None`` as the selling partner.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from amazon_emulator.clock import Clock
from amazon_emulator.usage_plans import UsagePlan, default_plan

BucketKey = tuple[str, str | None, str]


@dataclass
class _Bucket:
    tokens: float
    updated: float


@dataclass(frozen=True)
class Decision:
    """Outcome of one :meth:`RateLimiter.take`: whether the call may pass and under which plan."""

    allowed: bool
    plan: UsagePlan
    remaining: float


class RateLimiter:
    """All usage-plan buckets of one emulator instance."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._buckets: dict[BucketKey, _Bucket] = {}
        self._overrides: dict[tuple[str, str], UsagePlan] = {}
        self._lock = threading.Lock()

    def plan_for(self, selling_partner_id: str | None, operation: str) -> UsagePlan:
        """The plan that applies to this seller and operation (override first, then the default)."""
        if selling_partner_id is not None:
            override = self._overrides.get((selling_partner_id, operation))
            if override is not None:
                return override
        return default_plan(operation)

    def set_override(self, selling_partner_id: str, operation: str, rate: float, burst: int) -> UsagePlan:
        """Give one seller its own plan for ``operation``; existing buckets restart full."""
        plan = UsagePlan(rate, burst)
        with self._lock:
            self._overrides[(selling_partner_id, operation)] = plan
            for key in [k for k in self._buckets if k[1] == selling_partner_id and k[2] == operation]:
                del self._buckets[key]
        return plan

    def take(self, application_id: str, selling_partner_id: str | None, operation: str) -> Decision:
        """Consume one token if available."""
        plan = self.plan_for(selling_partner_id, operation)
        key: BucketKey = (application_id, selling_partner_id, operation)
        now = self._clock.time()
        refill = self._clock.real_rate(plan.rate)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = _Bucket(tokens=float(plan.burst), updated=now)
                self._buckets[key] = bucket
            else:
                elapsed = max(0.0, now - bucket.updated)
                bucket.tokens = min(float(plan.burst), bucket.tokens + elapsed * refill)
                bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return Decision(True, plan, bucket.tokens)
            return Decision(False, plan, bucket.tokens)

    def drain(self, application_id: str, selling_partner_id: str | None, operation: str) -> None:
        """Empty a bucket (used by throttle-storm faults and tests)."""
        with self._lock:
            self._buckets[(application_id, selling_partner_id, operation)] = _Bucket(0.0, self._clock.time())

    def reset(self) -> None:
        """Forget every bucket and override."""
        with self._lock:
            self._buckets.clear()
            self._overrides.clear()

    def overrides(self) -> dict[tuple[str, str], UsagePlan]:
        """A copy of the per-seller overrides."""
        return dict(self._overrides)
