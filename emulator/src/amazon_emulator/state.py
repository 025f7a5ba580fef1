"""EmulatorState: every store of one emulator instance, held on ``app.state.emulator``.

Get it in a route with ``state = get_state(request)``. Modules added later keep their own stores in
:meth:`EmulatorState.extension` so that ``POST /_emulator/reset`` clears them too, and subscribe to
:attr:`EmulatorState.events` for things that become notifications.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from starlette.requests import HTTPConnection

from amazon_emulator.clock import Clock
from amazon_emulator.config import EmulatorConfig
from amazon_emulator.credentials import CredentialStore
from amazon_emulator.data.models import Seller
from amazon_emulator.events import EventBus
from amazon_emulator.faults import FaultStore
from amazon_emulator.ratelimit import RateLimiter
from amazon_emulator.requestlog import RequestLog

T = TypeVar("T")


class EmulatorState:
    """In-memory state, safe for one process: stores lock internally; never hold a lock across an await."""

    def __init__(self, config: EmulatorConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or Clock(config.time_scale)
        self.lock = threading.RLock()
        self.events = EventBus()
        self._reset_hooks: list[Callable[[EmulatorState], None]] = []
        self.background: list[Callable[[EmulatorState], Coroutine[Any, Any, None]]] = []
        self._build()

    def _build(self) -> None:
        cfg = self.config
        self.credentials = CredentialStore(
            self.clock,
            cfg.access_token_lifetime,
            cfg.rdt_lifetime,
            cfg.auth_code_lifetime,
            grants_file=cfg.grants_file,
        )
        self.ratelimiter = RateLimiter(self.clock)
        self.request_log = RequestLog(cfg.request_log_size)
        self.faults = FaultStore(cfg.seed)
        self.sellers: dict[str, Seller] = {}
        # Pagination snapshots keyed by token: (expires_at, payload).
        self.page_tokens: dict[str, tuple[float, Any]] = {}
        self._extensions: dict[str, Any] = {}

    def extension(self, name: str, factory: Callable[[], T]) -> T:
        """A store owned by another module (created on first use, dropped by :meth:`reset`)."""
        with self.lock:
            if name not in self._extensions:
                self._extensions[name] = factory()
            value: T = self._extensions[name]
            return value

    def add_background(self, task: Callable[[EmulatorState], Coroutine[Any, Any, None]]) -> None:
        """Run ``await task(state)`` for the life of the server.

        The app's lifespan starts it and cancels it at shutdown. In-process tests with ``httpx.ASGITransport``
        do not run the lifespan, so compute state lazily on read and use this only for pushes (notifications).
        """
        self.background.append(task)

    def on_reset(self, hook: Callable[[EmulatorState], None]) -> None:
        """Run ``hook(state)`` after every reset (e.g. to re-create demo fixtures)."""
        self._reset_hooks.append(hook)

    def reset(self) -> None:
        """Forget everything (apps, sellers, tokens, the grants file too, buckets, log, faults,
        extensions); keep subscribers."""
        with self.lock:
            if self.config.grants_file is not None:
                self.config.grants_file.unlink(missing_ok=True)
            self._build()
        for hook in list(self._reset_hooks):
            hook(self)

    def seller(self, selling_partner_id: str) -> Seller | None:
        return self.sellers.get(selling_partner_id)


def get_state(conn: HTTPConnection) -> EmulatorState:
    """The EmulatorState of the app serving this request (usable as a FastAPI dependency)."""
    state: EmulatorState = conn.app.state.emulator
    return state
