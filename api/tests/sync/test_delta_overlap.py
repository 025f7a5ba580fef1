"""A delta due again by its cadence within the same second as the last one (its slot kept the cadence
after that one started late) asks nothing: Amazon's 2-minute rule has let no newer second be asked, and
the overlap before the watermark was read a moment ago. A first delta, or one a user asks for, still
reads the overlap."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, literal, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine

from app.sync import run as run_module
from app.sync.models import Job, SyncState
from app.sync.run_base import iso, parse_time
from app.sync.service import request_delta
from tests.sync import test_service
from tests.sync.job_rows import assert_delta_windows_chained
from tests.sync.test_service import Harness

pytestmark = pytest.mark.usefixtures("clean_state")

# The engine's harness of `test_service`: a seller of 400 orders in two marketplaces.
emulator_config = test_service.emulator_config
harness = test_service.harness


async def _done_deltas(h: Harness) -> int:
    async with h.sessionmaker() as session:
        statement = select(func.count()).select_from(Job).where(Job.kind == "delta", Job.status == "done")
        return int((await session.execute(statement)).scalar_one())


async def _run_due(h: Harness) -> int:
    messages = await h.dispatch()
    for message in messages:
        await h.run(message)
    return len(messages)


async def test_a_delta_due_again_within_the_second_reads_no_overlap_twice(
    harness: tuple[Harness, str, uuid.UUID], engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    h, _, connection_id = harness
    await h.until_backfilled()
    # The runs' clock stands still: every delta below is asked for within one second.
    frozen = datetime.now(UTC)
    monkeypatch.setattr(run_module, "utcnow", lambda: frozen)
    async with h.sessionmaker() as session:
        tenant_id = (await session.execute(select(SyncState.tenant_id).limit(1))).scalar_one()
    async with h.uow() as session:
        await request_delta(session, tenant_id, connection_id)
    assert await _run_due(h) == 2
    done = await _done_deltas(h)
    await assert_delta_windows_chained(engine, connection_id)

    # Due again by the cadence, in the same second: the runs ask nothing and move the slot on.
    async with h.uow() as session:
        await session.execute(
            update(SyncState).values(
                next_run_at=func.now(),
                extra=SyncState.extra.op("||")(literal({"next_delta_at": iso(frozen)}, JSONB)),
            )
        )
    assert await _run_due(h) == 2
    assert await _done_deltas(h) == done
    async with h.sessionmaker() as session:
        states = list((await session.execute(select(SyncState))).scalars())
    interval = timedelta(minutes=h.settings.sync.delta_sync_interval_minutes)
    assert all(parse_time(s.extra["next_delta_at"]) == frozen + interval for s in states), [
        s.extra for s in states
    ]
    assert all("delta" not in s.extra and "force_delta" not in s.extra for s in states)
    await assert_delta_windows_chained(engine, connection_id)

    # Asked for by a user in that same second: the overlap is read again.
    async with h.uow() as session:
        await request_delta(session, tenant_id, connection_id)
    assert await _run_due(h) == 2
    assert await _done_deltas(h) == done + 2
