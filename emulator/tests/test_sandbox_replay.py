"""Replay Amazon's official sandbox examples against the emulator (third-party conformance vectors).

The Swagger models in ``<models>/sp-api/*.json`` carry ``x-amzn-api-sandbox`` blocks: per response code, a
list of ``{request: {parameters: {name: {value}}}, response: body}`` pairs (static sandbox), and path-level
``dynamic`` markers. This module reads them at run time (nothing is copied into the repository) for every API
the emulator serves and:

* replays validation errors as they are (with a valid token of a seeded seller): same status, an ``errors[]``
  body valid against the model;
* replays success examples after mapping their fixed ids onto the emulator's state (the object is created
  first, or a real seeded id is substituted; every other parameter and the body stay as in the example):
  same status, a response valid against the model (strict, openapi-core) and the same top-level keys /
  wrapper shape (payload wrapper or not, pagination keys);
* lists the examples a stateful emulator cannot reproduce in :data:`NOT_FITTING` with the reason.

``test_every_example_is_replayed_or_listed`` fails when a model gains an example that is neither replayed nor
listed, so a new official example cannot be ignored silently. Skips when the models folder is absent.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sandbox_examples import (
    BY_ID,
    EXAMPLES,
    MISSING_MODELS,
    NOT_FITTING,
    PAGINATION_KEYS,
    ROTATION_SCOPE,
    Call,
    Ctx,
    Example,
    as_is,
    created_after_for,
    order_like,
    visible_orders,
)

from amazon_emulator.config import DEMO_SELLER_ID
from amazon_emulator.state import EmulatorState

from emulator_contract import validate
from emulator_helpers import US, days_ago, grantless_token

# Orders v0


V0_RESTRICTED = {
    "getOrderBuyerInfo": "/orders/v0/orders/{orderId}/buyerInfo",
    "getOrderAddress": "/orders/v0/orders/{orderId}/address",
    "getOrderItemsBuyerInfo": "/orders/v0/orders/{orderId}/orderItems/buyerInfo",
}
# Amazon's hand-made getOrders examples echo CreatedBefore on one page and not on the others; the emulator
# always echoes the window end, so the echo is left out of the comparison.
ECHO = frozenset({"CreatedBefore", "LastUpdatedBefore"})
# Fields of the canned TEST_CASE_200 order for features the emulator does not model (Easy Ship, Invoice by
# Amazon, Brazilian e-invoices, automated shipping, ship-from supply sources); the model makes them optional.
V0_UNMODELLED = frozenset(
    {
        "AutomatedShippingSettings",
        "DefaultShipFromLocationAddress",
        "EasyShipShipmentStatus",
        "ElectronicInvoiceStatus",
        "FulfillmentInstruction",
        "IsIBA",
    }
)


def v0_order(ex: Example) -> Callable[[Ctx], Awaitable[Call]]:
    """getOrder / buyerInfo / address / items: TEST_CASE_200 -> a seeded order in the example's state."""

    async def build(ctx: Ctx) -> Call:
        token = await ctx.rdt(V0_RESTRICTED[ex.operation]) if ex.operation in V0_RESTRICTED else ctx.token
        params = dict(ex.parameters)
        if ex.status == 200:
            # TEST_CASE_200 is an Unshipped seller-fulfilled order (902-1845936-5435065) in every example.
            params["orderId"] = order_like(ctx, "Unshipped", "MFN")
        ignore = V0_UNMODELLED if ex.operation == "getOrder" else frozenset()
        return Call(token, params, ignore_keys=ignore, resource=True)

    return build


async def get_orders_first_page(ctx: Ctx) -> Call:
    params = {"CreatedAfter": created_after_for(ctx, 20), "MarketplaceIds": [US]}
    return Call(ctx.token, params)


async def get_orders_with_next_token(ctx: Ctx) -> Call:
    # TEST_CASE_200_NEXT_TOKEN: a window with more than one page (100 orders) of US orders.
    params = {"CreatedAfter": created_after_for(ctx, 150), "MarketplaceIds": [US]}
    return Call(ctx.token, params, ignore_keys=ECHO)


