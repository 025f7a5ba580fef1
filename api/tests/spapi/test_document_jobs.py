"""Reports, Data Kiosk and Feeds end to end through the client (against a stateful fake until the
emulator serves them): the shared submit/status/rows interface, in-flight reuse, RDT for restricted
report documents only, feed upload before createFeed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.amazon_http import AmazonTransport, RetryPolicy
from app.amazon_http.jobs import AsyncDocumentSource, wait_for
from app.spapi import RestrictedResource, SpApiClient
from app.spapi.operations.datakiosk import QuerySpec
from app.spapi.operations.reports import ReportSpec
from tests.amazon.fake_documents import FakeDocumentsApi

US = ["ATVPDKIKX0DER"]


class Tokens:
    def __init__(self) -> None:
        self.rdt_requests: list[list[RestrictedResource]] = []

    async def access_token(self, *, expired: str | None = None) -> str:
        return "Atza|t"

    async def restricted_data_token(
        self, resources: Sequence[RestrictedResource], *, expired: str | None = None
    ) -> str:
        self.rdt_requests.append(list(resources))
        return "Atz.sprdt|r"


@pytest.fixture
def fake() -> FakeDocumentsApi:
    return FakeDocumentsApi()


@pytest.fixture
def tokens() -> Tokens:
    return Tokens()


@pytest.fixture
def client(fake: FakeDocumentsApi, tokens: Tokens) -> SpApiClient:
    transport = AmazonTransport(
        httpx.AsyncClient(transport=httpx.MockTransport(fake)),
        limiter=None,
        retry=RetryPolicy(max_attempts=2, base_s=0.001),
    )
    return SpApiClient(
        transport,
        base_url="https://sp.test",
        region="NA",
        application_id="app",
        selling_partner_id="A1",
        tokens=tokens,
    )


def orders_report() -> ReportSpec:
    end = datetime(2026, 1, 31, tzinfo=UTC)
    return ReportSpec(
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL", US, end - timedelta(days=30), end
    )


async def run(source: AsyncDocumentSource[Any], request: Any) -> list[dict[str, Any]]:
    job_id = await source.submit(request)
    status = await wait_for(source, job_id, poll_s=0)
    assert status.state == "done"
    return [row async for row in source.rows(status)]


async def test_reports_and_data_kiosk_share_one_interface(client: SpApiClient) -> None:
    report_rows = await run(client.reports, orders_report())
    assert report_rows[0]["amazon-order-id"] == "111-0000001-0000001" and len(report_rows) == 2
    query = (
        "query { analytics_salesAndTraffic_2024_04_24 {"
        ' salesAndTrafficByAsin(startDate: "2026-01-01", endDate: "2026-01-31") { childAsin } } }'
    )
    dk_rows = await run(client.data_kiosk, QuerySpec(query))
    assert dk_rows == [{"asin": "B0001", "units": 3}, {"asin": "B0002", "units": 1}]


async def test_identical_in_flight_report_is_reused(client: SpApiClient, fake: FakeDocumentsApi) -> None:
    first = await client.reports.submit(orders_report())
    second = await client.reports.submit(orders_report())
    assert first == second and len(fake.reports) == 1
    other = ReportSpec(
        orders_report().report_type, US, datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 1, 31, tzinfo=UTC)
    )
    assert await client.reports.submit(other) != first
    query = QuerySpec("query { x }")
    assert await client.data_kiosk.submit(query) == await client.data_kiosk.submit(query)


async def test_cancelled_and_fatal(client: SpApiClient, fake: FakeDocumentsApi) -> None:
    fake.outcome = "CANCELLED"
    job = await client.reports.submit(orders_report(), reuse=False)
    status = await wait_for(client.reports, job, poll_s=0)
    assert status.state == "cancelled" and status.document_id is None
    assert [row async for row in client.reports.rows(status)] == []
    fake.outcome = "FATAL"
    job = await client.reports.submit(orders_report(), reuse=False)
    status = await wait_for(client.reports, job, poll_s=0)
    assert status.state == "fatal" and status.error_document_id


async def test_rdt_only_for_restricted_report_documents(
    client: SpApiClient, fake: FakeDocumentsApi, tokens: Tokens
) -> None:
    await run(client.reports, orders_report())
    assert tokens.rdt_requests == []
    end = datetime(2026, 1, 31, tzinfo=UTC)
    restricted = ReportSpec("GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING", US, end - timedelta(days=3), end)
    await run(client.reports, restricted)
    assert [[r.path for r in rs] for rs in tokens.rdt_requests] == [["/reports/2021-06-30/documents/DOC-R2"]]
    sent = {(r.url.path, r.headers["x-amz-access-token"]) for r in fake.requests}
    assert ("/reports/2021-06-30/documents/DOC-R2", "Atz.sprdt|r") in sent
    assert all(token == "Atza|t" for path, token in sent if path != "/reports/2021-06-30/documents/DOC-R2")


async def test_feed_end_to_end(client: SpApiClient, fake: FakeDocumentsApi) -> None:
    content = b"sku\tquantity\nSKU-1\t5\n"
    feed_id = await client.feeds.submit_feed(
        "POST_FLAT_FILE_INVLOADER_DATA", US, content, "text/tab-separated-values; charset=UTF-8"
    )
    assert fake.uploads["FD1"] == content
    status = await client.feeds.status(feed_id)
    while status.state == "pending":
        status = await client.feeds.status(feed_id)
    assert status.state == "done" and status.document_id
    result = [row async for row in client.feeds.result_rows(status.document_id)]
    assert result[0]["summary"]["errors"] == 0


@pytest.mark.parametrize("use_data_kiosk", [False, True])
async def test_sales_and_traffic_is_the_same_with_either_backend(
    client: SpApiClient, use_data_kiosk: bool
) -> None:
    from datetime import date

    from app.spapi.operations.analytics import SalesAndTrafficRequest, SalesAndTrafficSource

    source = SalesAndTrafficSource(client, use_data_kiosk=use_data_kiosk)
    rows = await run(source, SalesAndTrafficRequest(US, date(2026, 1, 1), date(2026, 1, 1)))
    assert rows == [
        {
            "date": "2026-01-01",
            "marketplace_id": "ATVPDKIKX0DER",
            "ordered_product_sales": {"amount": "120.5", "currency": "USD"},
            "units_ordered": 7,
            "total_order_items": 5,
            "page_views": 300,
            "sessions": 210,
        }
    ]
