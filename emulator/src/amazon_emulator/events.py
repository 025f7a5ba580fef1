"""A tiny in-process publish/subscribe bus for things that later become notifications.

Publishers (orders data, reports, feeds...) call :meth:`EventBus.publish` with an event type (the SP-API
notification type, e.g. ``"ORDER_CHANGE"``) and a dict. The notifications module subscribes and turns events
into SQS messages. Callbacks run synchronously in the publisher's thread and must not raise; exceptions are
swallowed so a broken subscriber never breaks an API call.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

Event = dict[str, Any]
Subscriber = Callable[[str, Event], None]

log = logging.getLogger(__name__)


class EventBus:
    def __init__(self) -> None:
        self._subscribers: dict[str, list[Subscriber]] = {}
        self._lock = threading.Lock()

    def subscribe(self, event_type: str, callback: Subscriber) -> None:
        """Call ``callback(event_type, event)`` for each event of ``event_type`` (``"*"``: every type)."""
        with self._lock:
            self._subscribers.setdefault(event_type, []).append(callback)

    def publish(self, event_type: str, event: Event) -> None:
        with self._lock:
            callbacks = [*self._subscribers.get(event_type, []), *self._subscribers.get("*", [])]
        for callback in callbacks:
            try:
                callback(event_type, event)
            except Exception:
                log.exception("event subscriber failed for %s", event_type)

    def clear(self) -> None:
        with self._lock:
            self._subscribers.clear()
