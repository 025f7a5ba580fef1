"""Sales and traffic through the Reports API (one JSON document) and through Data Kiosk (JSON Lines):
the same rows in the same tables under the same keys; the Data Kiosk query checked against the
official GraphQL schema."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import graphql
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.reports.catalogue import CATALOGUE, get_kind
from tests.amazon.contract import models_dir
from tests.factories.connections import Seller
from tests.reports.conftest import US, make_report, stream, target

KIND = get_kind("GET_SALES_AND_TRAFFIC_REPORT")
START, END = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, 23, 59, 59, tzinfo=UTC)


def usd(amount: float) -> dict[str, Any]:
    return {"amount": amount, "currencyCode": "USD"}


def report_document() -> bytes:
    """As sellerSalesAndTrafficReport.json describes it (DAY, CHILD), pretty-printed as Amazon's is."""
    day = {
        "date": "2026-03-01",
        "salesByDate": {
            "orderedProductSales": usd(238.44),
            "unitsOrdered": 23,
            "totalOrderItems": 20,
            "averageSalesPerOrderItem": usd(11.92),
            "averageUnitsPerOrderItem": 1.15,
            "averageSellingPrice": usd(10.37),
            "unitsRefunded": 1,
            "refundRate": 4.35,
            "claimsGranted": 0,
            "claimsAmount": usd(0.0),
            "shippedProductSales": usd(650.72),
            "unitsShipped": 59,
            "ordersShipped": 54,
        },
        "trafficByDate": {
            "browserPageViews": 1158,
            "mobileAppPageViews": 500,
            "pageViews": 1658,
            "browserSessions": 906,
            "mobileAppSessions": 94,
            "sessions": 1000,
            "buyBoxPercentage": 10.54,
            "orderItemSessionPercentage": 2.21,
            "unitSessionPercentage": 2.54,
            "averageOfferCount": 9686,
            "averageParentItems": 9630,
            "feedbackReceived": 10,
            "negativeFeedbackReceived": 1,
            "receivedNegativeFeedbackRate": 10.0,
        },
    }
    second = json.loads(json.dumps(day))
    second["date"] = "2026-03-02"
    second["salesByDate"]["unitsOrdered"] = 18
    asin = {
        "parentAsin": "B0PARENT01",
        "childAsin": "B0CHILD001",
        "salesByAsin": {"unitsOrdered": 3, "orderedProductSales": usd(26.25), "totalOrderItems": 2},
        "trafficByAsin": {
            "browserSessions": 8,
            "mobileAppSessions": 5,
            "sessions": 13,
            "browserSessionPercentage": 0.33,
            "mobileAppSessionPercentage": 0.1,
            "sessionPercentage": 0.2,
            "browserPageViews": 21,
            "mobileAppPageViews": 12,
            "pageViews": 33,
            "browserPageViewsPercentage": 0.41,
            "mobileAppPageViewsPercentage": 0.25,
            "pageViewsPercentage": 0.32,
            "buyBoxPercentage": 0.0,
            "unitSessionPercentage": 37.5,
        },
    }
    document = {
        "reportSpecification": {
            "reportType": "GET_SALES_AND_TRAFFIC_REPORT",
            "reportOptions": {"dateGranularity": "DAY", "asinGranularity": "CHILD"},
            "dataStartTime": "2026-03-01",
            "dataEndTime": "2026-03-02",
            "marketplaceIds": [US],
        },
        "salesAndTrafficByDate": [day, second],
        "salesAndTrafficByAsin": [asin],
    }
    return json.dumps(document, indent=2).encode()


def datakiosk_document() -> bytes:
    """The query's JSON Lines: by-date records, then by-ASIN records (with their shipped figures)."""
    day = {
        "startDate": "2026-03-01",
        "endDate": "2026-03-01",
        "marketplaceId": US,
        "sales": {
            "orderedProductSales": usd(240.0),
            "unitsOrdered": 24,
            "totalOrderItems": 21,
            "averageSalesPerOrderItem": usd(11.43),
            "averageUnitsPerOrderItem": 1.14,
            "averageSellingPrice": usd(10.0),
            "unitsRefunded": 1,
            "refundRate": 4.17,
            "claimsGranted": 0,
            "claimsAmount": usd(0.0),
            "shippedProductSales": usd(650.72),
            "unitsShipped": 59,
            "ordersShipped": 54,
        },
        "traffic": {
            "pageViews": 1700,
            "sessions": 1010,
            "buyBoxPercentage": 10.5,
            "unitSessionPercentage": 2.38,
        },
    }
    asin = {
        "startDate": "2026-03-01",
        "endDate": "2026-03-02",
        "marketplaceId": US,
        "parentAsin": "B0PARENT01",
        "childAsin": "B0CHILD001",
        "sku": None,
        "sales": {
            "orderedProductSales": usd(26.25),
            "unitsOrdered": 3,
            "totalOrderItems": 2,
            "unitsShipped": 3,
            "ordersShipped": 2,
            "shippedProductSales": usd(26.25),
            "unitsRefunded": 0,
            "refundRate": 0.0,
        },
        "traffic": {
            "sessions": 14,
            "pageViews": 35,
            "buyBoxPercentage": 100.0,
            "unitSessionPercentage": 21.43,
        },
    }
    return "".join(json.dumps(r) + "\n" for r in (day, asin)).encode()


async def table(session: AsyncSession, name: str) -> list[dict[str, Any]]:
    result = await session.execute(text(f"SELECT * FROM {name} ORDER BY start_date, id"))
    return [dict(r._mapping) for r in result]


