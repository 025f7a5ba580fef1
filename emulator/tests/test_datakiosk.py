"""Data Kiosk 2023-11-15: GraphQL validation, processing, JSON Lines documents vs the orders, contract."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from amazon_emulator.config import DEMO_SELLER_ID, EmulatorConfig
from amazon_emulator.state import EmulatorState

from emulator_contract import validate
from emulator_helpers import US, auth


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=600, query_processing_seconds=60)


def by_date_query(start: str, end: str, aggregate: str = "DAY") -> str:
    return (
        "query { analytics_salesAndTraffic_2024_04_24 { salesAndTrafficByDate("
        f'startDate: "{start}" endDate: "{end}" aggregateBy: {aggregate} marketplaceIds: ["{US}"]) '
        "{ startDate endDate marketplaceId"
        " sales { unitsOrdered orderedProductSales { amount currencyCode } } } } }"
    )


def day(state: EmulatorState, days_back: int) -> str:
    return (datetime.fromtimestamp(state.clock.time(), UTC) - timedelta(days=days_back)).date().isoformat()


async def create(client: httpx.AsyncClient, token: str, query: str) -> str:
    r = await client.post("/dataKiosk/2023-11-15/queries", json={"query": query}, headers=auth(token))
    assert r.status_code == 202, r.text
    validate("dataKiosk", r)
    query_id: str = r.json()["queryId"]
    return query_id


async def get(client: httpx.AsyncClient, token: str, query_id: str) -> dict[str, Any]:
    r = await client.get(f"/dataKiosk/2023-11-15/queries/{query_id}", headers=auth(token))
    assert r.status_code == 200, r.text
    validate("dataKiosk", r)
    body: dict[str, Any] = r.json()
    return body


async def fetch(client: httpx.AsyncClient, token: str, document_id: str) -> str:
    r = await client.get(f"/dataKiosk/2023-11-15/documents/{document_id}", headers=auth(token))
    assert r.status_code == 200, r.text
    validate("dataKiosk", r)
    raw = await client.get(r.json()["documentUrl"])
    assert raw.status_code == 200
    return raw.text


async def test_query_returns_json_lines_matching_the_orders(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    start, end = day(state, 40), day(state, 10)
    query_id = await create(client, token, by_date_query(start, end))
    assert (await get(client, token, query_id))["processingStatus"] == "IN_QUEUE"
    state.clock.advance(61)
    query = await get(client, token, query_id)
    assert query["processingStatus"] == "DONE" and "dataDocumentId" in query
    lines = (await fetch(client, token, query["dataDocumentId"])).splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 31
    assert set(records[0]) == {"startDate", "endDate", "marketplaceId", "sales"}
    assert set(records[0]["sales"]) == {"unitsOrdered", "orderedProductSales"}
    seller = state.seller(DEMO_SELLER_ID)
    assert seller is not None
    at = state.clock.time()
    expected = sum(
        o.units()
        for o in seller.orders
        if o.marketplace_id == US
        and start <= datetime.fromtimestamp(o.purchase_ts, UTC).date().isoformat() <= end
        and o.status_at(at) != "Canceled"
    )
    assert expected > 0
    assert sum(r["sales"]["unitsOrdered"] for r in records) == expected


async def test_week_aggregation_and_asin_dataset(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    weekly = await create(client, token, by_date_query(day(state, 60), day(state, 1), "WEEK"))
    asin = await create(
        client,
        token,
        "query { analytics_salesAndTraffic_2024_04_24 { salesAndTrafficByAsin("
        f'startDate: "{day(state, 60)}" endDate: "{day(state, 1)}" '
        f'aggregateBy: SKU marketplaceIds: ["{US}"]) '
        "{ childAsin sku sales { unitsOrdered } traffic { sessions } } } }",
    )
    state.clock.advance(61)
    weeks = [
        json.loads(x)
        for x in (
            await fetch(client, token, (await get(client, token, weekly))["dataDocumentId"])
        ).splitlines()
    ]
    assert 7 <= len(weeks) <= 9
    # Whole weeks only, Sunday to Saturday: the schema narrows a mid-week start and end.
    assert all(datetime.fromisoformat(w["startDate"]).isoweekday() == 7 for w in weeks)
    assert all(datetime.fromisoformat(w["endDate"]).isoweekday() == 6 for w in weeks)
    asins = [
        json.loads(x)
        for x in (await fetch(client, token, (await get(client, token, asin))["dataDocumentId"])).splitlines()
    ]
    assert asins and all(a["sku"] and a["traffic"]["sessions"] >= 1 for a in asins)
    # By ASIN covers the whole range, the weeks only the whole weeks inside it.
    assert sum(a["sales"]["unitsOrdered"] for a in asins) >= sum(w["sales"]["unitsOrdered"] for w in weeks)


async def test_invalid_queries(client: httpx.AsyncClient, state: EmulatorState, token: str) -> None:
    r = await client.post(
        "/dataKiosk/2023-11-15/queries", json={"query": "query { nope"}, headers=auth(token)
    )
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "InvalidInput"
    validate("dataKiosk", r)
    # An unknown dataset is refused at creation, as the official example answers.
    r = await client.post(
        "/dataKiosk/2023-11-15/queries",
        json={"query": "query { analytics_unknown_2020_01_01 { x } }"},
        headers=auth(token),
    )
    assert r.status_code == 400 and "analytics_unknown_2020_01_01" in r.json()["errors"][0]["details"]
    validate("dataKiosk", r)
    unknown_field = await create(
        client,
        token,
        by_date_query(day(state, 5), day(state, 1)).replace("unitsOrdered", "unitsOrdered bogusField"),
    )
    bad_args = await create(client, token, by_date_query(day(state, 1), day(state, 5)))
    state.clock.advance(61)
    for query_id, words in ((unknown_field, "bogusField"), (bad_args, "startDate")):
        query = await get(client, token, query_id)
        assert query["processingStatus"] == "FATAL" and "dataDocumentId" not in query
        error = json.loads(await fetch(client, token, query["errorDocumentId"]))
        assert words in error["errorMessage"]


async def test_no_data_cancel_and_list(client: httpx.AsyncClient, state: EmulatorState, token: str) -> None:
    empty = await create(client, token, by_date_query(day(state, -3), day(state, -5)))
    queued = await create(client, token, by_date_query(day(state, 20), day(state, 10)))
    r = await client.delete(f"/dataKiosk/2023-11-15/queries/{queued}", headers=auth(token))
    assert r.status_code == 204
    validate("dataKiosk", r)
    again = await client.delete(f"/dataKiosk/2023-11-15/queries/{queued}", headers=auth(token))
    assert again.status_code == 204
    state.clock.advance(61)
    done = await get(client, token, empty)
    assert done["processingStatus"] == "DONE" and "dataDocumentId" not in done
    assert (await get(client, token, queued))["processingStatus"] == "CANCELLED"
    r = await client.get("/dataKiosk/2023-11-15/queries", params={"pageSize": 1}, headers=auth(token))
    assert r.status_code == 200
    validate("dataKiosk", r)
    first = r.json()
    assert [q["queryId"] for q in first["queries"]] == [queued]
    token_value = first["pagination"]["nextToken"]
    r = await client.get(
        "/dataKiosk/2023-11-15/queries",
        params={"pageSize": 5, "paginationToken": token_value},
        headers=auth(token),
    )
    validate("dataKiosk", r)
    assert [q["queryId"] for q in r.json()["queries"]] == [empty] and "pagination" not in r.json()
    mismatch = await client.get(
        "/dataKiosk/2023-11-15/queries",
        params={"processingStatuses": "DONE", "paginationToken": token_value},
        headers=auth(token),
    )
    assert mismatch.status_code == 400
    missing = await client.get("/dataKiosk/2023-11-15/queries/42", headers=auth(token))
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "NotFound"
    validate("dataKiosk", missing)
