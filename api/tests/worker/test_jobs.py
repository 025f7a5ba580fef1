"""Jobs travel through the real Redis to a real worker process, and only after the commit."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker, unit_of_work
from app.worker.broker import setup_broker
from app.worker.enqueue import enqueue_job
from app.worker.models import WorkerHeartbeat

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def worker_process() -> Iterator[subprocess.Popen[bytes]]:
    # Messages left in the queues by earlier tests (a scheduler's heartbeats, say) would reach
    # this worker first: every test here starts from empty queues.
    setup_broker().flush_all()
    log_path = REPO_ROOT / "test-results" / "worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", "--threads", "2"],
            env=dict(os.environ),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        yield proc
        proc.terminate()
        proc.wait(timeout=30)


async def _heartbeat_rows(engine: AsyncEngine) -> list[WorkerHeartbeat]:
    async with create_sessionmaker(engine)() as session:
        return list((await session.execute(select(WorkerHeartbeat))).scalars())


async def _wait_for_rows(engine: AsyncEngine, seconds: float = 30.0) -> list[WorkerHeartbeat]:
    for _ in range(int(seconds / 0.2)):
        rows = await _heartbeat_rows(engine)
        if rows:
            return rows
        await asyncio.sleep(0.2)
    return []


@pytest.mark.usefixtures("clean_state")
async def test_a_committed_job_runs_in_a_real_worker(
    engine: AsyncEngine, worker_process: subprocess.Popen[bytes]
) -> None:
    setup_broker()
    async with unit_of_work(create_sessionmaker(engine)) as session:
        enqueue_job(session, "system.heartbeat", source="test")
    rows = await _wait_for_rows(engine)
    assert rows, "the worker did not record its heartbeat (see test-results/worker.log)"
    assert rows[0].queues == "test"
    assert rows[0].pid != os.getpid()
    assert worker_process.poll() is None


@pytest.mark.usefixtures("clean_state")
async def test_a_rolled_back_job_is_never_sent(
    engine: AsyncEngine, worker_process: subprocess.Popen[bytes]
) -> None:
    setup_broker()
    with pytest.raises(RuntimeError):
        async with unit_of_work(create_sessionmaker(engine)) as session:
            enqueue_job(session, "system.heartbeat", source="rolled-back")
            raise RuntimeError("the transaction fails")
    # A later committed job proves the worker is consuming; the rolled-back one never ran.
    async with unit_of_work(create_sessionmaker(engine)) as session:
        enqueue_job(session, "system.heartbeat", source="committed")
    rows = await _wait_for_rows(engine)
    await asyncio.sleep(1.0)
    rows = await _heartbeat_rows(engine)
    assert [row.queues for row in rows] == ["committed"]