async def get_orders_second_page(ctx: Ctx) -> Call:
    # The same search, then the NextToken the emulator issued instead of the canned one (last page).
    params = {"CreatedAfter": created_after_for(ctx, 150), "MarketplaceIds": [US]}
    first = await ctx.ok("GET", "/orders/v0/orders", ctx.token, params=query(params))
    params["NextToken"] = first["payload"]["NextToken"]
    return Call(ctx.token, params, ignore_keys=ECHO)


# Orders 2026-01-01


def search_orders(
    marketplace: str, orders: int, *, paginate: bool = False
) -> Callable[[Ctx], Awaitable[Call]]:
    """The example's search, as it is, for a seller selling in its marketplace (``orders`` sized so the
    example's page count holds: more than 100 for a pagination token, fewer otherwise)."""

    async def build(ctx: Ctx) -> Call:
        seller, token = await ctx.seller([marketplace], orders)
        ex_params = dict(ctx.example.parameters)
        if paginate:
            # A real paginationToken from the same search; the first page is sized so the example's page
            # (default size 100) is the last one, as in the example.
            after = datetime.fromisoformat(ex_params["createdAfter"].replace("Z", "+00:00")).timestamp()
            total = sum(1 for o in visible_orders(ctx, seller, marketplace) if o.purchase_ts >= after)
            # One spare order either way, in case one is bought while the test runs.
            assert 2 <= total <= 199, total
            first_size = max(1, total - 99)
            first_params = {k: v for k, v in ex_params.items() if k != "paginationToken"}
            first = await ctx.ok(
                "GET",
                "/orders/2026-01-01/orders",
                token,
                params=query({**first_params, "maxResultsPerPage": first_size}),
            )
            ex_params["paginationToken"] = first["pagination"]["nextToken"]
        return Call(token, ex_params)

    return build


def orders_2026_get(ex: Example) -> Callable[[Ctx], Awaitable[Call]]:
    async def build(ctx: Ctx) -> Call:
        order = visible_orders(ctx, ctx.demo)[0]
        return Call(ctx.token, {**ex.parameters, "orderId": order.amazon_order_id})

    return build


# Reports


ORDER_REPORT = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"


async def new_report(ctx: Ctx, *, finished: bool) -> dict[str, Any]:
    body = {"reportType": ORDER_REPORT, "marketplaceIds": [US], "dataStartTime": days_ago(ctx.state, 25)}
    report_id = (await ctx.ok("POST", "/reports/2021-06-30/reports", ctx.token, json=body))["reportId"]
    if finished:
        ctx.finish()
    report: dict[str, Any] = await ctx.ok("GET", f"/reports/2021-06-30/reports/{report_id}", ctx.token)
    return report


def with_report(name: str, *, finished: bool, document: bool = False) -> Callable[[Ctx], Awaitable[Call]]:
    async def build(ctx: Ctx) -> Call:
        report = await new_report(ctx, finished=finished)
        value = report["reportDocumentId"] if document else report["reportId"]
        return Call(ctx.token, {**ctx.example.parameters, name: value}, resource=True)

    return build


SCHEDULE_EXAMPLE = "reports.createReportSchedule.201.0"


async def new_schedule(ctx: Ctx) -> str:
    body = BY_ID[SCHEDULE_EXAMPLE].parameters["body"]
    created = await ctx.ok("POST", "/reports/2021-06-30/schedules", ctx.token, json=body)
    schedule_id: str = created["reportScheduleId"]
    return schedule_id


async def create_schedule(ctx: Ctx) -> Call:
    _, token = await ctx.seller(["ATVPDKIKX0DER", "A1PA6795UKMFR9"], 20)
    return Call(token, dict(ctx.example.parameters))


def with_schedule(*, listed: bool = False) -> Callable[[Ctx], Awaitable[Call]]:
    async def build(ctx: Ctx) -> Call:
        schedule_id = await new_schedule(ctx)
        params = dict(ctx.example.parameters)
        if not listed:
            params["reportScheduleId"] = schedule_id
        return Call(ctx.token, params, resource=True)

    return build


