"""Fault injection: per-operation error rates, extra latency, held responses and throttle storms.

A fault targets an operation key (``"ordersV0.getOrders"``), a bare operationId (``"getOrders"``, matching
every API that has it), an API prefix (``"ordersV0.*"``) or everything (``"*"``). Faults are checked by
:func:`amazon_emulator.auth.sp_operation` before authentication, so a faulted call fails the way a real outage
does. Revoking a refresh token is immediate and lives in the credential store, not here.

``latency_after_ms`` holds the *response* instead: the handler runs (a createFeed creates its feed), then
:class:`amazon_emulator.middleware.AmazonHeadersMiddleware` waits that long before sending the status line,
so a test can kill the client after Amazon acted but before the client heard the answer. Only successful
responses (status below 400) are held. ``remaining`` counts the calls a fault acted on: injected errors and
held responses (``None``: no limit).
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Fault:
    operation: str
    error_rate: float = 0.0
    status: int = 500
    latency_ms: float = 0.0
    throttle_until: float = 0.0  # epoch second; until then every call answers 429
    remaining: int | None = None  # number of injected errors / held responses left (None: unlimited)
    latency_after_ms: float = 0.0  # hold successful responses this long after the handler ran

    def matches(self, operation: str) -> bool:
        if self.operation in ("*", operation):
            return True
        if self.operation.endswith(".*"):
            return operation.startswith(self.operation[:-1])
        return operation.split(".", 1)[-1] == self.operation

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class FaultDecision:
    latency_s: float
    error_status: int | None
    throttled: bool


class FaultStore:
    def __init__(self, seed: int) -> None:
        self._faults: list[Fault] = []
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults = [f for f in self._faults if f.operation != fault.operation]
            self._faults.append(fault)
        return fault

    def clear(self, operation: str | None = None) -> None:
        with self._lock:
            self._faults = [f for f in self._faults if operation is not None and f.operation != operation]

    def list(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def decide(self, operation: str, now: float) -> FaultDecision:
        """What the faults ask of one call of ``operation`` at epoch ``now``."""
        latency = 0.0
        status: int | None = None
        throttled = False
        with self._lock:
            for fault in self._faults:
                if not fault.matches(operation):
                    continue
                latency = max(latency, fault.latency_ms / 1000.0)
                if fault.throttle_until > now:
                    throttled = True
                if status is None and fault.error_rate > 0 and fault.remaining != 0:
                    if self._rng.random() < fault.error_rate:
                        status = fault.status
                        if fault.remaining is not None:
                            fault.remaining -= 1
        return FaultDecision(latency, status, throttled)

    def hold_after(self, operation: str) -> float:
        """Seconds to hold a successful response of ``operation`` (counts against ``remaining``)."""
        hold = 0.0
        with self._lock:
            for fault in self._faults:
                if fault.latency_after_ms <= 0 or fault.remaining == 0 or not fault.matches(operation):
                    continue
                hold = max(hold, fault.latency_after_ms / 1000.0)
                if fault.remaining is not None:
                    fault.remaining -= 1
        return hold
