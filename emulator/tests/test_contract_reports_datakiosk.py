"""Reports and Data Kiosk against Amazon's official models, read at test time (skips without them):

* every Reports and Data Kiosk operation, success and error, validated with openapi-core (strict objects);
* the sales and traffic document against ``reports-schemas/sellerSalesAndTrafficReport.json``;
* the emulator's Data Kiosk type systems against the official ``.graphql`` files, and every record of a query
  selecting *every* field of a dataset checked field by field against the official schema's types.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
)

from amazon_emulator.apis._datakiosk_sdl import SCHEMAS
from amazon_emulator.config import DEMO_SELLER_ID
from amazon_emulator.state import EmulatorState

from emulator_contract import require_models, validate
from emulator_helpers import US, auth, days_ago
from report_helpers import create, download, get


@pytest.fixture(autouse=True)
def models() -> Path:
    return require_models()


def official_schema(models: Path, dataset: str) -> GraphQLSchema:
    return build_schema((models / "sp-api" / "datakiosk-schemas" / f"{dataset}.graphql").read_text())


def _shape(schema: GraphQLSchema) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, kind in schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(kind, GraphQLObjectType | GraphQLInputObjectType):
            out[name] = {
                f: (str(d.type), {a: str(v.type) for a, v in getattr(d, "args", {}).items()})
                for f, d in kind.fields.items()
            }
        elif isinstance(kind, GraphQLEnumType):
            out[name] = sorted(kind.values)
        else:
            out[name] = "scalar"
    return out


@pytest.mark.parametrize("dataset", sorted(SCHEMAS))
def test_datakiosk_type_systems_match_the_official_schemas(models: Path, dataset: str) -> None:
    assert _shape(SCHEMAS[dataset]) == _shape(official_schema(models, dataset))


def _unwrap(kind: Any) -> Any:
    while isinstance(kind, GraphQLNonNull | GraphQLList):
        kind = kind.of_type
    return kind


def every_field(kind: GraphQLObjectType) -> str:
    """A selection set of every field of ``kind``, recursively."""
    parts = []
    for name, field in kind.fields.items():
        inner = _unwrap(field.type)
        parts.append(f"{name} {every_field(inner)}" if isinstance(inner, GraphQLObjectType) else name)
    return "{ " + " ".join(parts) + " }"


def check_value(value: Any, kind: Any, path: str) -> None:
    """``value`` is what the official type ``kind`` allows (nulls, lists, objects' field names, scalars)."""
    if isinstance(kind, GraphQLNonNull):
        assert value is not None, f"{path} is non-null in the schema"
        return check_value(value, kind.of_type, path)
    if value is None:
        return None
    if isinstance(kind, GraphQLList):
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            check_value(item, kind.of_type, f"{path}[{i}]")
        return None
    if isinstance(kind, GraphQLObjectType):
        assert isinstance(value, dict), path
        unknown = set(value) - set(kind.fields)
        assert not unknown, f"{path}: fields not in {kind.name}: {unknown}"
        for name, field in kind.fields.items():
            check_value(value.get(name), field.type, f"{path}.{name}")
        return None
    if isinstance(kind, GraphQLEnumType):
        assert value in kind.values, path
        return None
    assert isinstance(kind, GraphQLScalarType)
    expected = {"Float": (int, float), "Long": int, "Int": int, "String": str, "Date": str, "Boolean": bool}
    assert isinstance(value, expected[kind.name]), f"{path}: {value!r} is not a {kind.name}"
    return None


async def run_query(client: httpx.AsyncClient, state: EmulatorState, token: str, query: str) -> list[Any]:
    r = await client.post("/dataKiosk/2023-11-15/queries", json={"query": query}, headers=auth(token))
    assert r.status_code == 202, r.text
    validate("dataKiosk", r)
    state.clock.advance(61)
    r = await client.get(f"/dataKiosk/2023-11-15/queries/{r.json()['queryId']}", headers=auth(token))
    validate("dataKiosk", r)
    body = r.json()
    assert body["processingStatus"] == "DONE", body
    r = await client.get(f"/dataKiosk/2023-11-15/documents/{body['dataDocumentId']}", headers=auth(token))
    assert r.status_code == 200
    validate("dataKiosk", r)
    content = await client.get(r.json()["documentUrl"])
    return [json.loads(line) for line in content.text.splitlines()]


def _dates(state: EmulatorState, back: int, to: int) -> str:
    return f'startDate: "{days_ago(state, back)[:10]}" endDate: "{days_ago(state, to)[:10]}"'


async def test_every_datakiosk_field_follows_the_official_schema(
    models: Path, client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    seller = state.sellers[DEMO_SELLER_ID]
    asins = sorted({i.product.asin for o in seller.orders[-200:] for i in o.items if o.marketplace_id == US})[
        :5
    ]
    dates = _dates(state, 70, 2)
    cases = {
        "analytics_salesAndTraffic_2024_04_24": {
            "salesAndTrafficByDate": f'(aggregateBy: WEEK, {dates}, marketplaceIds: ["{US}"])',
            "salesAndTrafficByAsin": f'(aggregateBy: SKU, {dates}, marketplaceIds: ["{US}"])',
            "salesAndTrafficTrends": (
                f"(asinAggregation: CHILD, dateAggregation: MONTH, {dates}, "
                f'filters: [{{marketplaceId: "{US}", asins: {json.dumps(asins)}}}])'
            ),
        },
        "analytics_economics_2024_03_15": {
            "economics": (
                f'(aggregateBy: {{date: RANGE, productId: MSKU}}, {dates}, marketplaceIds: ["{US}"])'
            ),
        },
    }
    for dataset, queries in cases.items():
        schema = official_schema(models, dataset)
        root = _unwrap(schema.query_type.fields[dataset].type)
        for field, args in queries.items():
            item = _unwrap(root.fields[field].type)
            records = await run_query(
                client, state, token, f"query {{ {dataset} {{ {field}{args} {every_field(item)} }} }}"
            )
            assert records, f"{dataset}.{field} has data for the demo seller"
            for i, record in enumerate(records):
                check_value(record, item, f"{field}[{i}]")


def _closed(node: Any) -> Any:
    """The JSON schema with ``additionalProperties: false`` on every object that lists properties."""
    node = copy.deepcopy(node)

    def walk(n: Any) -> None:
        if isinstance(n, dict):
            if n.get("type") == "object" and "properties" in n:
                n.setdefault("additionalProperties", False)
            for v in n.values():
                walk(v)
        elif isinstance(n, list):
            for v in n:
                walk(v)

    walk(node)
    return node


@pytest.mark.parametrize(("date_gran", "asin_gran"), [("DAY", "CHILD"), ("WEEK", "PARENT"), ("MONTH", "SKU")])
async def test_sales_and_traffic_document_follows_the_report_schema(
    models: Path, client: httpx.AsyncClient, state: EmulatorState, token: str, date_gran: str, asin_gran: str
) -> None:
    schema = json.loads(
        (models / "sp-api" / "reports-schemas" / "sellerSalesAndTrafficReport.json").read_text()
    )
    body = {
        "reportType": "GET_SALES_AND_TRAFFIC_REPORT",
        "marketplaceIds": [US],
        "dataStartTime": days_ago(state, 45),
        "dataEndTime": days_ago(state, 2),
        "reportOptions": {"dateGranularity": date_gran, "asinGranularity": asin_gran},
    }
    report_id = await create(client, token, body)
    state.clock.advance(61)
    report = await get(client, token, report_id)
    _, data = await download(client, token, report["reportDocumentId"])
    document = json.loads(data)
    jsonschema.validate(document, _closed(schema), format_checker=jsonschema.FormatChecker())
    assert document["salesAndTrafficByDate"] and document["salesAndTrafficByAsin"]


async def test_every_reports_operation_follows_the_model(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    types = {
        "GET_SALES_AND_TRAFFIC_REPORT": days_ago(state, 10),
        "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA": None,
        "GET_MERCHANT_LISTINGS_ALL_DATA": None,
        "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA": days_ago(state, 180),
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL": days_ago(state, 20),
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL": days_ago(state, 20),
        "GET_AFN_INVENTORY_DATA": None,
    }
    ids = {}
    for report_type, start in types.items():
        body: dict[str, Any] = {"reportType": report_type, "marketplaceIds": [US]}
        if start:
            body["dataStartTime"] = start
        ids[report_type] = await create(client, token, body)
    queued = await create(
        client, token, {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]}
    )
    r = await client.delete(f"/reports/2021-06-30/reports/{queued}", headers=auth(token))
    assert r.status_code == 200
    validate("reports", r)
    state.clock.advance(61)
    for report_type, report_id in ids.items():
        report = await get(client, token, report_id)
        expected = "CANCELLED" if report_type == "GET_AFN_INVENTORY_DATA" else "DONE"
        assert report["processingStatus"] == expected, report
        if expected == "DONE":
            await download(client, token, report["reportDocumentId"])  # validates getReportDocument
    r = await client.get(
        "/reports/2021-06-30/reports",
        params={
            "reportTypes": ",".join([*types, "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"]),
            "pageSize": 3,
        },
        headers=auth(token),
    )
    assert r.status_code == 200
    validate("reports", r)
    r = await client.get(
        "/reports/2021-06-30/reports", params={"nextToken": r.json()["nextToken"]}, headers=auth(token)
    )
    validate("reports", r)
    for bad in (
        client.get("/reports/2021-06-30/reports/notanid", headers=auth(token)),
        client.get("/reports/2021-06-30/reports/42", headers=auth(token)),
        client.delete(
            f"/reports/2021-06-30/reports/{ids['GET_MERCHANT_LISTINGS_ALL_DATA']}", headers=auth(token)
        ),
        client.get("/reports/2021-06-30/documents/amzn1.tortuga.4.na.unknown", headers=auth(token)),
        client.get("/reports/2021-06-30/reports", headers=auth(token)),
    ):
        r = await bad
        assert r.status_code in (400, 404), r.text
        validate("reports", r, request=False)


async def test_every_datakiosk_error_follows_the_model(client: httpx.AsyncClient, token: str) -> None:
    cases = (
        client.post("/dataKiosk/2023-11-15/queries", json={"query": "query { nope"}, headers=auth(token)),
        client.post(
            "/dataKiosk/2023-11-15/queries",
            json={"query": "query { analytics_x_2020 { a } }"},
            headers=auth(token),
        ),
        client.get("/dataKiosk/2023-11-15/queries/42", headers=auth(token)),
        client.get("/dataKiosk/2023-11-15/queries", params={"pageSize": 0}, headers=auth(token)),
        client.get("/dataKiosk/2023-11-15/documents/amzn1.tortuga.4.na.unknown", headers=auth(token)),
        client.delete("/dataKiosk/2023-11-15/queries/42", headers=auth(token)),
    )
    for call in cases:
        r = await call
        assert r.status_code in (400, 404), r.text
        validate("dataKiosk", r, request=False)