async def create_listings_report(ctx: Ctx) -> Call:
    # The example asks for the listings of a seller selling in Germany and the US.
    _, token = await ctx.seller(["ATVPDKIKX0DER", "A1PA6795UKMFR9"], 20)
    return Call(token, dict(ctx.example.parameters))


async def cancel_finished_report(ctx: Ctx) -> Call:
    # The example gives no parameters. The 400 Amazon documents for cancelReport: only IN_QUEUE reports can
    # be cancelled, so cancel one that is done.
    report = await new_report(ctx, finished=True)
    return Call(ctx.token, {"reportId": report["reportId"]})


async def list_reports_without_fixtures(ctx: Ctx) -> Call:
    # Example: more than one page of FEE_DISCOUNTS_REPORT / GET_AFN_INVENTORY_DATA reports; this seller asked
    # for none, so the list is empty and has no nextToken.
    return Call(ctx.token, dict(ctx.example.parameters), ignore_keys=frozenset({"nextToken"}))


# Feeds


FEED_CONTENT_TYPE = "application/json; charset=UTF-8"


async def new_feed_document(ctx: Ctx) -> str:
    created = await ctx.ok(
        "POST", "/feeds/2021-06-30/documents", ctx.token, json={"contentType": FEED_CONTENT_TYPE}
    )
    message = {"messageId": 1, "sku": "SKU-1", "operationType": "DELETE"}
    content = json.dumps({"header": {"sellerId": DEMO_SELLER_ID, "version": "2.0"}, "messages": [message]})
    put = await ctx.client.put(created["url"], content=content, headers={"content-type": FEED_CONTENT_TYPE})
    assert put.status_code == 200, put.text
    document_id: str = created["feedDocumentId"]
    return document_id


async def new_feed(ctx: Ctx, *, finished: bool) -> str:
    body = {"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": [US],
            "inputFeedDocumentId": await new_feed_document(ctx)}  # fmt: skip
    feed_id: str = (await ctx.ok("POST", "/feeds/2021-06-30/feeds", ctx.token, json=body))["feedId"]
    if finished:
        ctx.finish()
    return feed_id


def with_feed(*, finished: bool) -> Callable[[Ctx], Awaitable[Call]]:
    async def build(ctx: Ctx) -> Call:
        feed_id = await new_feed(ctx, finished=finished)
        return Call(ctx.token, {**ctx.example.parameters, "feedId": feed_id}, resource=True)

    return build


async def with_feed_document(ctx: Ctx) -> Call:
    document_id = await new_feed_document(ctx)
    params = {**ctx.example.parameters, "feedDocumentId": document_id}
    return Call(ctx.token, params, resource=True)


async def list_feeds_without_fixtures(ctx: Ctx) -> Call:
    # Example: more than one page of POST_PRODUCT_DATA feeds, a type the emulator does not accept: the list is
    # empty and has no nextToken.
    return Call(ctx.token, dict(ctx.example.parameters), ignore_keys=frozenset({"nextToken"}))


# Data Kiosk


def sales_query(ctx: Ctx) -> str:
    today = datetime.fromtimestamp(ctx.state.clock.time(), UTC).date()
    start, end = (today - timedelta(days=20)).isoformat(), (today - timedelta(days=1)).isoformat()
    return (
        "query { analytics_salesAndTraffic_2024_04_24 { salesAndTrafficByDate("
        f'startDate: "{start}" endDate: "{end}" aggregateBy: DAY marketplaceIds: ["{US}"]) '
        "{ startDate sales { unitsOrdered } } } }"
    )


async def new_query(ctx: Ctx, *, finished: bool) -> dict[str, Any]:
    created = await ctx.ok(
        "POST", "/dataKiosk/2023-11-15/queries", ctx.token, json={"query": sales_query(ctx)}
    )
    if finished:
        ctx.finish()
    query_: dict[str, Any] = await ctx.ok(
        "GET", f"/dataKiosk/2023-11-15/queries/{created['queryId']}", ctx.token
    )
    return query_


