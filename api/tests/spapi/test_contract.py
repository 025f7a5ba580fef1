"""Every SP-API operation the client implements, sent through validators built from Amazon's official
models: no request breaks them (paths, methods, query parameters, bodies, required headers)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app.amazon_http import AmazonTransport, RetryPolicy
from app.spapi import RestrictedResource, SpApiClient
from app.spapi.operations.datakiosk import QuerySpec
from app.spapi.operations.orders import OrderQuery
from app.spapi.operations.reports import ReportSpec
from tests.amazon.contract import SP_API_FILES, validate_request

HOST = "https://sellingpartnerapi-na.amazon.com"
NOW = "2026-01-01T00:00:00Z"
V0_ORDER = {
    "AmazonOrderId": "902-1845936-5435065",
    "PurchaseDate": NOW,
    "LastUpdateDate": NOW,
    "OrderStatus": "Shipped",
}
ORDER_2026 = {
    "orderId": "902-1845936-5435065",
    "createdTime": NOW,
    "lastUpdatedTime": NOW,
    "salesChannel": {"channelName": "Amazon.com", "marketplaceId": "ATVPDKIKX0DER"},
    "orderItems": [{"orderItemId": "1", "quantityOrdered": 1, "product": {"asin": "B000"}}],
}
REPORT = {
    "reportId": "R1",
    "reportType": "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
    "processingStatus": "DONE",
    "createdTime": NOW,
    "reportDocumentId": "D1",
    "marketplaceIds": ["ATVPDKIKX0DER"],
}
QUERY = {
    "queryId": "Q1",
    "query": "query{x}",
    "processingStatus": "DONE",
    "createdTime": NOW,
    "dataDocumentId": "D2",
}
FEED = {
    "feedId": "F1",
    "feedType": "POST_PRODUCT_DATA",
    "processingStatus": "DONE",
    "createdTime": NOW,
    "resultFeedDocumentId": "D3",
}
DESTINATION = {"destinationId": "d1", "name": "n", "resource": {"sqs": {"arn": "arn:aws:sqs:us-east-1:1:q"}}}
SUBSCRIPTION = {"subscriptionId": "s1", "payloadVersion": "1.0", "destinationId": "d1"}

ROUTES: list[tuple[str, str, int, Any]] = [
    ("GET", r"^/orders/v0/orders$", 200, {"payload": {"Orders": [V0_ORDER]}}),
    ("GET", r"^/orders/v0/orders/[^/]+$", 200, {"payload": V0_ORDER}),
    (
        "GET",
        r"^/orders/v0/orders/[^/]+/orderItems$",
        200,
        {"payload": {"AmazonOrderId": "902-1845936-5435065", "OrderItems": []}},
    ),
    ("GET", r"^/orders/v0/orders/[^/]+/address$", 200, {"payload": {"AmazonOrderId": "902-1845936-5435065"}}),
    (
        "GET",
        r"^/orders/v0/orders/[^/]+/buyerInfo$",
        200,
        {"payload": {"AmazonOrderId": "902-1845936-5435065"}},
    ),
    ("GET", r"^/orders/2026-01-01/orders$", 200, {"orders": [ORDER_2026]}),
    ("GET", r"^/orders/2026-01-01/orders/[^/]+$", 200, {"order": ORDER_2026}),
    (
        "POST",
        r"^/tokens/2021-03-01/restrictedDataToken$",
        200,
        {"restrictedDataToken": "Atz.sprdt|x", "expiresIn": 3600},
    ),
    ("GET", r"^/sellers/v1/marketplaceParticipations$", 200, {"payload": []}),
    (
        "GET",
        r"^/listings/2021-08-01/items/[^/]+/[^/]+$",
        404,
        {"errors": [{"code": "NOT_FOUND", "message": "SKU not found"}]},
    ),
    ("POST", r"^/reports/2021-06-30/reports$", 202, {"reportId": "R1"}),
    ("GET", r"^/reports/2021-06-30/reports$", 200, {"reports": [REPORT]}),
    ("GET", r"^/reports/2021-06-30/reports/[^/]+$", 200, REPORT),
    ("DELETE", r"^/reports/2021-06-30/reports/[^/]+$", 200, None),
    (
        "GET",
        r"^/reports/2021-06-30/documents/[^/]+$",
        200,
        {"reportDocumentId": "D1", "url": "https://s3.test/d1"},
    ),
    ("POST", r"^/dataKiosk/2023-11-15/queries$", 202, {"queryId": "Q1"}),
    ("GET", r"^/dataKiosk/2023-11-15/queries$", 200, {"queries": [QUERY]}),
    ("GET", r"^/dataKiosk/2023-11-15/queries/[^/]+$", 200, QUERY),
    ("DELETE", r"^/dataKiosk/2023-11-15/queries/[^/]+$", 204, None),
    (
        "GET",
        r"^/dataKiosk/2023-11-15/documents/[^/]+$",
        200,
        {"documentId": "D2", "documentUrl": "https://s3.test/d2"},
    ),
    ("POST", r"^/feeds/2021-06-30/documents$", 201, {"feedDocumentId": "D3", "url": "https://s3.test/up"}),
    ("POST", r"^/feeds/2021-06-30/feeds$", 202, {"feedId": "F1"}),
    ("GET", r"^/feeds/2021-06-30/feeds$", 200, {"feeds": [FEED]}),
    ("GET", r"^/feeds/2021-06-30/feeds/[^/]+$", 200, FEED),
    ("DELETE", r"^/feeds/2021-06-30/feeds/[^/]+$", 200, None),
    (
        "GET",
        r"^/feeds/2021-06-30/documents/[^/]+$",
        200,
        {"feedDocumentId": "D3", "url": "https://s3.test/d3"},
    ),
    ("POST", r"^/notifications/v1/destinations$", 200, {"payload": DESTINATION}),
    ("GET", r"^/notifications/v1/destinations$", 200, {"payload": [DESTINATION]}),
    ("GET", r"^/notifications/v1/destinations/[^/]+$", 200, {"payload": DESTINATION}),
    ("DELETE", r"^/notifications/v1/destinations/[^/]+$", 200, {}),
    ("POST", r"^/notifications/v1/subscriptions/[^/]+$", 200, {"payload": SUBSCRIPTION}),
    ("GET", r"^/notifications/v1/subscriptions/[^/]+$", 200, {"payload": SUBSCRIPTION}),
    ("GET", r"^/notifications/v1/subscriptions/[^/]+/[^/]+$", 200, {"payload": SUBSCRIPTION}),
    ("DELETE", r"^/notifications/v1/subscriptions/[^/]+/[^/]+$", 200, {}),
    ("POST", r"^/applications/2023-11-30/clientSecret$", 204, None),
]

API_OF_PATH = [
    ("/orders/v0/", "ordersV0"),
    ("/orders/2026-01-01/", "orders2026"),
    ("/tokens/", "tokens"),
    ("/sellers/", "sellers"),
    ("/reports/", "reports"),
    ("/feeds/", "feeds"),
    ("/dataKiosk/", "dataKiosk"),
    ("/notifications/", "notifications"),
    ("/applications/", "applications"),
    ("/listings/2021-08-01/", "listingsItems"),
]


class Tokens:
    async def access_token(self, *, expired: str | None = None) -> str:
        return "Atza|contract"

    async def restricted_data_token(
        self, resources: Sequence[RestrictedResource], *, expired: str | None = None
    ) -> str:
        return "Atz.sprdt|contract"


def recorder() -> tuple[httpx.MockTransport, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "s3.test":
            return httpx.Response(200, content=b"a\tb\n1\t2\n")
        seen.append(request)
        for method, pattern, status, body in ROUTES:
            if request.method == method and re.match(pattern, request.url.path):
                if body is None:
                    return httpx.Response(status)
                return httpx.Response(status, json=body)
        raise AssertionError(f"no canned answer for {request.method} {request.url.path}")

    return httpx.MockTransport(handler), seen


async def exercise(client: SpApiClient) -> None:
    """Call every operation the client implements, with the parameters sync and onboarding use."""
    before = datetime.now(UTC) - timedelta(minutes=5)
    window = OrderQuery(
        marketplace_ids=["ATVPDKIKX0DER"],
        last_updated_after=before - timedelta(days=1),
        last_updated_before=before,
        statuses=["SHIPPED", "UNSHIPPED"],
    )
    created = OrderQuery(marketplace_ids=["ATVPDKIKX0DER"], created_after=before - timedelta(days=10))
    assert await client.listings.is_own_seller_id("A1", "ATVPDKIKX0DER")  # the onboarding check
    for orders in (client.orders_v0, client.orders_2026):
        for query in (window, created):
            [page async for page in orders.search(query)]
        order = await orders.get_order("902-1845936-5435065")
        await orders.get_items(order.amazon_order_id)
        await orders.get_address("902-1845936-5435065")
        await orders.get_buyer("902-1845936-5435065")
    await client.tokens.create_restricted_data_token(
        [RestrictedResource.of("GET", "/orders/v0/orders", ["buyerInfo", "shippingAddress"])]
    )
    await client.sellers.get_marketplace_participations()
    spec = ReportSpec(
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
        ["ATVPDKIKX0DER"],
        before - timedelta(days=30),
        before,
        {"custom": "true"},
    )
    await client.reports.create_report(spec)
    await client.reports.submit(spec)
    status = await client.reports.status("R1")
    [row async for row in client.reports.rows(status)]
    await client.reports.cancel_report("R1")
    await client.reports.get_report_document("D1", restricted=True)
    await client.data_kiosk.submit(QuerySpec("query { analytics_salesAndTraffic_2024_04_24 { x } }"))
    await client.data_kiosk.create_query("query{x}", pagination_token="abc")
    dk = await client.data_kiosk.status("Q1")
    [row async for row in client.data_kiosk.rows(dk)]
    await client.data_kiosk.cancel_query("Q1")
    await client.feeds.submit_feed(
        "POST_FLAT_FILE_INVLOADER_DATA",
        ["ATVPDKIKX0DER"],
        b"sku\tqty\n",
        "text/tab-separated-values; charset=UTF-8",
        feed_options={"k": "v"},
    )
    await client.feeds.status("F1")
    # The createFeed recovery's listing (feeds/flow.py).
    [feed async for feed in client.feeds.list_feeds(
        ["JSON_LISTINGS_FEED"], marketplace_ids=["ATVPDKIKX0DER"], created_since=before)]  # fmt: skip
    await client.feeds.cancel_feed("F1")
    [row async for row in client.feeds.result_rows("D3")]
    notifications = client.notifications
    await notifications.create_sqs_destination("orders", "arn:aws:sqs:us-east-1:123456789012:orders")
    await notifications.get_destinations()
    await notifications.get_destination("d1")
    await notifications.delete_destination("d1")
    await notifications.create_subscription(
        "ORDER_CHANGE",
        "d1",
        processing_directive={
            "eventFilter": {"eventFilterType": "ORDER_CHANGE", "orderChangeTypes": ["OrderStatusChange"]}
        },
    )
    await notifications.create_subscription("REPORT_PROCESSING_FINISHED", "d1")
    await notifications.create_subscription("FEED_PROCESSING_FINISHED", "d1")
    await notifications.get_subscription("ORDER_CHANGE", payload_version="1.0")
    await notifications.get_subscription_by_id("ORDER_CHANGE", "s1")
    await notifications.delete_subscription_by_id("ORDER_CHANGE", "s1")
    await client.applications.rotate_client_secret()


async def test_every_request_matches_the_official_models() -> None:
    mock, seen = recorder()
    transport = AmazonTransport(
        httpx.AsyncClient(transport=mock), limiter=None, retry=RetryPolicy(max_attempts=1)
    )
    client = SpApiClient(
        transport, base_url=HOST, region="NA", application_id="app", selling_partner_id="A1", tokens=Tokens()
    )
    await exercise(client)
    operations = set()
    for request in seen:
        api = next(name for prefix, name in API_OF_PATH if request.url.path.startswith(prefix))
        try:
            validate_request(SP_API_FILES[api], request, HOST)
        except Exception as exc:  # the validator's own errors carry the detail
            cause = getattr(exc, "__cause__", "")
            pytest.fail(f"{request.method} {request.url} breaks the {api} model: {exc!r} {cause}")
        operations.add((request.method, re.sub(r"/[A-Z0-9][\w.-]*$", "/{id}", request.url.path)))
    assert len(seen) >= 40 and len(operations) >= 25


def test_the_validator_does_catch_broken_requests() -> None:
    bad_body = httpx.Request(
        "POST",
        f"{HOST}/reports/2021-06-30/reports",
        json={"reportType": "X", "marketplaceIds": ["A"], "dataStartDate": NOW},
        headers={"x-amz-access-token": "t"},
    )
    missing = httpx.Request(
        "GET", f"{HOST}/orders/v0/orders?CreatedAfter={NOW}", headers={"x-amz-access-token": "t"}
    )
    for request, api in ((bad_body, "reports"), (missing, "ordersV0")):
        with pytest.raises(Exception):  # noqa: B017 - openapi-core raises several error types
            validate_request(SP_API_FILES[api], request, HOST)


async def test_requests_sent_to_the_emulator_match_the_models(
    sp_client: SpApiClient, emulator_http: httpx.AsyncClient
) -> None:
    """The same check on a real flow (orders in both versions, RDT, sellers) against the emulator,
    including that no request ever carries a SigV4 `Authorization` header."""
    sent: list[httpx.Request] = []

    async def record(request: httpx.Request) -> None:
        sent.append(request)

    emulator_http.event_hooks["request"].append(record)
    before = datetime.now(UTC) - timedelta(minutes=3)
    query = OrderQuery(
        marketplace_ids=["ATVPDKIKX0DER"],
        last_updated_after=before - timedelta(days=15),
        last_updated_before=before,
        max_results=10,
    )
    await sp_client.sellers.get_marketplace_participations()
    for api in (sp_client.orders_v0, sp_client.orders_2026):
        pages = [page async for page in api.search(query)]
        order = pages[0].orders[0]
        await api.get_items((await api.get_order(order.amazon_order_id)).amazon_order_id)
        await api.get_address(order.amazon_order_id)
        await api.get_buyer(order.amazon_order_id)
    amazon = [r for r in sent if not r.url.path.startswith(("/_emulator", "/auth/o2/token"))]
    assert len(amazon) >= 10
    for request in amazon:
        assert "authorization" not in request.headers
        api = next(name for prefix, name in API_OF_PATH if request.url.path.startswith(prefix))
        validate_request(SP_API_FILES[api], request, HOST)
