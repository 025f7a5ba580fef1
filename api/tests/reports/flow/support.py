"""Helpers of the report job tests: a runner on the test's session and emulator, stepping it to
the end, reading rows back, what the emulator served."""

from __future__ import annotations

import asyncio
import gzip
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.storage import DocumentStorage
from app.reports.flow import ReportRunner
from app.reports.models import Report
from app.spapi import SpApiClient

UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncSession]]
SALES = "GET_SALES_AND_TRAFFIC_REPORT"
ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"


def runner(uow: UnitOfWork, sp_client: SpApiClient, storage: DocumentStorage) -> ReportRunner:
    async def client_for(connection_id: uuid.UUID) -> SpApiClient:
        return sp_client

    return ReportRunner(uow, client_for, storage)


async def run_to_the_end(job: ReportRunner, report: Report, *, steps: int = 60) -> list[float]:
    delays = []
    for _ in range(steps):
        # As a notification's nudge: the test steps sooner than the recorded `next_check_at`.
        delay = await job.run(report.tenant_id, report.id, poll=False)
        if delay is None:
            return delays
        delays.append(delay)
        await asyncio.sleep(min(delay, 0.3))
    raise AssertionError("the report never finished")


async def reload(session: AsyncSession, report: Report) -> Report:
    # The job writes with UPDATE statements: read the row again.
    await session.refresh(report)
    return report


def last_week() -> tuple[datetime, datetime]:
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return end - timedelta(days=7), end


async def served_content(emulator_http: httpx.AsyncClient, sp_client: SpApiClient, document_id: str) -> bytes:
    """What the emulator serves for the document, decompressed (through getReportDocument: the
    admin content route comes with the emulator's branch)."""
    url = (await sp_client.reports.get_report_document(document_id)).url
    response = await emulator_http.get(url)
    assert response.status_code == 200
    content = response.content
    return gzip.decompress(content) if content[:2] == b"\x1f\x8b" else content
