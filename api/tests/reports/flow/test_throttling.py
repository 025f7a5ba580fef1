"""A burst of 429s on createReport never fails a report: the job waits (growing delays), leaves
nothing in flight for the refused requests, and ends with exactly one report at Amazon. The emulator
runs 60x faster here, so its usage plan (createReport: 1 a minute) allows the retry within a second."""

from __future__ import annotations

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.models import AmazonDocument
from app.documents.storage import DocumentStorage
from app.spapi import SpApiClient
from tests.amazon.support import request_log
from tests.factories.reports import ReportSeller, make_report
from tests.reports.flow.support import SALES, UnitOfWork, last_week, reload, run_to_the_end, runner


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=400, time_scale=60.0, report_processing_seconds=30)


async def test_a_burst_of_429s_is_waited_out(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
) -> None:
    fault = {"operation": "reports.createReport", "error_rate": 1.0, "status": 429, "count": 6}
    assert (await emulator_http.post("/_emulator/faults", json=fault)).status_code == 200
    start, end = last_week()
    report = await make_report(session, seller, SALES, data_start=start, data_end=end)
    # As in a worker: a call never waits for a rate-limit slot, the step is rescheduled instead.
    job = runner(uow, sp_client.with_max_wait(0.0), storage)
    delay = await job.run(report.tenant_id, report.id)
    throttled = await reload(session, report)
    assert delay is not None and delay > 0
    assert (throttled.status, throttled.attempts, throttled.amazon_report_id) == ("pending", 1, None)
    # Nothing is left in flight for a request Amazon refused.
    assert (await session.execute(select(func.count()).select_from(AmazonDocument))).scalar() == 0
    await run_to_the_end(job, report, steps=200)
    assert (await reload(session, report)).status == "done"
    created = await request_log(emulator_http, path_prefix="/reports/2021-06-30/reports", status=202)
    assert len([e for e in created if e["method"] == "POST"]) == 1