def with_query(name: str, *, finished: bool, document: bool = False) -> Callable[[Ctx], Awaitable[Call]]:
    async def build(ctx: Ctx) -> Call:
        created = await new_query(ctx, finished=finished)
        value = created["dataDocumentId"] if document else created["queryId"]
        return Call(ctx.token, {**ctx.example.parameters, name: value}, resource=True)

    return build


def unknown_id(name: str, value: str) -> Callable[[Ctx], Awaitable[Call]]:
    """A NotFound example: its magic id becomes a well-formed id that does not exist."""

    async def build(ctx: Ctx) -> Call:
        return Call(ctx.token, {**ctx.example.parameters, name: value})

    return build


def queries_pages(*, second: bool) -> Callable[[Ctx], Awaitable[Call]]:
    async def build(ctx: Ctx) -> Call:
        for _ in range(2):
            await new_query(ctx, finished=False)
        ctx.finish()
        params = dict(ctx.example.parameters)
        if second:
            first = {k: v for k, v in params.items() if k != "paginationToken"}
            page = await ctx.ok("GET", "/dataKiosk/2023-11-15/queries", ctx.token, params=query(first))
            params["paginationToken"] = page["pagination"]["nextToken"]
        return Call(ctx.token, params)

    return build


# Tokens, Sellers, Notifications, Application Management


SQS_ARN = "arn:aws:sqs:us-east-2:444455556666:queue1"


async def new_destination(ctx: Ctx, grantless: str) -> str:
    body = {"name": "SQSDestination", "resourceSpecification": {"sqs": {"arn": SQS_ARN}}}
    created = await ctx.ok("POST", "/notifications/v1/destinations", grantless, json=body)
    destination_id: str = created["payload"]["destinationId"]
    return destination_id


async def new_subscription(ctx: Ctx, grantless: str) -> str:
    body = {"payloadVersion": "1.0", "destinationId": await new_destination(ctx, grantless)}
    created = await ctx.ok("POST", "/notifications/v1/subscriptions/ORDER_CHANGE", ctx.token, json=body)
    subscription_id: str = created["payload"]["subscriptionId"]
    return subscription_id


def notifications(ex: Example) -> Callable[[Ctx], Awaitable[Call]]:
    """The notification examples give no parameters (any request matches): build the required ones from
    objects created first (ORDER_CHANGE, the example's SQS destination)."""

    async def build(ctx: Ctx) -> Call:
        grantless = await grantless_token(ctx.client)
        params = dict(ex.parameters)
        op = ex.operation
        if op == "createDestination":
            params["body"] = {"name": "SQSDestination", "resourceSpecification": {"sqs": {"arn": SQS_ARN}}}
        elif op in ("getDestinations", "getDestination", "deleteDestination"):
            params["destinationId"] = await new_destination(ctx, grantless)
        elif op == "createSubscription":
            params["notificationType"] = "ORDER_CHANGE"
            params["body"] = {"payloadVersion": "1.0", "destinationId": await new_destination(ctx, grantless)}
        elif op in ("getSubscription", "getSubscriptionById", "deleteSubscriptionById"):
            params["notificationType"] = "ORDER_CHANGE"
            params["subscriptionId"] = await new_subscription(ctx, grantless)
        grantless_ops = ("Destination", "SubscriptionById")
        token = grantless if any(op.endswith(s) or op.endswith(s + "s") for s in grantless_ops) else ctx.token
        return Call(token, {k: v for k, v in params.items() if k in ex.locations}, resource=True)

    return build


async def rotation_not_enrolled(ctx: Ctx) -> Call:
    # "Application is not enrolled for rotation notification": the emulator's switch for Amazon's rule, and
    # an application without any destination (a fresh emulator has none).
    ctx.state.config.extra["rotation_requires_destination"] = True
    return Call(await grantless_token(ctx.client, ROTATION_SCOPE), {})


# The table of replays ---------------------------------------------------------------------------------------

