"""Only one scheduler leads; leadership passes on when the leader goes away."""

from __future__ import annotations

import pytest

from app.kit.redis import create_redis
from app.settings import get_settings
from app.worker import scheduler as scheduler_module
from app.worker.scheduler import LEADER_KEY, Scheduler


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(scheduler_module, "send_job", lambda name, kwargs, **_: calls.append(name))
    return calls


async def test_single_leader_and_failover(sent: list[str]) -> None:
    redis = create_redis(get_settings().redis.redis_url)
    await redis.delete(LEADER_KEY)
    first, second = Scheduler(redis, tick_seconds=60), Scheduler(redis, tick_seconds=60)
    try:
        assert await first.tick() is True
        assert await second.tick() is False
        assert await first.tick() is True  # renews its own lock
        assert sent == ["system.heartbeat", "system.heartbeat"]
        await first.lock.release()
        assert await second.tick() is True
        assert await first.tick() is False
    finally:
        await redis.delete(LEADER_KEY)
        await redis.aclose()


async def test_tick_handlers_run_only_on_the_leader(sent: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[str] = []

    async def handler() -> None:
        runs.append("ran")

    monkeypatch.setattr(scheduler_module, "_tick_handlers", [handler])
    redis = create_redis(get_settings().redis.redis_url)
    await redis.delete(LEADER_KEY)
    leader, follower = Scheduler(redis, tick_seconds=60), Scheduler(redis, tick_seconds=60)
    try:
        await leader.tick()
        await follower.tick()
        assert runs == ["ran"]
    finally:
        await redis.delete(LEADER_KEY)
        await redis.aclose()
