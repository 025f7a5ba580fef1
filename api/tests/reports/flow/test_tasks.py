"""`reports.run_report`: re-enqueues itself while Amazon processes (the polling chain), a
notification's nudge (`poll=False`) never starts a second chain, and one step runs at a time."""

from __future__ import annotations

import uuid

import pytest

from app.kit.locks import RedisLock
from app.reports import tasks
from app.reports.flow import ReportRunner
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
        assert busy.value.delay_s == tasks.BUSY_RETRY_S
        await tasks.run_report(report_id, TENANT, poll=False)  # the running step finishes the job
    finally:
        await held.release()
    assert steps == [], "the runner never ran while another step held the report"


def test_the_actors_are_registered() -> None:
    from app.worker.actor import registered_tasks

    registered = registered_tasks()
    assert {"reports.run_report", "reports.discover_settlements"} <= set(registered)
    assert registered["reports.run_report"].queue == "high"
