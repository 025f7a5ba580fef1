"""`reports.run_report`: re-enqueues itself while Amazon processes (the polling chain), a
notification's nudge (`poll=False`) never starts a second chain, and one step runs at a time (a
lock kept alive by the running step, freed by its TTL when the step's worker died)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from app.kit.locks import RedisLock
from app.reports import tasks
from app.reports.flow import ReportRunner
from app.worker import steps as worker_steps
from app.worker.actor import Reschedule
from app.worker.context import resources

TENANT = str(uuid.uuid4())


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> list[float | None]:
    answers: list[float | None] = []

    async def run(
        self: ReportRunner, tenant_id: uuid.UUID, report_id: uuid.UUID, *, poll: bool = True
    ) -> float | None:
        return answers.pop(0)

    monkeypatch.setattr(ReportRunner, "run", run)
    return answers


async def test_polling_reschedules_until_final(steps: list[float | None]) -> None:
    report_id = str(uuid.uuid4())
    steps += [2.5, None]
    with pytest.raises(Reschedule) as again:
        await tasks.run_report(report_id, TENANT)
    assert again.value.delay_s == 2.5
    await tasks.run_report(report_id, TENANT)  # final: nothing more


async def test_a_nudge_never_starts_a_second_chain(steps: list[float | None]) -> None:
    steps += [2.5]
    await tasks.run_report(str(uuid.uuid4()), TENANT, poll=False)
    assert steps == []


async def test_one_step_at_a_time(steps: list[float | None]) -> None:
    report_id = str(uuid.uuid4())
    held = RedisLock(resources.redis, f"spapi-saas:reports:run:{report_id}", ttl_s=30)
    assert await held.acquire()
    try:
        with pytest.raises(Reschedule) as busy:
            await tasks.run_report(report_id, TENANT)
        assert busy.value.delay_s == worker_steps.BUSY_RETRY_S
        await tasks.run_report(report_id, TENANT, poll=False)  # the running step finishes the job
    finally:
        await held.release()
    assert steps == [], "the runner never ran while another step held the report"


def test_the_actors_are_registered() -> None:
    from app.worker.actor import registered_tasks

    registered = registered_tasks()
    assert {"reports.run_report", "reports.discover_settlements"} <= set(registered)
    assert registered["reports.run_report"].queue == "high"


async def test_a_step_killed_with_the_lock_frees_the_report_within_the_ttl(
    steps: list[float | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker SIGKILLed mid-step never releases its lock: the lock's TTL (REDIS_LOCK_TTL_SEC, kept
    alive only by a running step) frees the report, so the next step runs soon after."""
    settings = tasks.get_settings()
    short = settings.model_copy(update={"redis": settings.redis.model_copy(update={"redis_lock_ttl_sec": 1})})
    monkeypatch.setattr(tasks, "get_settings", lambda: short)
    monkeypatch.setattr(worker_steps, "get_settings", lambda: short)
    report_id = str(uuid.uuid4())
    steps += [None]

    async def step_that_dies() -> None:
        # What a killed step leaves behind: the lock, taken with the task's own TTL, never released.
        orphan = RedisLock(resources.redis, f"spapi-saas:reports:run:{report_id}", ttl_s=1)
        assert await orphan.acquire()

    await step_that_dies()
    with pytest.raises(Reschedule):
        await tasks.run_report(report_id, TENANT)
    await asyncio.sleep(1.2)
    await tasks.run_report(report_id, TENANT)
    assert steps == [], "the next step ran once the dead step's lock expired"


async def test_a_long_step_keeps_its_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The running step extends its lock: a step longer than the TTL is never joined by another."""
    settings = tasks.get_settings()
    short = settings.model_copy(update={"redis": settings.redis.model_copy(update={"redis_lock_ttl_sec": 1})})
    monkeypatch.setattr(tasks, "get_settings", lambda: short)
    monkeypatch.setattr(worker_steps, "get_settings", lambda: short)
    report_id = str(uuid.uuid4())
    seen: list[bool] = []
    ttls: list[int] = []

    async def long_step(
        self: ReportRunner, tenant_id: uuid.UUID, report_id_: uuid.UUID, *, poll: bool = True
    ) -> float | None:
        key = f"spapi-saas:reports:run:{report_id}"
        # Held with REDIS_LOCK_TTL_SEC, not longer: a worker killed now frees the report that soon.
        ttls.append(await resources.redis.pttl(key))
        await asyncio.sleep(2.0)  # twice the TTL
        other = RedisLock(resources.redis, key, ttl_s=1)
        seen.append(await other.acquire())
        return None

    monkeypatch.setattr(ReportRunner, "run", long_step)
    await tasks.run_report(report_id, TENANT)
    assert seen == [False], "another step could have taken the report while the first still ran"
    assert len(ttls) == 1 and 0 < ttls[0] <= 1000
