"""The ETA of a planned backfill holds: against Amazon's own clock, usage plans and report processing
time (a minute), the finish the first plan announces (what the sync card shows as soon as the seller's
size is known at both ends of the history) is compared with when the backfill actually completed.
The first plan, made from the newest window alone, gives pages fewer of the oldest windows than
they can take; once pages have read them, the windows whose reports createReport's bucket had not
let go yet are handed to pages: no report is made for them, and the job rows still tile the history.

Tolerance: the actual duration from the first plan to completion is within a quarter of the planned
duration, plus 30 s for the local work (mapping and writing 5,000 orders) on a loaded machine. The
plan knows Amazon's pace exactly but estimates the seller's size from the windows read so far, and
assumes a minute of processing per report until it has seen one."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.sync.models import SyncState
from app.sync.run_base import parse_time
from tests.amazon.support import request_log
from tests.sync.job_rows import assert_each_backfill_window_once
from tests.sync.test_planned_backfill import Killed, onboarded, until_backfilled
from tests.sync.test_service import Harness

pytestmark = pytest.mark.usefixtures("clean_state")

# Enough orders that the plan splits the windows (the oldest ten by searchOrders, the rest by
# report): the finish is Amazon's pace (a report's minute of processing), not local work.
ORDERS = 5000
SELLER_SEED = 101


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=3, demo=True, demo_orders=10, time_scale=1.0, report_processing_seconds=60.0)


# Amazon's own pace at its real clock: about 200 s alone, more beside the whole suite.
@pytest.mark.timeout(600)
async def test_the_first_eta_holds(
    harness: tuple[Harness, str, uuid.UUID], engine: AsyncEngine, emulator_http: httpx.AsyncClient
) -> None:
    h, _, connection_id = harness
    await onboarded(h, connection_id)
    await emulator_http.delete("/_emulator/requests")

    await until_backfilled(h, 900.0, survive=Killed)

    async with h.sessionmaker() as session:
        state = (await session.execute(select(SyncState))).scalars().one()
    plan: dict[str, Any] = (state.extra or {})["plan"]
    planned_at, first_finish = parse_time(plan["first_planned_at"]), parse_time(plan["first_finish_at"])
    assert planned_at is not None and first_finish is not None and state.backfill_completed_at is not None
    planned = (first_finish - planned_at).total_seconds()
    actual = (state.backfill_completed_at - planned_at).total_seconds()
    # Reports and pages at once, and Amazon's pace the larger part of the wait (not local work).
    assert 0 < int(plan["split"]) < 24 and planned > 45, plan
    assert abs(actual - planned) <= 0.25 * planned + 30, (planned, actual)
    # What was stored is compared with the truth in test_planned_backfill: here the emulator's orders
    # move on at Amazon's pace during the minutes the backfill takes, and only a delta would follow.
    # One report per window left to reports, none for a window handed back to pages.
    created = [
        c
        for c in await request_log(emulator_http)
        if c["operation"] == "reports.createReport" and c["status"] == 202
    ]
    assert len(created) == 24 - int(plan["split"]), (len(created), plan["split"])
    await assert_each_backfill_window_once(engine, connection_id, windows=25)
