"""GET /api/reports/data/{report_type}: keyset pages, filters, columns, views, tenant isolation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.reports.catalogue import get_kind
from app.reports.rows_schemas import ReportRowsPage
from tests.auth.helpers import as_user, sign_up
from tests.factories.connections import Seller, make_connection
from tests.reports.conftest import US, make_report, stream, target, tsv
from tests.reports.test_flat_file_loaders import LISTINGS_HEADER, RETURNS_HEADER, listing
from tests.reports.test_sales_traffic import datakiosk_document, report_document

URL = "/api/reports/data"


async def tenant_with_rows(
    client: httpx.AsyncClient, session: AsyncSession, uow: Any, name: str = "Acme"
) -> Seller:
    response = await client.post("/api/tenants", json={"name": name})
    assert response.status_code == 201, response.text
    tenant_id = uuid.UUID(response.json()["id"])
    seller = Seller(tenant_id, (await make_connection(session, tenant_id)).id)
    listings = get_kind("GET_MERCHANT_LISTINGS_ALL_DATA")
    assert listings.loader is not None
    document = tsv(LISTINGS_HEADER, *(listing(f"SKU-{n:08d}", f"{n}.50", str(n)) for n in range(7)))
    report_id = await make_report(session, seller, listings.report_type)
    await listings.loader.load(uow, target(seller, report_id), stream(document, 4096), "report")
    returns = get_kind("GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA")
    assert returns.loader is not None
    lines = [
        f"2026-03-{day:02d}T08:00:00+00:00\t111-{day:07d}-0000001\tSKU-{day:08d}\tB0{day:08d}\tX0{day:08d}\t"
        f"Bottle\t1\tSDF8\tSELLABLE\tUNWANTED_ITEM\tUnit returned to inventory\tLPN{n:09d}\t"
        for n, day in enumerate((1, 2, 2, 3, 5))
    ]
    report_id = await make_report(session, seller, returns.report_type)
    await returns.loader.load(
        uow, target(seller, report_id), stream(tsv(RETURNS_HEADER, *lines), 4096), "report"
    )
    return seller


async def pages(client: httpx.AsyncClient, report_type: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = await client.get(
            f"{URL}/{report_type}", params={**params, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200, response.text
        body = ReportRowsPage.model_validate(response.json())
        seen.extend(body.rows)
        cursor = body.next_cursor
        if not cursor:
            return seen


async def test_listings_pages_cover_every_row_once_in_sku_order(
    client: httpx.AsyncClient, session: AsyncSession, uow: Any
) -> None:
    await sign_up(client)
    seller = await tenant_with_rows(client, session, uow)
    response = await client.get(
        f"{URL}/GET_MERCHANT_LISTINGS_ALL_DATA", params={"tenant_id": str(seller.tenant_id)}
    )
    body = response.json()
    assert body["report_type"] == "GET_MERCHANT_LISTINGS_ALL_DATA" and body["table"] == "report_listings"
    columns = {c["key"]: c for c in body["columns"]}
    assert columns["price"] == {"key": "price", "label": "Price", "type": "money"}
    assert columns["open_date"]["type"] == "datetime" and columns["quantity"]["type"] == "number"
    first = body["rows"][0]
    assert first["seller_sku"] == "SKU-00000000" and first["price"] == "0.50" and first["currency"] == "USD"
    assert first["open_date"] == "2023-01-12T16:10:12Z"

    rows = await pages(
        client, "GET_MERCHANT_LISTINGS_ALL_DATA", {"tenant_id": str(seller.tenant_id), "limit": 3}
    )
    assert [r["seller_sku"] for r in rows] == [f"SKU-{n:08d}" for n in range(7)]
    only = await pages(
        client, "GET_MERCHANT_LISTINGS_ALL_DATA", {"tenant_id": str(seller.tenant_id), "sku": "SKU-00000004"}
    )
    assert [r["quantity"] for r in only] == [4]


async def test_dated_rows_come_newest_first_and_filter_by_day(
    client: httpx.AsyncClient, session: AsyncSession, uow: Any
) -> None:
    await sign_up(client)
    seller = await tenant_with_rows(client, session, uow)
    params = {"tenant_id": str(seller.tenant_id), "limit": 2}
    rows = await pages(client, "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA", params)
    assert [r["return_date"][:10] for r in rows] == [
        "2026-03-05",
        "2026-03-03",
        "2026-03-02",
        "2026-03-02",
        "2026-03-01",
    ]
    assert "line_key" not in rows[0]  # a key's internals are not served
    ranged = await pages(
        client,
        "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
        {**params, "date_from": "2026-03-02", "date_to": "2026-03-03", "marketplace_id": US},
    )
    assert [r["return_date"][:10] for r in ranged] == ["2026-03-03", "2026-03-02", "2026-03-02"]
    other_connection = await pages(
        client, "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA", {**params, "connection_id": str(uuid.uuid4())}
    )
    assert other_connection == []


async def test_sales_and_traffic_by_date_and_by_asin(
    client: httpx.AsyncClient, session: AsyncSession, uow: Any
) -> None:
    await sign_up(client)
    seller = await tenant_with_rows(client, session, uow)
    kind = get_kind("GET_SALES_AND_TRAFFIC_REPORT")
    assert kind.loader is not None
    start, end = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)
    by_report = await make_report(session, seller, kind.report_type)
    by_kiosk = await make_report(session, seller, kind.report_type, via="datakiosk")
    report_rows = stream(report_document(), 512)
    await kind.loader.load(uow, target(seller, by_report, start=start, end=end), report_rows, "report")
    kiosk_rows = stream(datakiosk_document(), 512)
    await kind.loader.load(uow, target(seller, by_kiosk, start=start, end=end), kiosk_rows, "datakiosk")
    tenant = {"tenant_id": str(seller.tenant_id)}
    by_date = (await client.get(f"{URL}/{kind.report_type}", params=tenant)).json()
    assert by_date["table"] == "report_sales_traffic_by_date"
    assert [(r["start_date"], r["units_ordered"], r["source"]) for r in by_date["rows"]] == [
        ("2026-03-02", 18, "report"),
        ("2026-03-01", 24, "datakiosk"),
    ]
    types = {c["key"]: c["type"] for c in by_date["columns"]}
    assert types["ordered_product_sales"] == "money" and types["refund_rate"] == "percent"
    by_asin = (await client.get(f"{URL}/{kind.report_type}", params={**tenant, "view": "by_asin"})).json()
    assert by_asin["table"] == "report_sales_traffic_by_asin"
    assert [r["child_asin"] for r in by_asin["rows"]] == ["B0CHILD001"]
    bad_view = await client.get(f"{URL}/{kind.report_type}", params={**tenant, "view": "by_week"})
    assert bad_view.status_code == 422


async def test_unknown_types_types_without_rows_and_bad_cursors(client: httpx.AsyncClient) -> None:
    await sign_up(client)
    tenant_id = (await client.post("/api/tenants", json={"name": "Acme"})).json()["id"]
    unknown = await client.get(f"{URL}/GET_NOTHING", params={"tenant_id": tenant_id})
    assert unknown.status_code == 404 and "unknown report type" in unknown.json()["error"]["message"]
    orders = await client.get(
        f"{URL}/GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL", params={"tenant_id": tenant_id}
    )
    assert orders.status_code == 404 and "orders" in orders.json()["error"]["message"]
    empty = await client.get(
        f"{URL}/GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2", params={"tenant_id": tenant_id}
    )
    assert empty.status_code == 200 and empty.json()["rows"] == [] and empty.json()["next_cursor"] is None
    cursor = await client.get(
        f"{URL}/GET_MERCHANT_LISTINGS_ALL_DATA", params={"tenant_id": tenant_id, "cursor": "not-a-cursor"}
    )
    assert cursor.status_code == 422


async def test_another_tenants_member_gets_nothing(
    client: httpx.AsyncClient, session: AsyncSession, uow: Any
) -> None:
    await sign_up(client)
    seller = await tenant_with_rows(client, session, uow)
    other = as_user(client)
    await sign_up(other)
    other_tenant = (await other.post("/api/tenants", json={"name": "Other"})).json()["id"]
    for report_type in ("GET_MERCHANT_LISTINGS_ALL_DATA", "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA"):
        foreign = await other.get(f"{URL}/{report_type}", params={"tenant_id": str(seller.tenant_id)})
        assert foreign.status_code == 404
        own = await other.get(
            f"{URL}/{report_type}",
            params={"tenant_id": other_tenant, "connection_id": str(seller.connection_id)},
        )
        assert own.status_code == 200 and own.json()["rows"] == []
    anonymous = as_user(client)
    assert (
        await anonymous.get(
            f"{URL}/GET_MERCHANT_LISTINGS_ALL_DATA", params={"tenant_id": str(seller.tenant_id)}
        )
    ).status_code == 401
