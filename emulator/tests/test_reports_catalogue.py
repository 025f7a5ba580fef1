"""The report types of the product's catalogue: content against the seller's own data, options, date limits,
settlements over time, forced outcomes, streamed listings and the document URLs' base."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from amazon_emulator.apis._reports_catalog import INVENTORY_COLUMNS, LISTINGS_COLUMNS, RETURNS_COLUMNS
from amazon_emulator.apis._settlements import COLUMNS as SETTLEMENT_COLUMNS
from amazon_emulator.apis._settlements import PERIOD_SECONDS
from amazon_emulator.app import create_app
from amazon_emulator.config import DEMO_SELLER_ID, EmulatorConfig
from amazon_emulator.data.models import CANCELED
from amazon_emulator.state import EmulatorState

from emulator_contract import validate
from emulator_helpers import US, access_token_for, auth, days_ago
from report_helpers import create, download, get

SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
SALES = "GET_SALES_AND_TRAFFIC_REPORT"


def tsv(data: bytes, columns: tuple[str, ...]) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(data.decode()), delimiter="\t", quoting=csv.QUOTE_NONE)
    assert tuple(reader.fieldnames or ()) == columns
    return list(reader)


async def finished(client: httpx.AsyncClient, state: EmulatorState, token: str, body: dict[str, Any]) -> Any:
    report_id = await create(client, token, body)
    state.clock.advance(61)
    return await get(client, token, report_id)


async def document(
    client: httpx.AsyncClient, state: EmulatorState, token: str, body: dict[str, Any]
) -> bytes:
    report = await finished(client, state, token, body)
    assert report["processingStatus"] == "DONE", report
    _, data = await download(client, token, report["reportDocumentId"])
    return data


async def test_listings_and_inventory_list_the_sellers_skus(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    seller = state.sellers[DEMO_SELLER_ID]
    listings = tsv(
        await document(
            client, state, token, {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]}
        ),
        LISTINGS_COLUMNS,
    )
    by_sku = {p.sku: p for p in seller.catalogue}
    assert [r["seller-sku"] for r in listings] == [p.sku for p in seller.catalogue]
    for row in listings:
        product = by_sku[row["seller-sku"]]
        assert row["asin1"] == product.asin and row["item-name"] == product.title
        assert float(row["price"]) == pytest.approx(product.prices[US])
        assert row["fulfillment-channel"] == "AMAZON_NA" or int(row["quantity"]) >= 0
    inventory = tsv(
        await document(
            client,
            state,
            token,
            {"reportType": "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", "marketplaceIds": [US]},
        ),
        INVENTORY_COLUMNS,
    )
    assert [r["sku"] for r in inventory] == [p.sku for p in seller.catalogue]
    for row in inventory:
        assert int(row["afn-total-quantity"]) >= int(row["afn-fulfillable-quantity"]) >= 0
    ordered = {i.product.sku for o in seller.orders for i in o.items}
    assert ordered <= set(by_sku), "every SKU the orders use is listed"


async def test_a_million_listings_stream(client: httpx.AsyncClient, state: EmulatorState, token: str) -> None:
    r = await client.post(f"/_emulator/sellers/{DEMO_SELLER_ID}/listings", json={"count": 20_000})
    assert r.status_code == 200 and r.json() == {"count": 20_000}
    report = await finished(
        client, state, token, {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]}
    )
    doc, data = await download(client, token, report["reportDocumentId"])
    assert doc["compressionAlgorithm"] == "GZIP"
    rows = tsv(data, LISTINGS_COLUMNS)
    assert len(rows) == 20_000 and len({r["seller-sku"] for r in rows}) == 20_000
    content = await client.get(f"/_emulator/documents/{report['reportDocumentId']}/content")
    assert content.status_code == 200 and content.content == data
    again = await finished(
        client,
        state,
        token,
        {"reportType": "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", "marketplaceIds": [US]},
    )
    _, inventory = await download(client, token, again["reportDocumentId"])
    assert [r["sku"] for r in tsv(inventory, INVENTORY_COLUMNS)] == [r["seller-sku"] for r in rows]
    missing = await client.get("/_emulator/documents/amzn1.tortuga.4.na.nope/content")
    assert missing.status_code == 404


async def test_returns_are_the_sellers_shipped_fba_orders(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    seller = state.sellers[DEMO_SELLER_ID]
    body = {
        "reportType": "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
        "marketplaceIds": [US],
        "dataStartTime": days_ago(state, 120),
        "dataEndTime": days_ago(state, 1),
    }
    rows = tsv(await document(client, state, token, body), RETURNS_COLUMNS)
    assert rows
    for row in rows:
        order = seller.orders_by_id[row["order-id"]]
        assert order.fulfillment_channel == "AFN" and order.marketplace_id == US
        assert row["sku"] in {i.product.sku for i in order.items}
        returned = datetime.fromisoformat(row["return-date"]).timestamp()
        assert order.purchase_ts < returned <= state.clock.time()


async def test_settlements_appear_in_get_reports_over_time(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    r = await client.post(
        "/reports/2021-06-30/reports",
        json={"reportType": SETTLEMENT, "marketplaceIds": [US]},
        headers=auth(token),
    )
    assert r.status_code == 400 and "cannot be requested" in r.text
    validate("reports", r)

    async def listed() -> list[dict[str, Any]]:
        token = await access_token_for(client)  # the clock moves by weeks: a fresh token each time
        r = await client.get(
            "/reports/2021-06-30/reports",
            params={"reportTypes": SETTLEMENT, "pageSize": 100},
            headers=auth(token),
        )
        assert r.status_code == 200, r.text
        validate("reports", r)
        reports: list[dict[str, Any]] = r.json()["reports"]
        return reports

    first = await listed()
    assert 5 <= len(first) <= 7  # the 14-day periods that closed in the last 90 days
    assert all(s["processingStatus"] == "DONE" for s in first)
    assert await listed() == first, "listing again creates nothing new"
    seller = state.sellers[DEMO_SELLER_ID]
    report = first[0]
    _, data = await download(client, token, report["reportDocumentId"])
    rows = tsv(data, SETTLEMENT_COLUMNS)
    summary, lines = rows[0], rows[1:]
    assert summary["total-amount"] and summary["currency"] == "USD"
    assert sum(float(x["amount"]) for x in lines) == pytest.approx(float(summary["total-amount"]), abs=0.01)
    start = datetime.fromisoformat(report["dataStartTime"]).timestamp()
    end = datetime.fromisoformat(report["dataEndTime"]).timestamp()
    assert end - start == PERIOD_SECONDS
    for line in lines:
        order = seller.orders_by_id[line["order-id"]]
        assert order.marketplace_id == US and order.purchase_ts < end
        assert line["transaction-type"] in ("Order", "Refund")
        if line["transaction-type"] == "Refund":
            assert order.fulfillment_channel == "AFN" and float(line["amount"]) < 0
    state.clock.advance(PERIOD_SECONDS)
    later = await listed()
    assert len(later) == len(first) + 1 or len(later) == len(first)  # the oldest may leave the 90 days
    assert later[0]["reportId"] not in {s["reportId"] for s in first}


def day_truth(state: EmulatorState, market: str, first: date, last: date, at: float) -> dict[str, int]:
    seller = state.sellers[DEMO_SELLER_ID]
    units: dict[str, int] = defaultdict(int)
    for order in seller.orders:
        day = datetime.fromtimestamp(order.purchase_ts, UTC).date()
        if order.marketplace_id == market and first <= day <= last and order.purchase_ts <= at:
            if order.status_at(at) != CANCELED:
                units[day.isoformat()] += order.units()
    return units


@pytest.mark.parametrize("granularity", ["DAY", "WEEK", "MONTH"])
async def test_sales_and_traffic_granularity_adds_up_to_orders(
    client: httpx.AsyncClient, state: EmulatorState, token: str, granularity: str
) -> None:
    body = {
        "reportType": SALES,
        "marketplaceIds": [US],
        "dataStartTime": days_ago(state, 50),
        "dataEndTime": days_ago(state, 3),
        "reportOptions": {"dateGranularity": granularity, "asinGranularity": "SKU"},
    }
    at = state.clock.time()
    report = json.loads(await document(client, state, token, body))
    spec = report["reportSpecification"]
    assert spec["reportOptions"] == {"dateGranularity": granularity, "asinGranularity": "SKU"}
    first, last = date.fromisoformat(spec["dataStartTime"]), date.fromisoformat(spec["dataEndTime"])
    if granularity == "WEEK":
        assert first.isoweekday() == 7 and last.isoweekday() == 6  # widened to whole weeks
    if granularity == "MONTH":
        assert first.day == 1 and (last + timedelta(days=1)).day == 1
    truth = day_truth(state, US, first, last, at)
    rows = report["salesAndTrafficByDate"]
    assert sum(r["salesByDate"]["unitsOrdered"] for r in rows) == sum(truth.values())
    if granularity == "DAY":
        assert {
            r["date"]: r["salesByDate"]["unitsOrdered"] for r in rows if r["salesByDate"]["unitsOrdered"]
        } == truth
    asins = report["salesAndTrafficByAsin"]
    assert all({"parentAsin", "childAsin", "sku"} <= set(a) for a in asins)
    assert sum(a["salesByAsin"]["unitsOrdered"] for a in asins) == sum(truth.values())
    assert sum(a["trafficByAsin"]["sessionPercentage"] for a in asins) == pytest.approx(100, abs=1)


async def test_sales_and_traffic_parent_default_one_marketplace_and_history(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    body = {"reportType": SALES, "marketplaceIds": [US], "dataStartTime": days_ago(state, 20)}
    report = json.loads(await document(client, state, token, body))
    assert report["reportSpecification"]["reportOptions"]["asinGranularity"] == "PARENT"
    assert all(
        set(a) == {"parentAsin", "salesByAsin", "trafficByAsin"} for a in report["salesAndTrafficByAsin"]
    )
    seller = state.sellers[DEMO_SELLER_ID]
    two = await finished(client, state, token, {**body, "marketplaceIds": seller.marketplace_ids()[:2]})
    assert two["processingStatus"] == "FATAL"
    _, error = await download(client, token, two["reportDocumentId"])
    assert "only one marketplaceId" in json.loads(error)["errorDetails"]
    old = await finished(client, state, token, {**body, "dataStartTime": days_ago(state, 800)})
    assert old["processingStatus"] == "CANCELLED"
    r = await client.post(
        "/reports/2021-06-30/reports",
        json={**body, "reportOptions": {"dateGranularity": "YEAR"}},
        headers=auth(token),
    )
    assert r.status_code == 400


async def test_date_only_times_refused_other_types_accepted(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    for field in ("dataStartTime", "dataEndTime"):
        r = await client.post(
            "/reports/2021-06-30/reports",
            json={"reportType": SALES, "marketplaceIds": [US], field: days_ago(state, 5)[:10]},
            headers=auth(token),
        )
        assert r.status_code == 400 and "date-time" in r.text
        validate("reports", r, request=False)  # the request breaks the model on purpose
    other = await finished(
        client, state, token, {"reportType": "GET_AFN_INVENTORY_DATA", "marketplaceIds": [US]}
    )
    assert other["processingStatus"] == "CANCELLED"
    r = await client.post(
        "/reports/2021-06-30/reports",
        json={"reportType": "BAD_FEE_DISCOUNTS_REPORT", "marketplaceIds": [US]},
        headers=auth(token),
    )
    assert r.status_code == 400


async def test_forced_outcomes(client: httpx.AsyncClient, state: EmulatorState, token: str) -> None:
    url = f"/_emulator/sellers/{DEMO_SELLER_ID}/report-outcomes"
    r = await client.post(url, json={"api": "reports", "outcome": "FATAL", "count": 1, "report_type": SALES})
    assert r.status_code == 200 and r.json()["pending"] == 1
    r = await client.post(url, json={"api": "reports", "outcome": "CANCELLED", "count": 1})
    assert r.status_code == 200 and r.json()["pending"] == 2
    listings = {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]}
    sales = {"reportType": SALES, "marketplaceIds": [US], "dataStartTime": days_ago(state, 10)}
    cancelled = await finished(client, state, token, listings)  # the unfiltered CANCELLED applies
    assert cancelled["processingStatus"] == "CANCELLED" and "reportDocumentId" not in cancelled
    fatal = await finished(client, state, token, sales)
    assert fatal["processingStatus"] == "FATAL"
    _, error = await download(client, token, fatal["reportDocumentId"])
    assert json.loads(error)["errorDetails"]
    assert (await finished(client, state, token, sales))["processingStatus"] == "DONE", "used up"
    r = await client.post(url, json={"api": "datakiosk", "outcome": "FATAL"})
    assert r.status_code == 200
    query = (
        "query { analytics_salesAndTraffic_2024_04_24 { salesAndTrafficByDate("
        f'startDate: "{days_ago(state, 9)[:10]}" endDate: "{days_ago(state, 2)[:10]}" aggregateBy: DAY '
        f'marketplaceIds: ["{US}"]) {{ startDate sales {{ unitsOrdered }} }} }} }}'
    )
    r = await client.post("/dataKiosk/2023-11-15/queries", json={"query": query}, headers=auth(token))
    assert r.status_code == 202
    state.clock.advance(61)
    r = await client.get(f"/dataKiosk/2023-11-15/queries/{r.json()['queryId']}", headers=auth(token))
    assert r.json()["processingStatus"] == "FATAL" and "errorDocumentId" in r.json()
    bad = await client.post(url, json={"api": "reports", "outcome": "DONE"})
    assert bad.status_code == 422
    unknown = await client.post("/_emulator/sellers/NOPE/report-outcomes", json={"outcome": "FATAL"})
    assert unknown.status_code == 404


async def test_document_urls_use_the_public_base_url_not_the_host_header() -> None:
    config = EmulatorConfig(
        seed=7, demo=True, demo_orders=300, public_base_url="http://emulator.example:9000"
    )
    app = create_app(config)
    state: EmulatorState = app.state.emulator
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://odd-host.invalid") as client:
        token = await access_token_for(client)
        body = {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]}
        report = await finished(client, state, token, body)
        r = await client.get(
            f"/reports/2021-06-30/documents/{report['reportDocumentId']}",
            headers={**auth(token), "host": "attacker.invalid"},
        )
        url = r.json()["url"]
        assert url.startswith("http://emulator.example:9000/_documents/")
        fetched = await client.get(url)
        assert fetched.status_code == 200
        data = gzip.decompress(fetched.content) if r.json().get("compressionAlgorithm") else fetched.content
        assert data.startswith(b"item-name\t")
        state.clock.advance(301)
        assert (await client.get(url)).status_code == 403, "expired after 5 minutes of the emulator's clock"


async def test_data_kiosk_and_the_report_give_the_same_figures(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    # The product loads either into the same table: same seller and days, same numbers.
    start, end = days_ago(state, 30), days_ago(state, 2)
    body = {
        "reportType": SALES,
        "marketplaceIds": [US],
        "dataStartTime": start,
        "dataEndTime": end,
        "reportOptions": {"dateGranularity": "DAY", "asinGranularity": "CHILD"},
    }
    report = json.loads(await document(client, state, token, body))
    query = (
        "query { analytics_salesAndTraffic_2024_04_24 { "
        f'salesAndTrafficByDate(startDate: "{start[:10]}" endDate: "{end[:10]}" aggregateBy: DAY '
        f'marketplaceIds: ["{US}"]) {{ startDate sales {{ unitsOrdered unitsRefunded orderedProductSales '
        "{ amount } } traffic { sessions pageViews } } "
        f'salesAndTrafficByAsin(startDate: "{start[:10]}" endDate: "{end[:10]}" aggregateBy: CHILD '
        f'marketplaceIds: ["{US}"]) {{ parentAsin childAsin sales {{ unitsOrdered }} '
        "traffic { sessions sessionPercentage buyBoxPercentage } } } }"
    )
    r = await client.post("/dataKiosk/2023-11-15/queries", json={"query": query}, headers=auth(token))
    assert r.status_code == 202
    state.clock.advance(61)
    done = (
        await client.get(f"/dataKiosk/2023-11-15/queries/{r.json()['queryId']}", headers=auth(token))
    ).json()
    doc = (
        await client.get(f"/dataKiosk/2023-11-15/documents/{done['dataDocumentId']}", headers=auth(token))
    ).json()
    records = [json.loads(x) for x in (await client.get(doc["documentUrl"])).text.splitlines()]
    from_dk = {
        r["startDate"]: (
            r["sales"]["unitsOrdered"],
            r["sales"]["unitsRefunded"],
            r["sales"]["orderedProductSales"]["amount"],
            r["traffic"]["sessions"],
            r["traffic"]["pageViews"],
        )
        for r in records
        if "parentAsin" not in r
    }
    asins_dk = {
        r["childAsin"]: (r["parentAsin"], r["sales"]["unitsOrdered"], r["traffic"])
        for r in records
        if "parentAsin" in r
    }
    asins_report = {
        a["childAsin"]: (
            a["parentAsin"],
            a["salesByAsin"]["unitsOrdered"],
            {k: a["trafficByAsin"][k] for k in ("sessions", "sessionPercentage", "buyBoxPercentage")},
        )
        for a in report["salesAndTrafficByAsin"]
    }
    assert asins_dk == asins_report and asins_dk
    from_report = {
        r["date"]: (
            r["salesByDate"]["unitsOrdered"],
            r["salesByDate"]["unitsRefunded"],
            r["salesByDate"]["orderedProductSales"]["amount"],
            r["trafficByDate"]["sessions"],
            r["trafficByDate"]["pageViews"],
        )
        for r in report["salesAndTrafficByDate"]
    }
    assert from_dk == from_report


async def test_create_report_usage_plan(client: httpx.AsyncClient, state: EmulatorState, token: str) -> None:
    body = {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]}
    codes = []
    for _ in range(16):
        r = await client.post("/reports/2021-06-30/reports", json=body, headers=auth(token))
        codes.append(r.status_code)
    assert codes[:15] == [202] * 15 and codes[15] == 429  # burst 15, then one per minute
    log = await client.get("/_emulator/requests", params={"operation": "reports.createReport"})
    assert len(log.json()) == 16


def test_cli_public_url_defaults_to_the_listening_address() -> None:
    from amazon_emulator.cli import default_public_url, parse_args

    assert default_public_url("0.0.0.0", 8100) == "http://127.0.0.1:8100"
    assert default_public_url("emu.local", 9000) == "http://emu.local:9000"
    assert parse_args(["--public-url", "https://emu.example"]).public_url == "https://emu.example"
