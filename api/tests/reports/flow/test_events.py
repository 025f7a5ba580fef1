"""What else moves a report: a processing-finished notification (REPORT_PROCESSING_FINISHED,
DATA_KIOSK_QUERY_PROCESSING_FINISHED) runs its next step at once, settlement reports Amazon lists are
recorded once each and downloaded, a catalogue loader gets the stored file, Data Kiosk's refusals
reach the user as sentences."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.jobs import wait_for
from app.documents.storage import DocumentStorage
from app.notifications.service import handle_notification
from app.reports import catalogue
from app.reports.catalogue import LoadTarget
from app.reports.models import Report, ReportDocument
from app.reports.service import ReportsService
from app.settings import get_settings
from app.spapi import SpApiClient
from app.spapi.operations.reports import ReportSpec
from app.worker.enqueue import buffered_jobs, discard_buffered_jobs
from tests.factories.reports import US, ReportSeller, make_report, make_report_seller
from tests.reports.flow.support import (
    SALES,
    UnitOfWork,
    last_week,
    reload,
    run_to_the_end,
    runner,
    served_content,
)

SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(
        seed=7, demo=True, demo_orders=400, report_processing_seconds=1, query_processing_seconds=1
    )


def report_finished(seller_id: str, report_id: str) -> dict[str, Any]:
    return {
        "notificationVersion": "2020-09-04",
        "notificationType": "REPORT_PROCESSING_FINISHED",
        "payloadVersion": "2020-09-04",
        "payload": {
            "reportProcessingFinishedNotification": {
                "sellerId": seller_id,
                "accountId": f"amzn1.merchant.o.{seller_id}",
                "reportId": report_id,
                "reportType": SALES,
                "processingStatus": "DONE",
                "reportDocumentId": "amzn1.spdoc.1",
            }
        },
    }


def query_finished(seller_id: str, query_id: str) -> dict[str, Any]:
    return {
        "notificationType": "DATA_KIOSK_QUERY_PROCESSING_FINISHED",
        "payloadVersion": "2023-11-15",
        "payload": {
            "accountId": f"amzn1.merchant.o.{seller_id}",
            "queryId": query_id,
            "processingStatus": "DONE",
            "dataDocumentId": "DOC",
        },
    }


async def test_a_finished_notification_runs_the_next_step_at_once(session: AsyncSession) -> None:
    seller = await make_report_seller(session, account_id="ASELLER1")
    report = await make_report(session, seller, SALES, amazon_report_id="5001", status="processing")
    query = await make_report(
        session, seller, SALES, amazon_report_id="Q-9", status="processing", via="datakiosk"
    )
    # Another seller's report with the same id is not touched.
    other = await make_report_seller(session, account_id="ASELLER2")
    await make_report(session, other, SALES, amazon_report_id="5001", status="processing")
    discard_buffered_jobs(session)

    keys = get_settings().security.encryption_keys
    assert (
        await handle_notification(session, report_finished("ASELLER1", "5001"), encryption_keys=keys)
        == "wake"
    )
    assert (
        await handle_notification(session, query_finished("ASELLER1", "Q-9"), encryption_keys=keys) == "wake"
    )
    assert await handle_notification(session, report_finished("ANOBODY", "5001"), encryption_keys=keys) == (
        "no_connection"
    )
    jobs = [(j.actor_name, j.kwargs) for j in buffered_jobs(session)]
    assert jobs == [
        (
            "reports.run_report",
            {"report_id": str(report.id), "tenant_id": str(seller.tenant_id), "poll": False},
        ),
        (
            "reports.run_report",
            {"report_id": str(query.id), "tenant_id": str(seller.tenant_id), "poll": False},
        ),
    ]
    discard_buffered_jobs(session)


async def test_settlements_are_recorded_once_and_downloaded(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
) -> None:
    # A finished report at Amazon stands for a settlement report getReports listed (the emulator of
    # this branch lists none yet): its document is what gets downloaded.
    start, end = last_week()
    job_id = await sp_client.reports.submit(ReportSpec(SALES, [US], start, end))
    status = await wait_for(sp_client.reports, job_id, poll_s=0.2, timeout_s=30)
    assert status.document_id is not None
    listed = {
        "report_type": SETTLEMENT,
        "marketplace_ids": [US],
        "data_start": start,
        "data_end": end,
        "amazon_report_id": job_id,
        "processing_status": "DONE",
        "document_id": status.document_id,
        "status": "processing",
    }
    service = ReportsService(session, get_settings())
    [new] = await service.add_settlements(seller.tenant_id, seller.connection_id, [listed])
    assert await service.add_settlements(seller.tenant_id, seller.connection_id, [listed]) == []
    assert [j.kwargs["report_id"] for j in buffered_jobs(session)] == [str(new)]
    discard_buffered_jobs(session)
    since = await service.settlements_since(seller.tenant_id, seller.connection_id, datetime.now(UTC))
    assert since == end

    report = await session.get(Report, new)
    assert report is not None and report.source == "settlement"
    await run_to_the_end(runner(uow, sp_client, storage), report)
    done = await reload(session, report)
    assert done.status == "done", done.error
    stored = (await session.execute(select(ReportDocument))).scalar_one()
    assert stored.file_name == f"{SETTLEMENT}_{job_id}.tsv"
    content = b"".join([c async for c in storage.read(stored.storage_key)])
    assert content == await served_content(emulator_http, sp_client, status.document_id)
    posts = [e for e in await _log(emulator_http) if e["method"] == "POST"]
    assert len(posts) == 1, "a settlement report is never created, only downloaded"


async def _log(emulator_http: httpx.AsyncClient) -> list[dict[str, Any]]:
    from tests.amazon.support import request_log

    return await request_log(emulator_http, path_prefix="/reports/")


class CountingLoader:
    def __init__(self) -> None:
        self.calls: list[tuple[LoadTarget, bytes, str]] = []

    async def load(
        self,
        uow: UnitOfWork,
        target: LoadTarget,
        chunks: AsyncIterator[bytes],
        via: Literal["report", "datakiosk"],
    ) -> int:
        content = b"".join([chunk async for chunk in chunks])
        self.calls.append((target, content, via))
        return content.count(b"\n") + 1


async def test_the_catalogues_loader_reads_the_stored_file(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loader = CountingLoader()
    kind = dataclasses.replace(
        catalogue.CATALOGUE[SALES], loader=loader, tables=("report_sales_traffic_by_date",)
    )
    monkeypatch.setitem(catalogue.CATALOGUE, SALES, kind)
    start, end = last_week()
    report = await make_report(session, seller, SALES, data_start=start, data_end=end)
    await run_to_the_end(runner(uow, sp_client, storage), report)
    done = await reload(session, report)
    [(target, content, via)] = loader.calls
    assert (target.report_id, target.tenant_id, target.marketplace_ids, via) == (
        report.id,
        seller.tenant_id,
        (US,),
        "report",
    )
    stored = (await session.execute(select(ReportDocument))).scalar_one()
    assert content == b"".join([c async for c in storage.read(stored.storage_key)])
    assert done.rows_loaded == content.count(b"\n") + 1
    assert stored.row_count == done.rows_loaded


async def test_data_kiosk_refusing_the_query_is_a_sentence(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: Any, marketplace_id: str, start: Any, end: Any) -> str:
        return "query { analytics_salesAndTraffic_2024_04_24 { notAField } }"

    equivalent = catalogue.CATALOGUE[SALES].datakiosk
    assert equivalent is not None
    monkeypatch.setattr(type(equivalent), "query", broken)
    start, end = last_week()
    report = await make_report(session, seller, SALES, data_start=start, data_end=end, via="datakiosk")
    await run_to_the_end(runner(uow, sp_client, storage), report)
    failed = await reload(session, report)
    assert failed.status in ("error", "fatal")
    assert failed.error is not None and failed.error.startswith("Data Kiosk")
    if failed.status == "fatal":
        assert failed.error_document


async def test_a_report_of_an_unknown_connection_ends_in_error(
    session: AsyncSession, uow: UnitOfWork, seller: ReportSeller, storage: DocumentStorage
) -> None:
    from app.reports.flow import ReportRunner

    async def gone(connection_id: uuid.UUID) -> Any:
        raise LookupError(connection_id)

    start, end = last_week()
    report = await make_report(session, seller, SALES, data_start=start, data_end=end - timedelta(days=1))
    assert await ReportRunner(uow, gone, storage).run(seller.tenant_id, report.id) is None
    failed = await reload(session, report)
    assert (
        failed.status == "error" and failed.error == "The Amazon connection of this report no longer exists."
    )


async def test_overdue_reports_are_revived_and_late_chains_end(
    session: AsyncSession, uow: UnitOfWork, seller: ReportSeller, storage: DocumentStorage
) -> None:
    from app.reports.flow import ReportRunner
    from app.reports.repository import ReportRepository

    now = datetime.now(UTC)
    lost = await make_report(
        session, seller, SALES, status="processing", next_check_at=now - timedelta(minutes=5)
    )
    on_time = await make_report(
        session, seller, SALES, status="processing", next_check_at=now + timedelta(seconds=20)
    )
    await make_report(session, seller, SALES, status="done", next_check_at=now - timedelta(minutes=5))
    discard_buffered_jobs(session)
    service = ReportsService(session, get_settings())
    assert await service.revive_overdue(now, 60) == 1
    assert [j.kwargs["report_id"] for j in buffered_jobs(session)] == [str(lost.id)]
    discard_buffered_jobs(session)
    assert await service.revive_overdue(now + timedelta(seconds=30), 60) == 0, "revived once per grace"
    assert (await reload(session, lost)).next_check_at == now

    async def no_amazon(connection_id: uuid.UUID) -> Any:
        raise AssertionError("a late chain never calls Amazon")

    # The polling message of a chain whose next step is later ends itself (another message has it).
    assert await ReportRunner(uow, no_amazon, storage).run(seller.tenant_id, on_time.id) is None
    await ReportRepository(session).update(seller.tenant_id, on_time.id, status="processing")
    assert (await reload(session, on_time)).status == "processing"


async def test_an_unexpected_failure_is_retried_a_bounded_number_of_times(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    storage: DocumentStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.reports import flow
    from app.reports.flow import ReportRunner

    class Broken:
        async def submit(self, request: Any, *, reuse: bool = True) -> str:
            raise RuntimeError("a bug")

    class Client:
        transport = None
        reports = Broken()
        data_kiosk = Broken()

    async def client_for(connection_id: uuid.UUID) -> Any:
        return Client()

    monkeypatch.setattr(flow, "MAX_FAILURES", 3)
    start, end = last_week()
    report = await make_report(session, seller, SALES, data_start=start, data_end=end)
    job = ReportRunner(uow, client_for, storage)
    assert await job.run(seller.tenant_id, report.id, poll=False) == 1.0
    assert await job.run(seller.tenant_id, report.id, poll=False) == 2.0
    assert await job.run(seller.tenant_id, report.id, poll=False) is None
    failed = await reload(session, report)
    assert failed.status == "error" and failed.error is not None
    assert failed.error.startswith("The report failed on our side (RuntimeError)")
