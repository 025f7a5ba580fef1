"""What the reports feature asks Amazon, held against the official models: for every requestable
type of the catalogue the createReport body the job sends (its options, its dates), the Data Kiosk
createQuery of every type that has one, and the settlements' getReports listing."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.amazon_http import AmazonTransport, RetryPolicy
from app.reports.catalogue import CATALOGUE, SETTLEMENT_KIND, ReportKind
from app.reports.flow import Snapshot, datakiosk_query, report_spec
from app.spapi import SpApiClient
from app.spapi.operations.datakiosk import QuerySpec
from tests.amazon.contract import SP_API_FILES, validate_request
from tests.spapi.test_contract import HOST, Tokens, recorder

US = "ATVPDKIKX0DER"


def snapshot(kind: ReportKind, via: str) -> Snapshot:
    """The report row as the service stores it for a user's request of `kind`."""
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    dated = kind.needs_dates
    return Snapshot(
        id=uuid.uuid4(),
        tenant_id=uuid.uuid4(),
        connection_id=uuid.uuid4(),
        report_type=kind.report_type,
        marketplace_ids=(US,),
        data_start=end - timedelta(days=7) if dated else None,
        data_end=end if dated else None,
        options=dict(kind.report_options),
        via="datakiosk" if via == "datakiosk" else "report",
        status="pending",
        document_record_id=None,
        amazon_report_id=None,
        attempts=0,
    )


async def test_what_the_reports_feature_sends_matches_the_official_models() -> None:
    mock, seen = recorder()
    transport = AmazonTransport(
        httpx.AsyncClient(transport=mock), limiter=None, retry=RetryPolicy(max_attempts=1)
    )
    client = SpApiClient(
        transport, base_url=HOST, region="NA", application_id="app", selling_partner_id="A1", tokens=Tokens()
    )
    requestable = [kind for kind in CATALOGUE.values() if kind.requestable]
    assert len(requestable) >= 4
    for kind in requestable:
        await client.reports.create_report(report_spec(snapshot(kind, "report")))
        if kind.datakiosk is not None:
            query = datakiosk_query(snapshot(kind, "datakiosk"), kind)
            await client.data_kiosk.submit(QuerySpec(query), reuse=False)
    since = datetime.now(UTC) - timedelta(days=90)
    [
        report
        async for report in client.reports.list_reports(
            [SETTLEMENT_KIND.report_type], processing_statuses=["DONE"], created_since=since
        )
    ]

    sent = {"createReport": 0, "createQuery": 0, "getReports": 0}
    for request in seen:
        api = "reports" if request.url.path.startswith("/reports/") else "dataKiosk"
        try:
            validate_request(SP_API_FILES[api], request, HOST)
        except Exception as exc:  # the validator's own errors carry the detail
            cause = getattr(exc, "__cause__", "")
            pytest.fail(f"{request.method} {request.url} breaks the {api} model: {exc!r} {cause}")
        if re.search(r"/reports$", request.url.path):
            sent["createReport" if request.method == "POST" else "getReports"] += 1
        elif request.url.path.endswith("/queries"):
            sent["createQuery"] += 1
    with_datakiosk = sum(1 for kind in requestable if kind.datakiosk is not None)
    assert sent == {"createReport": len(requestable), "createQuery": with_datakiosk, "getReports": 1}
