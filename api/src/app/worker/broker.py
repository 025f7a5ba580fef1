"""The Dramatiq broker: Redis, with the AsyncIO middleware so actors can be `async def`.

Actors are declared with `app.worker.actor.task`, which records them in a registry; they are bound
to the broker when `setup_broker` runs, so importing a tasks module never needs Redis. The broker
knows no domain: each entry point (the API, the worker, the scheduler, the notifications consumer,
the tests) imports `app.tasks`, the actor registry, before it sets the broker up.
"""

from __future__ import annotations

from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware.asyncio import AsyncIO

from app.settings import get_settings
from app.worker.actor import bind_registered_actors
from app.worker.middleware import JobLogging

NAMESPACE = "spapi-saas"
_broker: RedisBroker | None = None


def setup_broker(redis_url: str | None = None) -> RedisBroker:
    """Create the process's broker (idempotent for the same URL) and bind every registered actor."""
    global _broker
    url = redis_url or get_settings().redis.redis_url
    if not url:
        raise RuntimeError("REDIS_URL is not set (only `spapi-saas dev` starts an embedded Redis)")
    if _broker is not None and getattr(_broker, "_spapi_url", None) == url:
        bind_registered_actors(_broker)
        return _broker
    broker = RedisBroker(url=url, namespace=NAMESPACE)  # type: ignore[no-untyped-call]
    broker.add_middleware(AsyncIO())
    broker.add_middleware(JobLogging())
    broker._spapi_url = url  # type: ignore[attr-defined]
    dramatiq.set_broker(broker)
    _broker = broker
    bind_registered_actors(broker)
    return broker


def get_broker() -> RedisBroker:
    return _broker if _broker is not None else setup_broker()


def send_job(actor_name: str, kwargs: dict[str, Any], *, delay_ms: int | None = None) -> None:
    broker = get_broker()
    actor = broker.get_actor(actor_name)
    actor.send_with_options(kwargs=kwargs, delay=delay_ms)