Builder = Callable[[Ctx], Awaitable[Call]]


def _replays() -> dict[str, Builder]:
    """Example id -> how to replay it: generic rules first, then the examples that need their own setup."""
    table: dict[str, Builder] = {}
    for ex in EXAMPLES:
        if ex.api == "ordersV0" and ex.operation in V0_RESTRICTED:
            table[ex.id] = v0_order(ex)  # success and error alike: sent with an RDT covering the path
        elif ex.status >= 400:
            table[ex.id] = as_is(ex)  # validation errors: the same request
        elif ex.api == "ordersV0" and ex.operation in ("getOrder", "getOrderItems"):
            table[ex.id] = v0_order(ex)
        elif ex.api == "orders2026" and ex.operation == "getOrder":
            table[ex.id] = orders_2026_get(ex)
        elif ex.api == "notifications":
            table[ex.id] = notifications(ex)
        elif ex.api in ("tokens", "sellers") or ex.operation in ("createFeedDocument", "createQuery"):
            table[ex.id] = as_is(ex)  # nothing to map: the example's request as it is
    table.update(
        {
            "ordersV0.getOrders.200.0": get_orders_first_page,
            "ordersV0.getOrders.200.1": get_orders_with_next_token,
            "ordersV0.getOrders.200.2": get_orders_second_page,
            "orders2026.searchOrders.200.0": search_orders("A1VC38T7YXB528", 600),
            "orders2026.searchOrders.200.1": search_orders("A1F83G8C2ARO7P", 150, paginate=True),
            "orders2026.searchOrders.200.2": search_orders("A2Q3Y263D00KWC", 60),
            "reports.getReports.200.0": list_reports_without_fixtures,
            "reports.createReport.202.0": create_listings_report,
            "reports.cancelReport.200.0": with_report("reportId", finished=False),
            "reports.cancelReport.400.0": cancel_finished_report,
            "reports.getReport.200.0": with_report("reportId", finished=True),
            "reports.getReportDocument.200.0": with_report("reportDocumentId", finished=True, document=True),
            "reports.getReportSchedules.200.0": with_schedule(listed=True),
            "reports.createReportSchedule.201.0": create_schedule,
            "reports.cancelReportSchedule.200.0": with_schedule(),
            "reports.getReportSchedule.200.0": with_schedule(),
            "feeds.getFeeds.200.0": list_feeds_without_fixtures,
            "feeds.cancelFeed.200.0": with_feed(finished=False),
            "feeds.getFeed.200.0": with_feed(finished=True),
            "feeds.getFeedDocument.200.0": with_feed_document,
            "dataKiosk.getQueries.200.0": queries_pages(second=False),
            "dataKiosk.getQueries.200.1": queries_pages(second=True),
            "dataKiosk.cancelQuery.204.0": with_query("queryId", finished=False),
            "dataKiosk.cancelQuery.404.0": unknown_id("queryId", "99999999999"),
            "dataKiosk.getQuery.200.0": with_query("queryId", finished=True),
            "dataKiosk.getQuery.404.0": unknown_id("queryId", "99999999999"),
            "dataKiosk.getDocument.200.0": with_query("documentId", finished=True, document=True),
            "dataKiosk.getDocument.404.0": unknown_id(
                "documentId", "amzn1.tortuga.4.na.00000000000000000000000000000000.DK0000000000"
            ),
            "applications.rotateApplicationClientSecret.400.0": rotation_not_enrolled,
        }
    )
    return {k: v for k, v in table.items() if k in BY_ID and k not in NOT_FITTING}


REPLAYS = _replays()


def query(params: dict[str, Any]) -> dict[str, str]:
    """Query parameters as Amazon takes them: arrays comma-separated (``form``, not exploded)."""
    out = {}
    for name, value in params.items():
        if isinstance(value, list):
            out[name] = ",".join(str(v) for v in value)
        elif isinstance(value, bool):
            out[name] = str(value).lower()
        else:
            out[name] = str(value)
    return out


