"""Reports, Data Kiosk, Feeds, Notifications and Application Management end to end against the
emulator. Each test skips until the emulator serves that API (the emulator grows module by module)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig

from app.amazon_http.jobs import wait_for
from app.amazon_http.lwa import SCOPE_NOTIFICATIONS, SCOPE_ROTATION
from app.spapi import SpApiClient
from app.spapi.operations.datakiosk import QuerySpec
from app.spapi.operations.orders import OrderQuery
from app.spapi.operations.reports import ReportSpec
from app.tokens.service import TokenManager
from tests.amazon.support import request_log

US = "ATVPDKIKX0DER"


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(
        seed=7,
        demo=True,
        demo_orders=400,
        report_processing_seconds=1,
        feed_processing_seconds=1,
        query_processing_seconds=1,
    )


async def test_orders_report_end_to_end(sp_client: SpApiClient, emulator_http: httpx.AsyncClient) -> None:
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    start = end - timedelta(days=20)
    spec = ReportSpec("GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL", [US], start, end)
    report_id = await sp_client.reports.submit(spec)
    assert await sp_client.reports.submit(spec) == report_id, "the identical in-flight report is reused"
    status = await wait_for(sp_client.reports, report_id, poll_s=0.2, timeout_s=30)
    assert status.state == "done"
    rows = [row async for row in sp_client.reports.rows(status)]
    from_report = {row["amazon-order-id"] for row in rows}
    query = OrderQuery(
        marketplace_ids=[US], last_updated_after=start, last_updated_before=end, max_results=100
    )
    from_api = {o.amazon_order_id async for page in sp_client.orders_v0.search(query) for o in page.orders}
    assert from_report and from_report == from_api, "the report and the API agree on the window"
    log = await request_log(emulator_http, path_prefix="/reports/")
    assert all(e["status"] < 400 for e in log) and all(e["token_kind"] == "lwa" for e in log)


async def test_fatal_report_has_an_error_document(
    sp_client: SpApiClient, emulator_http: httpx.AsyncClient
) -> None:
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    too_long = ReportSpec(
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", [US], end - timedelta(days=45), end
    )
    status = await wait_for(
        sp_client.reports, await sp_client.reports.submit(too_long), poll_s=0.2, timeout_s=30
    )
    assert status.state == "fatal" and status.error_document_id
    assert [row async for row in sp_client.reports.rows(status)], "FATAL reports explain themselves"


async def test_sales_and_traffic_report(sp_client: SpApiClient) -> None:
    from app.spapi.operations.analytics import SalesAndTrafficRequest, SalesAndTrafficSource

    source = SalesAndTrafficSource(sp_client, use_data_kiosk=False)
    today = datetime.now(UTC).date()
    request = SalesAndTrafficRequest([US], today - timedelta(days=10), today - timedelta(days=3))
    status = await wait_for(source, await source.submit(request), poll_s=0.2, timeout_s=30)
    assert status.state == "done"
    days = [day async for day in source.days(status)]
    assert days and all(d.marketplace_id == US for d in days)
    assert sum(d.units_ordered for d in days) > 0


async def test_data_kiosk_end_to_end(sp_client: SpApiClient) -> None:
    start = (datetime.now(UTC) - timedelta(days=10)).date().isoformat()
    end = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    query = (
        "query { analytics_salesAndTraffic_2024_04_24 { salesAndTrafficByDate("
        f'startDate: "{start}" endDate: "{end}" aggregateBy: DAY marketplaceIds: ["{US}"]) '
        "{ startDate endDate marketplaceId"
        " sales { unitsOrdered orderedProductSales { amount currencyCode } } } } }"
    )
    query_id = await sp_client.data_kiosk.submit(QuerySpec(query))
    status = await wait_for(sp_client.data_kiosk, query_id, poll_s=0.2, timeout_s=30)
    assert status.state == "done" and status.document_id
    rows = [row async for row in sp_client.data_kiosk.rows(status)]
    assert rows and {row["marketplaceId"] for row in rows} == {US}


async def test_feed_end_to_end(sp_client: SpApiClient) -> None:
    content = b"sku\tquantity\tfulfillment-channel\nSKU-1\t5\tDEFAULT\n"
    feed_id = await sp_client.feeds.submit_feed(
        "POST_FLAT_FILE_INVLOADER_DATA", [US], content, "text/tab-separated-values; charset=UTF-8"
    )
    status = await sp_client.feeds.status(feed_id)
    for _ in range(150):
        if status.state != "pending":
            break
        status = await sp_client.feeds.status(feed_id)
    assert status.state == "done" and status.document_id
    assert [row async for row in sp_client.feeds.result_rows(status.document_id)]


async def test_notifications_grantless_and_seller(
    sp_client: SpApiClient, token_manager: TokenManager, emulator_http: httpx.AsyncClient
) -> None:
    app_client = token_manager.grantless_client("NA", SCOPE_NOTIFICATIONS)
    destination = await app_client.notifications.create_sqs_destination(
        "orders", "arn:aws:sqs:us-east-1:000000000000:spapi-notifications"
    )
    assert destination.destination_id in {
        d.destination_id for d in await app_client.notifications.get_destinations()
    }
    subscription = await sp_client.notifications.create_subscription(
        "ORDER_CHANGE", destination.destination_id
    )
    assert (
        await sp_client.notifications.get_subscription("ORDER_CHANGE")
    ).subscription_id == subscription.subscription_id
    await app_client.notifications.delete_subscription_by_id("ORDER_CHANGE", subscription.subscription_id)
    kinds = {
        e["operation"]: e["token_kind"]
        for e in await request_log(emulator_http, path_prefix="/notifications/")
    }
    assert kinds["notifications.createDestination"] == "grantless"
    assert kinds["notifications.createSubscription"] == "lwa"


async def test_rotate_client_secret(token_manager: TokenManager, emulator_http: httpx.AsyncClient) -> None:
    client = token_manager.grantless_client("NA", SCOPE_ROTATION)
    await client.applications.rotate_client_secret()
    log = await request_log(emulator_http, path_prefix="/applications/")
    assert log[-1]["status"] == 204 and log[-1]["token_kind"] == "grantless"


async def test_reports_and_data_kiosk_agree(sp_client: SpApiClient) -> None:
    from app.spapi.operations.analytics import SalesAndTrafficRequest, SalesAndTrafficSource

    today = datetime.now(UTC).date()
    request = SalesAndTrafficRequest([US], today - timedelta(days=10), today - timedelta(days=3))
    results = {}
    for use_data_kiosk in (False, True):
        source = SalesAndTrafficSource(sp_client, use_data_kiosk=use_data_kiosk)
        status = await wait_for(source, await source.submit(request), poll_s=0.2, timeout_s=30)
        assert status.state == "done", (use_data_kiosk, status)
        results[use_data_kiosk] = {
            d.date: (d.units_ordered, d.ordered_product_sales) async for d in source.days(status)
        }
    assert results[False] == results[True]
    assert sum(units for units, _ in results[True].values()) > 0
