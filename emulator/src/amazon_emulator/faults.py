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

``statuses`` draws each injected error's status from a list (e.g. 500, 502, 503 and 504), not ``status``.
``script`` scripts the next calls of the operation, one entry per call, before the rates apply: a status code
answers that error (429 as Amazon throttles), ``"ok"`` lets the call through, and a *body fault* lets the
handler run and spoils its successful response on the way out (:mod:`amazon_emulator.middleware`):
``"reset"`` sends the status line and half the body, then closes the connection; ``"stall"`` sends half the
body and waits ``stall_ms`` before the rest (a client's read timeout fires first); ``"gzip_cut"`` sends the
body gzip-compressed and cut short, as a complete response (a document whose GZIP stream ends too soon).
Script entries do not count against ``remaining``.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

BodyFault = Literal["reset", "stall", "gzip_cut"]
BODY_FAULTS: tuple[BodyFault, ...] = ("reset", "stall", "gzip_cut")


@dataclass
class Fault:
    operation: str
    error_rate: float = 0.0
    status: int = 500
    latency_ms: float = 0.0
    throttle_until: float = 0.0  # epoch second; until then every call answers 429
    remaining: int | None = None  # number of injected errors / held responses left (None: unlimited)
    latency_after_ms: float = 0.0  # hold successful responses this long after the handler ran
    statuses: list[int] = field(default_factory=list)  # injected errors draw their status from these
    script: list[int | str] = field(default_factory=list)  # the next calls, one entry each (see above)
    stall_ms: float = 5000.0  # how long a "stall" body fault waits before the rest of the body

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
    body: BodyFault | None = None  # what to do to the successful response's body
    stall_s: float = 0.0


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
        body: BodyFault | None = None
        stall_s = 0.0
        with self._lock:
            for fault in self._faults:
                if not fault.matches(operation):
                    continue
                latency = max(latency, fault.latency_ms / 1000.0)
                if fault.throttle_until > now:
                    throttled = True
                if fault.script:
                    entry = fault.script.pop(0)
                    if entry == 429:
                        throttled = True
                    elif isinstance(entry, int):
                        status = status or entry
                    elif entry in BODY_FAULTS and body is None:
                        body, stall_s = entry, fault.stall_ms / 1000.0
                    continue
                if status is None and fault.error_rate > 0 and fault.remaining != 0:
                    if self._rng.random() < fault.error_rate:
                        status = self._rng.choice(fault.statuses) if fault.statuses else fault.status
                        if fault.remaining is not None:
                            fault.remaining -= 1
        return FaultDecision(latency, status, throttled, body, stall_s)

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
