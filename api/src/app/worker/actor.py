"""`@task`: declare an idempotent background job that takes ids as keyword arguments.

Queues by priority: `high` (user-triggered), `default`, `bulk` (work that can wait: a new seller's
past settlements). Actors that are throttled by Amazon raise `Reschedule(delay_s)` instead of
sleeping; the message is re-sent with that delay and the worker thread is free at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal, ParamSpec

import dramatiq
from dramatiq.brokers.redis import RedisBroker

P = ParamSpec("P")
Queue = Literal["high", "default", "bulk"]
QUEUES: tuple[Queue, ...] = ("high", "default", "bulk")


class Reschedule(Exception):
    def __init__(self, delay_s: float, reason: str = "") -> None:
        super().__init__(reason or f"rescheduled in {delay_s:.1f}s")
        self.delay_s = delay_s


@dataclass
class TaskSpec:
    name: str
    fn: Callable[..., Awaitable[None]]
    queue: Queue
    max_retries: int
    time_limit_ms: int
    actor: dramatiq.Actor[Any, Any] | None = None


_REGISTRY: dict[str, TaskSpec] = {}


def task(
    name: str, *, queue: Queue = "default", max_retries: int = 5, time_limit_s: int = 3600
) -> Callable[[Callable[P, Awaitable[None]]], Callable[P, Awaitable[None]]]:
    def decorate(fn: Callable[P, Awaitable[None]]) -> Callable[P, Awaitable[None]]:
        if name in _REGISTRY and _REGISTRY[name].fn is not fn:
            raise ValueError(f"task {name!r} is declared twice")
        _REGISTRY[name] = TaskSpec(name, fn, queue, max_retries, time_limit_s * 1000)
        return fn

    return decorate


def _with_reschedule(spec: TaskSpec) -> Callable[..., Awaitable[None]]:
    async def run(**kwargs: Any) -> None:
        try:
            await spec.fn(**kwargs)
        except Reschedule as again:
            assert spec.actor is not None
            spec.actor.send_with_options(kwargs=kwargs, delay=int(again.delay_s * 1000))

    run.__name__ = spec.fn.__name__
    run.__qualname__ = spec.fn.__qualname__
    return run


def bind_registered_actors(broker: RedisBroker) -> None:
    """Bind every registered task not yet bound to this broker (registries loaded later are bound
    by the next call)."""
    declared = broker.get_declared_actors()
    for spec in _REGISTRY.values():
        if spec.name in declared:
            # Bound earlier (a process that set this broker up before, tests switching brokers).
            spec.actor = broker.get_actor(spec.name)
            continue
        spec.actor = dramatiq.Actor(
            _with_reschedule(spec),
            actor_name=spec.name,
            queue_name=spec.queue,
            priority=QUEUES.index(spec.queue),
            broker=broker,
            options={"max_retries": spec.max_retries, "time_limit": spec.time_limit_ms},
        )


def registered_tasks() -> dict[str, TaskSpec]:
    return dict(_REGISTRY)
