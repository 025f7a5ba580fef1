"""Sales & traffic by day through Reports or Data Kiosk, one interface (FEATURE_USE_DATA_KIOSK).

`SalesAndTrafficSource(client, use_data_kiosk=...)` submits the same `SalesAndTrafficRequest` as either
GET_SALES_AND_TRAFFIC_REPORT or an `analytics_salesAndTraffic_2024_04_24` query, and yields the same
`SalesAndTrafficDay` rows from either document, so callers (and the panel's /api/reports contract) do
not change with the flag.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict

from app.amazon_http.jobs import JobStatus
from app.spapi.operations.datakiosk import DataKioskApi, QuerySpec
from app.spapi.operations.reports import ReportsApi, ReportSpec


class ReportsAndDataKiosk(Protocol):
    """The part of `SpApiClient` this module uses (operations never import the client itself)."""

    @property
    def reports(self) -> ReportsApi: ...

    @property
    def data_kiosk(self) -> DataKioskApi: ...


REPORT_TYPE = "GET_SALES_AND_TRAFFIC_REPORT"
DATASET = "analytics_salesAndTraffic_2024_04_24"


@dataclass(frozen=True)
class SalesAndTrafficRequest:
    marketplace_ids: Sequence[str]
    start: date
    end: date

    def report_spec(self) -> ReportSpec:
        return ReportSpec(
            REPORT_TYPE,
            list(self.marketplace_ids),
            datetime.combine(self.start, time.min, UTC),
            datetime.combine(self.end, time(23, 59, 59), UTC),
            {"dateGranularity": "DAY", "asinGranularity": "CHILD"},
        )

    def query(self) -> QuerySpec:
        markets = ", ".join(f'"{m}"' for m in self.marketplace_ids)
        return QuerySpec(
            f"query {{ {DATASET} {{ salesAndTrafficByDate(aggregateBy: DAY, "
            f'startDate: "{self.start.isoformat()}", endDate: "{self.end.isoformat()}", '
            f"marketplaceIds: [{markets}]) "
            "{ startDate endDate marketplaceId "
            "sales { orderedProductSales { amount currencyCode } unitsOrdered totalOrderItems } "
            "traffic { pageViews sessions } } } }"
        )


class Money(BaseModel):
    model_config = ConfigDict(frozen=True)
    amount: Decimal
    currency: str


class SalesAndTrafficDay(BaseModel):
    date: date
    marketplace_id: str | None
    ordered_product_sales: Money | None
    units_ordered: int
    total_order_items: int
    page_views: int | None
    sessions: int | None


def _money(value: Any) -> Money | None:
    if not isinstance(value, dict) or value.get("amount") is None:
        return None
    return Money(amount=Decimal(str(value["amount"])), currency=str(value.get("currencyCode") or ""))


def day_from_report(row: dict[str, Any], marketplace_id: str | None) -> SalesAndTrafficDay:
    sales, traffic = row.get("salesByDate") or {}, row.get("trafficByDate") or {}
    return SalesAndTrafficDay(
        date=date.fromisoformat(str(row["date"])[:10]),
        marketplace_id=marketplace_id,
        ordered_product_sales=_money(sales.get("orderedProductSales")),
        units_ordered=int(sales.get("unitsOrdered") or 0),
        total_order_items=int(sales.get("totalOrderItems") or 0),
        page_views=traffic.get("pageViews"),
        sessions=traffic.get("sessions"),
    )


def day_from_query(row: dict[str, Any]) -> SalesAndTrafficDay:
    sales, traffic = row.get("sales") or {}, row.get("traffic") or {}
    return SalesAndTrafficDay(
        date=date.fromisoformat(str(row["startDate"])[:10]),
        marketplace_id=row.get("marketplaceId"),
        ordered_product_sales=_money(sales.get("orderedProductSales")),
        units_ordered=int(sales.get("unitsOrdered") or 0),
        total_order_items=int(sales.get("totalOrderItems") or 0),
        page_views=traffic.get("pageViews"),
        sessions=traffic.get("sessions"),
    )


class SalesAndTrafficSource:
    """`AsyncDocumentSource[SalesAndTrafficRequest]` over Reports or Data Kiosk."""

    def __init__(self, client: ReportsAndDataKiosk, *, use_data_kiosk: bool) -> None:
        self._client = client
        self.use_data_kiosk = use_data_kiosk

    async def submit(self, request: SalesAndTrafficRequest, *, reuse: bool = True) -> str:
        if self.use_data_kiosk:
            return await self._client.data_kiosk.submit(request.query(), reuse=reuse)
        return await self._client.reports.submit(request.report_spec(), reuse=reuse)

    async def status(self, job_id: str) -> JobStatus:
        if self.use_data_kiosk:
            return await self._client.data_kiosk.status(job_id)
        return await self._client.reports.status(job_id)

    async def rows(self, status: JobStatus) -> AsyncIterator[dict[str, Any]]:
        async for day in self.days(status):
            yield day.model_dump(mode="json")

    async def days(self, status: JobStatus) -> AsyncIterator[SalesAndTrafficDay]:
        if self.use_data_kiosk:
            async for row in self._client.data_kiosk.rows(status):
                yield day_from_query(row)
            return
        async for document in self._client.reports.rows(status):
            # The document names its marketplaces; by-date rows carry none, so say which when
            # there is exactly one (works after a restart, when nothing of the submit is left).
            markets = (document.get("reportSpecification") or {}).get("marketplaceIds") or []
            market = markets[0] if len(markets) == 1 else None
            for row in document.get("salesAndTrafficByDate") or []:
                yield day_from_report(row, market)