def build_request(ex: Example, params: dict[str, Any]) -> tuple[str, dict[str, str], Any]:
    url = ex.template
    query_params: dict[str, Any] = {}
    body = None
    for name, value in params.items():
        where = ex.locations.get(name)
        if where == "path":
            url = url.replace("{" + name + "}", str(value))
        elif where == "body":
            body = value
        elif where == "query":
            query_params[name] = value
        else:
            raise AssertionError(f"{ex.id}: parameter {name} is not declared by the model")
    assert "{" not in url, f"{ex.id}: unfilled path parameter in {url}"
    return url, query(query_params), body


def assert_same_shape(ex: Example, actual: Any, call: Call) -> None:
    """Same top-level keys / wrapper (payload or not) and the same pagination keys as the example."""
    expected = ex.response
    if not isinstance(expected, dict) or not expected:
        assert actual in (None, {}), f"{ex.id}: expected an empty body, got {actual!r}"
        return
    assert isinstance(actual, dict), actual
    ignore = call.ignore_keys
    exp_keys, act_keys = set(expected) - ignore, set(actual) - ignore
    if "payload" in expected:
        assert act_keys == exp_keys, f"{ex.id}: top-level keys {sorted(act_keys)} != {sorted(exp_keys)}"
        exp, act = expected["payload"], actual["payload"]
        assert type(act) is type(exp), f"{ex.id}: payload is {type(act).__name__}, not {type(exp).__name__}"
        if not isinstance(exp, dict):
            return
        exp_keys, act_keys = set(exp) - ignore, set(act) - ignore
    if call.resource:
        missing = exp_keys - act_keys
        assert not missing, (
            f"{ex.id}: keys of the example missing from the emulator's answer: {sorted(missing)}"
        )
        assert exp_keys & PAGINATION_KEYS == act_keys & PAGINATION_KEYS, f"{ex.id}: pagination keys differ"
    else:
        assert act_keys == exp_keys, f"{ex.id}: keys {sorted(act_keys)} != example's {sorted(exp_keys)}"


def _params() -> list[Any]:
    replayed = [pytest.param(ex, id=ex.id) for ex in EXAMPLES if ex.id in REPLAYS]
    if not replayed:
        return [pytest.param(None, id="models-absent", marks=pytest.mark.skip(reason=MISSING_MODELS))]
    return replayed


@pytest.mark.parametrize("example", _params())
async def test_replay(example: Example, client: httpx.AsyncClient, state: EmulatorState, token: str) -> None:
    ctx = Ctx(client, state, token, example)
    call = await REPLAYS[example.id](ctx)
    url, params, body = build_request(example, call.params)
    kwargs: dict[str, Any] = {"params": params}
    if body is not None:
        kwargs["json"] = body
    r = await ctx.send(example.method, url, call.token, **kwargs)
    assert r.status_code == example.status, f"{example.id}: {r.status_code} {r.text}"
    # Error examples send what the example sends, which the model may itself reject (no MarketplaceIds): only
    # the answer is checked against the model then.
    validate(example.api, r, request=example.status < 400)
    actual = r.json() if r.content else None
    if example.status >= 400:
        assert isinstance(actual, dict) and actual.get("errors"), r.text
    assert_same_shape(example, actual, call)


def test_every_example_is_replayed_or_listed() -> None:
    if not EXAMPLES:
        pytest.skip(MISSING_MODELS)
    ids = [ex.id for ex in EXAMPLES]
    assert len(ids) == len(set(ids)), "example ids must be unique"
    unaccounted = [i for i in ids if i not in REPLAYS and i not in NOT_FITTING]
    assert not unaccounted, (
        f"official sandbox examples neither replayed nor listed in NOT_FITTING: {unaccounted}"
    )
    both = sorted(set(REPLAYS) & set(NOT_FITTING))
    assert not both, f"listed as not fitting but replayed: {both}"
    stale = sorted(set(NOT_FITTING) - set(ids))
    assert not stale, f"NOT_FITTING names examples the models no longer have: {stale}"
    assert all(reason.strip() for reason in NOT_FITTING.values())
