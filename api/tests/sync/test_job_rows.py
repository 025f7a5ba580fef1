"""`tests.sync.job_rows`: a backfill's job rows tile its range once per window and deltas form one chain;
a window run twice, and a run left unfinished, fail with the window named."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import unit_of_work
from tests.sync import test_service
from tests.sync.job_rows import assert_delta_windows_chained, assert_each_backfill_window_once
from tests.sync.test_service import Harness

# The in-process sync of the service tests (a 400-order seller in two marketplaces).
emulator_config = test_service.emulator_config
harness = test_service.harness
pytestmark = pytest.mark.usefixtures("clean_state")

_COPY_JOB = """
    INSERT INTO jobs (id, tenant_id, connection_id, type, kind, entity, marketplace_id, status, window_start,
                      window_end, started_at, finished_at)
    SELECT :new, tenant_id, connection_id, type, kind, entity, marketplace_id, status, window_start,
           window_end, started_at, finished_at
    FROM jobs WHERE id = (SELECT id FROM jobs WHERE kind = :kind AND status = 'done'
                          ORDER BY window_end LIMIT 1)
"""


async def test_a_window_run_twice_or_left_running_is_named(
    harness: tuple[Harness, str, uuid.UUID], engine: AsyncEngine
) -> None:
    h, _, connection_id = harness
    await h.until_backfilled()
    ledger = await assert_each_backfill_window_once(engine, connection_id, windows=50)
    assert ledger.windows == 50 and ledger.interrupted == []
    assert await assert_delta_windows_chained(engine, connection_id) == 2  # one per marketplace at onboarding

    with pytest.raises(AssertionError, match="50 done backfill windows, expected exactly 49"):
        await assert_each_backfill_window_once(engine, connection_id, windows=49)
    twice = uuid.uuid4()
    async with unit_of_work(h.sessionmaker) as session:
        await session.execute(text(_COPY_JOB), {"new": twice, "kind": "backfill"})
    with pytest.raises(AssertionError) as failure:
        await assert_each_backfill_window_once(engine, connection_id, windows=50, note="seed 7")
    message = str(failure.value)
    assert "overlaps the previous one (expected a window from" in message and str(twice) in message
    assert "(seed 7)" in message and "done backfill windows, expected exactly 50" in message

    # The same row as a run a fault killed: allowed (and reported) only where the test says so.
    async with unit_of_work(h.sessionmaker) as session:
        await session.execute(
            text("UPDATE jobs SET status = 'running', finished_at = NULL WHERE id = :i"), {"i": twice}
        )
    with pytest.raises(AssertionError, match="a window run twice or a run left running"):
        await assert_each_backfill_window_once(engine, connection_id, windows=50)
    ledger = await assert_each_backfill_window_once(
        engine, connection_id, windows=50, interrupted_allowed=True
    )
    assert len(ledger.interrupted) == 1 and str(twice) in ledger.interrupted[0]

    again = uuid.uuid4()
    async with unit_of_work(h.sessionmaker) as session:
        await session.execute(text(_COPY_JOB), {"new": again, "kind": "delta"})
    with pytest.raises(AssertionError, match=rf"(?s)are not one chain: .*job {again}"):
        await assert_delta_windows_chained(engine, connection_id)