async def test_the_report_document_loads_by_date_and_by_asin(
    session: AsyncSession, seller: Seller, uow: Any
) -> None:
    assert KIND.loader is not None
    report_id = await make_report(session, seller, KIND.report_type)
    loaded = await KIND.loader.load(
        uow, target(seller, report_id, start=START, end=END), stream(report_document()), "report"
    )
    assert loaded == 3
    days = await table(session, "report_sales_traffic_by_date")
    assert [(d["start_date"], d["end_date"], d["units_ordered"]) for d in days] == [
        (date(2026, 3, 1), date(2026, 3, 1), 23),
        (date(2026, 3, 2), date(2026, 3, 2), 18),
    ]
    first = days[0]
    assert first["ordered_product_sales"] == Decimal("238.44") and first["currency"] == "USD"
    assert first["sessions"] == 1000 and first["buy_box_percentage"] == Decimal("10.54")
    assert first["granularity"] == "DAY" and first["marketplace_id"] == US and first["source"] == "report"
    (asin,) = await table(session, "report_sales_traffic_by_asin")
    assert (asin["parent_asin"], asin["child_asin"], asin["sku"]) == ("B0PARENT01", "B0CHILD001", "")
    assert (asin["start_date"], asin["end_date"]) == (date(2026, 3, 1), date(2026, 3, 2))
    assert asin["units_ordered"] == 3 and asin["unit_session_percentage"] == Decimal("37.5")
    assert asin["units_shipped"] is None  # the report's salesByAsin has no shipped figures

    again = await KIND.loader.load(uow, target(seller, report_id), stream(report_document(), 64), "report")
    assert again == 3
    assert await table(session, "report_sales_traffic_by_date") == days


async def test_data_kiosk_rows_of_the_same_day_land_on_the_report_rows(
    session: AsyncSession, seller: Seller, uow: Any
) -> None:
    assert KIND.loader is not None
    by_report = await make_report(session, seller, KIND.report_type)
    await KIND.loader.load(
        uow, target(seller, by_report, start=START, end=END), stream(report_document()), "report"
    )
    before = {d["start_date"]: d for d in await table(session, "report_sales_traffic_by_date")}
    by_kiosk = await make_report(session, seller, KIND.report_type, via="datakiosk")
    loaded = await KIND.loader.load(
        uow, target(seller, by_kiosk, start=START, end=END), stream(datakiosk_document()), "datakiosk"
    )
    assert loaded == 2
    days = {d["start_date"]: d for d in await table(session, "report_sales_traffic_by_date")}
    assert len(days) == 2
    march_1 = days[date(2026, 3, 1)]
    assert march_1["id"] == before[date(2026, 3, 1)]["id"]  # updated in place, not duplicated
    assert (
        march_1["units_ordered"] == 24
        and march_1["source"] == "datakiosk"
        and march_1["report_id"] == by_kiosk
    )
    assert days[date(2026, 3, 2)] == before[date(2026, 3, 2)]  # not in the query's answer: untouched
    (asin,) = await table(session, "report_sales_traffic_by_asin")
    assert asin["units_shipped"] == 3 and asin["sessions"] == 14 and asin["source"] == "datakiosk"

    # The report again: its by-ASIN figures win, Data Kiosk's shipped figures it lacks are kept.
    await KIND.loader.load(
        uow, target(seller, by_report, start=START, end=END), stream(report_document()), "report"
    )
    (asin,) = await table(session, "report_sales_traffic_by_asin")
    assert asin["sessions"] == 13 and asin["units_shipped"] == 3 and asin["source"] == "report"


def test_the_data_kiosk_query_is_valid_against_the_official_schema() -> None:
    """Every field and argument the query names exists in the official schema, with the right types
    (graphql-core validates the query against the SDL read from the shared models at test time)."""
    equivalent = KIND.datakiosk
    assert equivalent is not None and equivalent.dataset == "analytics_salesAndTraffic_2024_04_24"
    sdl = (models_dir() / "sp-api" / "datakiosk-schemas" / f"{equivalent.dataset}.graphql").read_text()
    schema = graphql.build_schema(sdl)
    query = equivalent.query(US, date(2026, 3, 1), date(2026, 3, 31))
    assert graphql.validate(schema, graphql.parse(query)) == []
    assert len(" ".join(query.split())) <= 8000  # Data Kiosk's limit
    names = {f.name.value for f in _fields(graphql.parse(query))}
    # The loader's columns are all asked for.
    assert {"unitsShipped", "refundRate", "buyBoxPercentage", "sessionPercentage", "childAsin"} <= names


def _fields(node: Any) -> list[Any]:
    found: list[Any] = []

    class Visitor(graphql.Visitor):
        def enter_field(self, field: Any, *_: Any) -> None:
            found.append(field)

    graphql.visit(node, Visitor())
    return found


def test_every_catalogue_type_says_where_its_rows_go() -> None:
    for report_type, kind in CATALOGUE.items():
        assert kind.report_type == report_type and kind.tables
        if kind.needs_dates and kind.requestable:
            assert kind.max_range_days and kind.max_age_days
        assert (kind.loader is None) == (kind.tables[0] == "orders")
    assert {k for k, v in CATALOGUE.items() if v.requestable} == {
        "GET_SALES_AND_TRAFFIC_REPORT",
        "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
        "GET_MERCHANT_LISTINGS_ALL_DATA",
        "GET_FBA_FULFILLMENT_CUSTOMER_RETURNS_DATA",
    }
