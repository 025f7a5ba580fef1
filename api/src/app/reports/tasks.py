"""Jobs of the reports domain, its subscriber and its scheduler entries.

* `reports.run_report(report_id, tenant_id, poll=True)`: one step of a report (`flow.ReportRunner`);
  while Amazon processes, it re-enqueues itself with `sync.planner.document_poll_delay`. Idempotent:
  a final report is left alone, a step that runs twice finds the durable request and reuses it.
  `poll=False` is a notification's extra nudge: it never starts a second polling chain.
* `reports.discover_settlements(connection_id, tenant_id)`: getReports for the seller's settlement
  reports since the last one seen; new ones are recorded (source "settlement") and loaded.
* Subscriber of `ConnectionAuthorized` (a seller authorized us): its settlements are looked for at
  once, not at the next hourly scan.
* Subscriber of `ReportProcessingFinished` (REPORT_PROCESSING_FINISHED and
  DATA_KIOSK_QUERY_PROCESSING_FINISHED notifications): runs the matching reports' next step at once.
* Scheduler tick (`reports_tick`): due `report_schedules` become reports; in-flight reports whose
  next step is overdue by REPORT_REVIVE_GRACE_SECONDS (its message was lost with a killed worker, or
  never sent) get a new `reports.run_report`; settlement discovery is enqueued once an hour (a Redis
  key marks the hour as done).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.errors import AmazonError, Throttled
from app.connections.clients import worker_amazon_clients
from app.connections.events import ConnectionAuthorized, ConnectionDataDeletionDue
from app.documents.storage import storage_from_settings
from app.kit.events import subscriber
from app.notifications.events import ReportProcessingFinished
from app.orders.sync import ORDERS
from app.reports.flow import ReportClient, ReportRunner
from app.reports.service import RUN_REPORT_ACTOR, ReportsService, delete_connection_reports
from app.settings import get_settings
from app.sync.service import backfill_in_progress
from app.tokens.errors import ReauthorizationRequired
from app.worker.actor import Reschedule, task
from app.worker.context import resources, task_session
from app.worker.enqueue import enqueue_job
from app.worker.scheduler import on_tick
from app.worker.steps import run_locked_step

log = structlog.get_logger("app.reports")

DISCOVER_SETTLEMENTS_ACTOR = "reports.discover_settlements"
# Amazon schedules these itself: they are listed with getReports, never created.
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
SETTLEMENT_SCAN_KEY = "spapi-saas:reports:settlement-scan"
SETTLEMENT_SCAN_EVERY_S = 3600
# How often a discovery waiting for the orders backfill looks again, and how long it waits at most.
SETTLEMENTS_RECHECK_S = 120.0
SETTLEMENTS_WAIT_AT_MOST = timedelta(hours=6)

__all__ = ["DISCOVER_SETTLEMENTS_ACTOR", "RUN_REPORT_ACTOR", "discover_settlements", "run_report"]


@asynccontextmanager
async def _uow() -> AsyncIterator[AsyncSession]:
    async with task_session() as session:
        yield session


async def _client(connection_id: uuid.UUID) -> ReportClient:
    # Workers never wait for a rate-limit slot: a throttled step is rescheduled instead.
    return await worker_amazon_clients().spapi(connection_id, max_wait_s=0.0)


@task(RUN_REPORT_ACTOR, queue="high", max_retries=3, time_limit_s=3600)
async def run_report(report_id: str, tenant_id: str, poll: bool = True) -> None:
    # One step of a report at a time, across workers (`worker/steps.py`): a worker killed mid-step
    # frees the report within REDIS_LOCK_TTL_SEC, not after the longest step imaginable.
    runner = ReportRunner(_uow, _client, storage_from_settings(get_settings()))
    await run_locked_step(
        f"spapi-saas:reports:run:{report_id}",
        lambda: runner.run(uuid.UUID(tenant_id), uuid.UUID(report_id), poll=poll),
        poll=poll,
    )


@subscriber(ReportProcessingFinished)
async def wake_finished_report(session: AsyncSession, event: ReportProcessingFinished) -> None:
    woken = await ReportsService(session, get_settings()).wake([event.connection_id], event.amazon_id)
    log.info("reports.notified", kind=event.kind, amazon_id=event.amazon_id, reports=woken)


@subscriber(ConnectionAuthorized)
async def discover_authorized_sellers_settlements(session: AsyncSession, event: ConnectionAuthorized) -> None:
    if event.provider == "amazon_sp":
        enqueue_job(
            session,
            DISCOVER_SETTLEMENTS_ACTOR,
            connection_id=str(event.connection_id),
            tenant_id=str(event.tenant_id),
        )


# Bulk: a seller's past settlements can wait; when many sellers onboard at once their discoveries
# must not hold up an ORDER_CHANGE's getOrder (default) or what users start by hand (high).
@task(DISCOVER_SETTLEMENTS_ACTOR, queue="bulk", max_retries=3, time_limit_s=600)
async def discover_settlements(connection_id: str, tenant_id: str) -> None:
    tenant, connection = uuid.UUID(tenant_id), uuid.UUID(connection_id)
    now = datetime.now(UTC)
    async with task_session() as session:
        # A new seller's settlements are read with getReportDocument, whose burst (15) the orders
        # backfill plans its report windows on: they wait until the backfill is done (B1: the two
        # at once took a seller of 5,000 orders from ~3.5 to ~9 minutes).
        begun_after = now - SETTLEMENTS_WAIT_AT_MOST
        if await backfill_in_progress(session, tenant, connection, ORDERS.name, begun_after):
            raise Reschedule(SETTLEMENTS_RECHECK_S, "the orders backfill goes first")
        since = await ReportsService(session, get_settings()).settlements_since(tenant, connection, now)
    found = []
    try:
        client = await worker_amazon_clients().spapi(connection, max_wait_s=5.0)
        async for report in client.reports.list_reports(
            [SETTLEMENT], processing_statuses=["DONE"], created_since=since
        ):
            if report.report_document_id:
                found.append(
                    {
                        "report_type": SETTLEMENT,
                        "marketplace_ids": report.marketplace_ids,
                        "data_start": report.data_start_time,
                        "data_end": report.data_end_time,
                        "amazon_report_id": report.report_id,
                        "processing_status": report.processing_status,
                        "document_id": report.report_document_id,
                        "status": "processing",
                    }
                )
    except Throttled as exc:
        raise Reschedule(max(exc.retry_after or 0.0, 60.0), "throttled") from None
    except (ReauthorizationRequired, LookupError):
        return
    except AmazonError as exc:
        log.info("reports.settlements_skipped", connection_id=connection_id, error=type(exc).__name__)
        return
    async with task_session() as session:
        new = await ReportsService(session, get_settings()).add_settlements(tenant, connection, found)
    log.info("reports.settlements", connection_id=connection_id, listed=len(found), new=len(new))


@on_tick
async def reports_tick() -> None:
    now = datetime.now(UTC)
    settings = get_settings()
    async with task_session() as session:
        service = ReportsService(session, settings)
        created = await service.run_due_schedules(now)
        revived = await service.revive_overdue(now, settings.documents.report_revive_grace_seconds)
    if created or revived:
        log.info("reports.tick", scheduled=created, revived=revived)
    if await resources.redis.set(SETTLEMENT_SCAN_KEY, now.isoformat(), nx=True, ex=SETTLEMENT_SCAN_EVERY_S):
        async with task_session() as session:
            await ReportsService(session, get_settings()).scan_settlements(DISCOVER_SETTLEMENTS_ACTOR)


@subscriber(ConnectionDataDeletionDue)
async def delete_reports(session: AsyncSession, event: ConnectionDataDeletionDue) -> None:
    storage = storage_from_settings(get_settings())
    await delete_connection_reports(session, storage, event.tenant_id, event.connection_id)
