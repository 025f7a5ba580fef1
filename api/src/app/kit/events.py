"""Domain events: a domain says what happened; the domains above it react, in the same unit of work.

The layers (import-linter) let a higher domain import a lower one, never the reverse: `connections`
cannot start a sync or subscribe a seller to notifications. It publishes `ConnectionAuthorized`
instead, and the sync engine and the notifications domain, subscribed with `@subscriber`, do their
part. Subscribers are registered when their module is imported; every entry point imports them with
the actor registry (`app.tasks`).

Handlers run one after the other, in the publisher's session: what they write commits or rolls back
with the publisher's change, and the jobs they enqueue are sent after that commit. An event is a
frozen dataclass of ids and plain values, defined next to the domain that publishes it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

log = structlog.get_logger("app.events")

EventT = TypeVar("EventT")
Handler = Callable[[AsyncSession, EventT], Awaitable[None]]

_SUBSCRIBERS: dict[type[Any], list[Handler[Any]]] = {}


def subscriber(event_type: type[EventT]) -> Callable[[Handler[EventT]], Handler[EventT]]:
    """Register the decorated coroutine for `event_type` (once, however often its module loads)."""

    def register(handler: Handler[EventT]) -> Handler[EventT]:
        handlers = _SUBSCRIBERS.setdefault(event_type, [])
        if handler not in handlers:
            handlers.append(handler)
        return handler

    return register


async def publish(session: AsyncSession, event: object) -> int:
    """Run every subscriber of the event's type in `session`; returns how many ran."""
    handlers = list(_SUBSCRIBERS.get(type(event), ()))
    for handler in handlers:
        await handler(session, event)
    log.debug("event_published", event_type=type(event).__name__, subscribers=len(handlers))
    return len(handlers)


def subscribers_of(event_type: type[Any]) -> list[str]:
    """`module.function` of each subscriber (tests and the architecture document check the wiring)."""
    return [f"{h.__module__}.{h.__qualname__}" for h in _SUBSCRIBERS.get(event_type, ())]
