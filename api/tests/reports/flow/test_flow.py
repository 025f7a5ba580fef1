"""The report job against the emulator: DONE stored byte for byte, CANCELLED and FATAL with Amazon's
meaning (FATAL's error document kept), an expired document URL fetched again (429s: in
test_throttling.py), a crash between Amazon's answer and our commit ending in reuse, Data Kiosk behind the
flag (the request log shows createQuery, not createReport), S3 storage (moto)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from moto import mock_aws
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.datakiosk.models import DataKioskQuery
from app.documents.models import AmazonDocument
from app.documents.storage import DocumentStorage, S3Storage
from app.reports import flow as flow_module
from app.reports.flow import ReportRunner
from app.reports.models import ReportDocument
from app.spapi import SpApiClient
from tests.amazon.support import request_log
from tests.factories.reports import ReportSeller, make_report, make_report_seller
from tests.reports.flow.support import (
    ORDERS,
    SALES,
    UnitOfWork,
    last_week,
    reload,
    run_to_the_end,
    runner,
    served_content,
)


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(
        seed=7, demo=True, demo_orders=400, report_processing_seconds=1, query_processing_seconds=1
    )


async def test_done_report_is_stored_byte_for_byte(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
) -> None:
    start, end = last_week()
    report = await make_report(
        session, seller, SALES, data_start=start, data_end=end, options={"dateGranularity": "DAY"}
    )
    delays = await run_to_the_end(runner(uow, sp_client, storage), report)
    assert delays, "Amazon took a while: the job polled"
    done = await reload(session, report)
    assert (done.status, done.processing_status, done.error) == ("done", "DONE", None)
    assert done.amazon_report_id and done.document_id and done.finished_at is not None
    stored = (await session.execute(select(ReportDocument))).scalar_one()
    assert stored.file_name == f"{SALES}_{done.amazon_report_id}.json"
    content = b"".join([chunk async for chunk in storage.read(stored.storage_key)])
    assert content == await served_content(emulator_http, sp_client, done.document_id)
    assert stored.size_bytes == len(content) and stored.sha256 and len(stored.sha256) == 64
    record = await session.get(AmazonDocument, done.document_record_id, populate_existing=True)
    assert record is not None and record.status == "done" and record.kind == "report"
    # Final: running it again does nothing (no Amazon call).
    before = len(await request_log(emulator_http, path_prefix="/reports/"))
    assert await runner(uow, sp_client, storage).run(report.tenant_id, report.id) is None
    assert len(await request_log(emulator_http, path_prefix="/reports/")) == before


async def test_an_identical_report_in_flight_is_reused(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
) -> None:
    start, end = last_week()
    first = await make_report(session, seller, SALES, data_start=start, data_end=end)
    second = await make_report(session, seller, SALES, data_start=start, data_end=end)
    job = runner(uow, sp_client, storage)
    await job.run(seller.tenant_id, first.id)
    await job.run(seller.tenant_id, second.id)
    a, b = await reload(session, first), await reload(session, second)
    assert a.amazon_report_id == b.amazon_report_id and a.document_record_id == b.document_record_id
    created = [e for e in await request_log(emulator_http, path_prefix="/reports/") if e["method"] == "POST"]
    assert len(created) == 1, "one createReport for two identical requests"
    await run_to_the_end(job, first)
    await run_to_the_end(job, second)
    assert {(await reload(session, r)).status for r in (first, second)} == {"done"}


async def test_cancelled_means_no_data(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
) -> None:
    # Long before the demo seller's first order.
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(days=729)
    report = await make_report(session, seller, ORDERS, data_start=end - timedelta(days=1), data_end=end)
    await run_to_the_end(runner(uow, sp_client, storage), report)
    cancelled = await reload(session, report)
    assert cancelled.status == "cancelled" and cancelled.processing_status == "CANCELLED"
    assert cancelled.error is not None and "no data" in cancelled.error
    assert (await session.execute(select(func.count()).select_from(ReportDocument))).scalar() == 0


async def test_fatal_keeps_amazons_error_document(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
) -> None:
    # The emulator, like Amazon, fails an order report over more than 30 days.
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    report = await make_report(session, seller, ORDERS, data_start=end - timedelta(days=45), data_end=end)
    await run_to_the_end(runner(uow, sp_client, storage), report)
    fatal = await reload(session, report)
    assert fatal.status == "fatal" and fatal.processing_status == "FATAL"
    assert fatal.error is not None and "FATAL" in fatal.error
    assert fatal.error_document is not None and "30 days" in fatal.error_document


async def test_an_expired_document_url_is_fetched_again(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start, end = last_week()
    report = await make_report(session, seller, SALES, data_start=start, data_end=end)
    fetched: list[str] = []
    original = sp_client.reports.get_report_document

    async def first_one_expired(document_id: str, *, restricted: bool = False) -> Any:
        document = await original(document_id, restricted=restricted)
        fetched.append(document.url)
        if len(fetched) == 1:
            # A URL whose signature no longer holds: the emulator answers 403 like S3.
            return document.model_copy(update={"url": document.url + "0"})
        return document

    monkeypatch.setattr(sp_client.reports, "get_report_document", first_one_expired)
    await run_to_the_end(runner(uow, sp_client, storage), report)
    assert (await reload(session, report)).status == "done"
    assert len(fetched) == 2


async def test_a_crash_between_amazons_answer_and_the_commit_ends_in_reuse(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start, end = last_week()
    report = await make_report(session, seller, SALES, data_start=start, data_end=end)
    original = ReportRunner._save
    crashed = []

    async def crash_once(self: ReportRunner, snapshot: Any, **values: Any) -> None:
        if "document_record_id" in values and not crashed:
            crashed.append(values)
            raise SystemExit("worker killed")
        await original(self, snapshot, **values)

    monkeypatch.setattr(ReportRunner, "_save", crash_once)
    job = runner(uow, sp_client, storage)
    with pytest.raises(SystemExit):
        await job.run(report.tenant_id, report.id)
    assert (await reload(session, report)).document_record_id is None
    await run_to_the_end(job, report)
    done = await reload(session, report)
    assert done.status == "done" and done.document_record_id == crashed[0]["document_record_id"]
    posts = [e for e in await request_log(emulator_http, path_prefix="/reports/") if e["method"] == "POST"]
    assert len(posts) == 1, "the report Amazon created before the crash was reused"


async def test_data_kiosk_behind_the_flag(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
    emulator_http: httpx.AsyncClient,
) -> None:
    start, end = last_week()
    report = await make_report(session, seller, SALES, data_start=start, data_end=end, via="datakiosk")
    await run_to_the_end(runner(uow, sp_client, storage), report)
    done = await reload(session, report)
    assert done.status == "done", done.error
    log = await request_log(emulator_http)
    operations = {e.get("operation") for e in log}
    assert "dataKiosk.createQuery" in operations and "reports.createReport" not in operations
    query = (
        await session.execute(select(DataKioskQuery).execution_options(populate_existing=True))
    ).scalar_one()
    assert query.report_id == report.id and query.amazon_query_id == done.amazon_report_id
    assert query.status == "done"
    assert done.document_id is not None
    stored = (await session.execute(select(ReportDocument))).scalar_one()
    assert stored.file_name is not None and stored.file_name.endswith(".jsonl")
    assert stored.content_type == "application/x-ndjson"
    assert query.storage_key == stored.storage_key and query.size_bytes == stored.size_bytes


@pytest.fixture
def s3_storage() -> Iterator[S3Storage]:
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="reports")
        yield S3Storage("reports", "spapi", endpoint_url=None, region="us-east-1")


async def test_documents_go_to_s3(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    sp_client: SpApiClient,
    s3_storage: S3Storage,
    emulator_http: httpx.AsyncClient,
) -> None:
    start, end = last_week()
    report = await make_report(session, seller, SALES, data_start=start, data_end=end)
    await run_to_the_end(runner(uow, sp_client, s3_storage), report)
    done = await reload(session, report)
    stored = (await session.execute(select(ReportDocument))).scalar_one()
    assert stored.storage_key == flow_module.storage_key(flow_module.Snapshot.of(done), str(stored.file_name))
    content = b"".join([chunk async for chunk in s3_storage.read(stored.storage_key)])
    assert done.document_id is not None
    assert content == await served_content(emulator_http, sp_client, done.document_id)


async def test_other_tenants_reports_are_not_run(
    session: AsyncSession,
    uow: UnitOfWork,
    seller: ReportSeller,
    sp_client: SpApiClient,
    storage: DocumentStorage,
) -> None:
    start, end = last_week()
    report = await make_report(session, seller, SALES, data_start=start, data_end=end)
    other = await make_report_seller(session)
    assert await runner(uow, sp_client, storage).run(other.tenant_id, report.id) is None
    assert (await reload(session, report)).status == "pending"
