"""Reports API 2021-06-30: state machine, flat-file order reports vs the data module's truth, GZIP, expiry,
FATAL/CANCELLED outcomes, restricted documents, schedules, the sales & traffic JSON report, the contract."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest

from amazon_emulator.apis._reports_content import FLAT_FILE_COLUMNS
from amazon_emulator.clock import iso_ts, parse_iso
from amazon_emulator.config import DEMO_SELLER_ID, EmulatorConfig
from amazon_emulator.data.models import PENDING
from amazon_emulator.state import EmulatorState

from emulator_contract import models_dir, validate
from emulator_helpers import US, access_token_for, ago, auth, create_rdt, days_ago
from report_helpers import create, download, get

BY_DATE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
BY_UPDATE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=600, report_processing_seconds=60)


def parse(data: bytes) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(data.decode()), delimiter="\t", quoting=csv.QUOTE_NONE)
    assert tuple(reader.fieldnames or ()) == FLAT_FILE_COLUMNS
    return list(reader)


async def test_report_moves_through_states_and_matches_truth(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    start, end = days_ago(state, 40), days_ago(state, 12)
    report_id = await create(
        client,
        token,
        {"reportType": BY_DATE, "marketplaceIds": [US], "dataStartTime": start, "dataEndTime": end},
    )
    at = state.clock.time()
    assert (await get(client, token, report_id))["processingStatus"] == "IN_QUEUE"
    state.clock.advance(30)
    assert (await get(client, token, report_id))["processingStatus"] == "IN_PROGRESS"
    state.clock.advance(31)
    report = await get(client, token, report_id)
    assert report["processingStatus"] == "DONE"
    assert {"processingStartTime", "processingEndTime", "reportDocumentId"} <= set(report)
    _, data = await download(client, token, report["reportDocumentId"])
    rows = parse(data)
    seller = state.seller(DEMO_SELLER_ID)
    assert seller is not None
    lo, hi = at - 40 * 86400, at - 12 * 86400
    truth = [o for o in seller.orders if o.marketplace_id == US and lo <= o.purchase_ts <= hi]
    assert truth, "the seeded data has orders in the window"
    assert sorted({r["amazon-order-id"] for r in rows}) == sorted(o.amazon_order_id for o in truth)
    assert len(rows) == sum(len(o.items) for o in truth)
    for order in truth:
        lines = [r for r in rows if r["amazon-order-id"] == order.amazon_order_id]
        assert sorted(r["sku"] for r in lines) == sorted(i.product.sku for i in order.items)
        assert sum(int(r["quantity"]) for r in lines) == order.units()
        if order.status_at(at) == PENDING:
            assert all(r["item-price"] == "" for r in lines)
        elif order.status_at(at) != "Canceled":
            assert sum(float(r["item-price"]) for r in lines) == pytest.approx(order.order_total())


async def test_gzip_document_for_a_large_window(client: httpx.AsyncClient, state: EmulatorState) -> None:
    r = await client.post(
        "/_emulator/sellers",
        json={"selling_partner_id": "A2BIGSELLER00001", "marketplaces": ["US"], "orders": 3000, "months": 1},
    )
    assert r.status_code == 201, r.text
    token = await access_token_for(client, "A2BIGSELLER00001")
    report_id = await create(
        client,
        token,
        {"reportType": BY_UPDATE, "marketplaceIds": [US], "dataStartTime": days_ago(state, 29.5)},
    )
    at = state.clock.time()
    state.clock.advance(61)
    report = await get(client, token, report_id)
    doc, data = await download(client, token, report["reportDocumentId"])
    assert doc["compressionAlgorithm"] == "GZIP"
    rows = parse(data)
    seller = state.seller("A2BIGSELLER00001")
    assert seller is not None
    lo = at - 29.5 * 86400
    truth = {o.amazon_order_id for o in seller.orders if lo <= (o.last_update_at(at) or 0) <= at}
    assert {r["amazon-order-id"] for r in rows} == truth
    assert len(data) > 64 * 1024


async def test_empty_window_is_cancelled_and_long_window_fatal(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    empty = await create(
        client,
        token,
        {
            "reportType": BY_DATE,
            "marketplaceIds": [US],
            "dataStartTime": ago(state, 120),
            "dataEndTime": ago(state, 60),
        },
    )
    fatal = await create(
        client,
        token,
        {
            "reportType": BY_DATE,
            "marketplaceIds": [US],
            "dataStartTime": days_ago(state, 45),
            "dataEndTime": days_ago(state, 1),
        },
    )
    state.clock.advance(61)
    cancelled = await get(client, token, empty)
    assert cancelled["processingStatus"] == "CANCELLED" and "reportDocumentId" not in cancelled
    failed = await get(client, token, fatal)
    assert failed["processingStatus"] == "FATAL"
    _, data = await download(client, token, failed["reportDocumentId"])
    assert "30 days" in json.loads(data)["errorDetails"]


async def test_document_url_expires_like_s3(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    report_id = await create(
        client, token, {"reportType": BY_DATE, "marketplaceIds": [US], "dataStartTime": days_ago(state, 30)}
    )
    state.clock.advance(61)
    report = await get(client, token, report_id)
    r = await client.get(f"/reports/2021-06-30/documents/{report['reportDocumentId']}", headers=auth(token))
    url = r.json()["url"]
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url and "/_documents/" in url
    tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=0")
    bad = await client.get(tampered)
    assert bad.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in bad.text
    state.clock.advance(301)
    expired = await client.get(url)
    assert expired.status_code == 403
    assert expired.headers["content-type"].startswith("application/xml")
    assert "<Code>AccessDenied</Code>" in expired.text and "Request has expired" in expired.text


async def test_cancel_list_filters_and_next_token(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    ids = [
        await create(
            client,
            token,
            {
                "reportType": BY_DATE,
                "marketplaceIds": [US],
                "dataStartTime": days_ago(state, d + 3),
                "dataEndTime": days_ago(state, d),
            },
        )
        for d in (1, 5, 9)
    ]
    r = await client.delete(f"/reports/2021-06-30/reports/{ids[0]}", headers=auth(token))
    assert r.status_code == 200
    validate("reports", r)
    r = await client.get(
        "/reports/2021-06-30/reports",
        params={"reportTypes": BY_DATE, "pageSize": 2, "processingStatuses": "IN_QUEUE,CANCELLED"},
        headers=auth(token),
    )
    assert r.status_code == 200, r.text
    validate("reports", r)
    page = r.json()
    assert [x["reportId"] for x in page["reports"]] == [ids[2], ids[1]] and "nextToken" in page
    both = await client.get(
        "/reports/2021-06-30/reports",
        params={"nextToken": page["nextToken"], "pageSize": 2},
        headers=auth(token),
    )
    assert both.status_code == 400 and both.json()["errors"][0]["code"] == "InvalidInput"
    validate("reports", both)
    r = await client.get(
        "/reports/2021-06-30/reports", params={"nextToken": page["nextToken"]}, headers=auth(token)
    )
    rest = r.json()
    assert [x["reportId"] for x in rest["reports"]] == [ids[0]] and "nextToken" not in rest
    assert rest["reports"][0]["processingStatus"] == "CANCELLED"
    r = await client.get(
        "/reports/2021-06-30/reports", params={"processingStatuses": "DONE"}, headers=auth(token)
    )
    assert r.status_code == 400
    state.clock.advance(61)
    r = await client.delete(f"/reports/2021-06-30/reports/{ids[1]}", headers=auth(token))
    assert r.status_code == 400
    missing = await client.get("/reports/2021-06-30/reports/999", headers=auth(token))
    assert missing.status_code == 404
    validate("reports", missing)


async def test_bad_requests(client: httpx.AsyncClient, state: EmulatorState, token: str) -> None:
    for body in (
        {"marketplaceIds": [US]},
        {"reportType": BY_DATE, "marketplaceIds": []},
        {"reportType": BY_DATE, "marketplaceIds": ["A1PA6795UKMFR9"]},
        {"reportType": BY_DATE, "marketplaceIds": [US], "dataStartTime": "yesterday"},
        {"reportType": BY_DATE, "marketplaceIds": [US], "dataStartTime": days_ago(state, -2)},
    ):
        r = await client.post("/reports/2021-06-30/reports", json=body, headers=auth(token))
        assert r.status_code == 400, body
        assert r.json()["errors"][0]["code"] == "InvalidInput"


async def test_rdt_covering_the_document_is_accepted(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    report_id = await create(
        client, token, {"reportType": BY_DATE, "marketplaceIds": [US], "dataStartTime": days_ago(state, 30)}
    )
    state.clock.advance(61)
    document_id = (await get(client, token, report_id))["reportDocumentId"]
    path = f"/reports/2021-06-30/documents/{document_id}"
    r = await create_rdt(client, token, [{"method": "GET", "path": path}])
    assert r.status_code == 200, r.text
    ok = await client.get(path, headers=auth(r.json()["restrictedDataToken"]))
    assert ok.status_code == 200
    r = await create_rdt(client, token, [{"method": "GET", "path": "/orders/v0/orders/{orderId}/address"}])
    denied = await client.get(path, headers=auth(r.json()["restrictedDataToken"]))
    assert denied.status_code == 403


async def test_restricted_type_needs_an_rdt(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    from amazon_emulator.apis import reports

    reports.RESTRICTED_TYPES = reports.RESTRICTED_TYPES | {BY_DATE}
    try:
        report_id = await create(
            client,
            token,
            {"reportType": BY_DATE, "marketplaceIds": [US], "dataStartTime": days_ago(state, 30)},
        )
        state.clock.advance(61)
        document_id = (await get(client, token, report_id))["reportDocumentId"]
        denied = await client.get(f"/reports/2021-06-30/documents/{document_id}", headers=auth(token))
        assert denied.status_code == 403 and denied.json()["errors"][0]["code"] == "Unauthorized"
    finally:
        reports.RESTRICTED_TYPES = reports.RESTRICTED_TYPES - {BY_DATE}


async def test_schedules(client: httpx.AsyncClient, token: str) -> None:
    body = {"reportType": BY_UPDATE, "marketplaceIds": [US], "period": "PT4H"}
    r = await client.post("/reports/2021-06-30/schedules", json=body, headers=auth(token))
    assert r.status_code == 201, r.text
    validate("reports", r)
    first = r.json()["reportScheduleId"]
    r = await client.post(
        "/reports/2021-06-30/schedules", json={**body, "period": "P1D"}, headers=auth(token)
    )
    second = r.json()["reportScheduleId"]
    r = await client.get(
        "/reports/2021-06-30/schedules", params={"reportTypes": BY_UPDATE}, headers=auth(token)
    )
    validate("reports", r)
    assert [s["reportScheduleId"] for s in r.json()["reportSchedules"]] == [second]
    r = await client.get(f"/reports/2021-06-30/schedules/{second}", headers=auth(token))
    validate("reports", r)
    assert r.json()["period"] == "P1D"
    assert (
        await client.get(f"/reports/2021-06-30/schedules/{first}", headers=auth(token))
    ).status_code == 404
    r = await client.delete(f"/reports/2021-06-30/schedules/{second}", headers=auth(token))
    assert r.status_code == 200
    bad = await client.post(
        "/reports/2021-06-30/schedules", json={**body, "period": "P2W"}, headers=auth(token)
    )
    assert bad.status_code == 400


async def test_sales_and_traffic_report_validates_against_its_schema(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    report_id = await create(
        client,
        token,
        {
            "reportType": "GET_SALES_AND_TRAFFIC_REPORT",
            "marketplaceIds": [US],
            "dataStartTime": days_ago(state, 60),
            "dataEndTime": days_ago(state, 1),
            "reportOptions": {"dateGranularity": "DAY", "asinGranularity": "CHILD"},
        },
    )
    state.clock.advance(61)
    report = await get(client, token, report_id)
    assert report["processingStatus"] == "DONE"
    _, data = await download(client, token, report["reportDocumentId"])
    document = json.loads(data)
    units = sum(d["salesByDate"]["unitsOrdered"] for d in document["salesAndTrafficByDate"])
    assert units == sum(a["salesByAsin"]["unitsOrdered"] for a in document["salesAndTrafficByAsin"]) > 0
    base = models_dir()
    if base is None:
        pytest.skip("Amazon models not found: the report schema check needs sp-api/reports-schemas/")
    import jsonschema

    path = base / "sp-api" / "reports-schemas" / "sellerSalesAndTrafficReport.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(document, schema)


async def test_schedule_creates_a_report_each_period(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    body = {"reportType": BY_UPDATE, "marketplaceIds": [US], "period": "P1D"}
    r = await client.post("/reports/2021-06-30/schedules", json=body, headers=auth(token))
    schedule_id = r.json()["reportScheduleId"]
    created = await client.get(f"/reports/2021-06-30/schedules/{schedule_id}", headers=auth(token))
    # The first report covers the day before the schedule's first creation time. Compared with that
    # time, not with "now", which may cross a second boundary between the two reads.
    first_creation = parse_iso(created.json()["nextReportCreationTime"]).timestamp()
    listed = await client.get(
        "/reports/2021-06-30/reports", params={"reportTypes": BY_UPDATE}, headers=auth(token)
    )
    assert listed.json()["reports"] == []
    state.clock.advance(86400 + 1)
    token = await access_token_for(client)  # the first one expired meanwhile
    r = await client.get(
        "/reports/2021-06-30/reports", params={"reportTypes": BY_UPDATE}, headers=auth(token)
    )
    validate("reports", r)
    [report] = r.json()["reports"]
    assert report["reportScheduleId"] == schedule_id
    window = (report["dataEndTime"], report["dataStartTime"])
    assert window == (iso_ts(first_creation), iso_ts(first_creation - 86400))
    schedule = (await client.get(f"/reports/2021-06-30/schedules/{schedule_id}", headers=auth(token))).json()
    assert schedule["nextReportCreationTime"] > report["dataEndTime"]
    r = await client.get(
        "/reports/2021-06-30/reports", params={"reportTypes": BY_UPDATE}, headers=auth(token)
    )
    assert len(r.json()["reports"]) == 1


def test_a_restarted_emulator_never_repeats_a_job_id(monkeypatch: pytest.MonkeyPatch) -> None:
    """A product keeps the report, feed and query ids it was given, and its sellers stay connected
    across a restart (``--grants-file``): the ids of a new run start above every id of the last one.
    Here a run makes 50 reports in its first 10 seconds, then the emulator restarts."""
    from amazon_emulator.apis import _jobs

    started = 1_800_000_000.0
    monkeypatch.setattr(_jobs.time, "time", lambda: started)
    first_run = _jobs.JobStore("reports")
    given = [first_run.next_number(50_000_000_000) for _ in range(50)]
    assert len(set(given)) == 50
    monkeypatch.setattr(_jobs.time, "time", lambda: started + 10)
    second_run = _jobs.JobStore("reports")
    assert second_run.next_number(50_000_000_000) > max(given)
    # Still Amazon's shape: an 11-digit number.
    assert all(len(str(n)) == 11 for n in given)
