# stand-in: replaced by the loader branch at merge
"""The report catalogue (stand-in of the loader branch's file, same names and dataclasses as the
contract): only what the flow's tests need. The integrator takes the loader branch's file."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncSession]]


@dataclass(frozen=True)
class LoadTarget:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    report_id: uuid.UUID
    marketplace_ids: tuple[str, ...]
    data_start: datetime | None
    data_end: datetime | None


class RowLoader(Protocol):
    async def load(
        self,
        uow: UnitOfWork,
        target: LoadTarget,
        chunks: AsyncIterator[bytes],
        via: Literal["report", "datakiosk"],
    ) -> int: ...


@dataclass(frozen=True)
class DataKioskEquivalent:
    dataset: str

    def query(self, marketplace_id: str, start: date, end: date) -> str:
        return (
            f"query {{ {self.dataset} {{ salesAndTrafficByDate(aggregateBy: DAY, "
            f'startDate: "{start.isoformat()}", endDate: "{end.isoformat()}", '
            f'marketplaceIds: ["{marketplace_id}"]) '
            "{ startDate endDate marketplaceId "
            "sales { orderedProductSales { amount currencyCode } unitsOrdered totalOrderItems } "
            "traffic { pageViews sessions } } } }"
        )


@dataclass(frozen=True)
class ReportKind:
    report_type: str
    title: str
    description: str
    requestable: bool
    format: Literal["tsv", "json", "xml"]
    content_type: str
    file_extension: str
    needs_dates: bool
    max_range_days: int | None
    max_age_days: int | None
    single_marketplace: bool
    report_options: Mapping[str, str] = field(default_factory=dict)
    datakiosk: DataKioskEquivalent | None = None
    tables: tuple[str, ...] = ()
    loader: RowLoader | None = None


TSV = "text/tab-separated-values; charset=utf-8"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"

CATALOGUE: dict[str, ReportKind] = {
    kind.report_type: kind
    for kind in (
        ReportKind(
            report_type="GET_SALES_AND_TRAFFIC_REPORT",
            title="Sales and traffic",
            description="Sales and traffic by date and by ASIN.",
            requestable=True,
            format="json",
            content_type="application/json",
            file_extension="json",
            needs_dates=True,
            max_range_days=31,
            max_age_days=730,
            single_marketplace=True,
            report_options={"dateGranularity": "DAY", "asinGranularity": "CHILD"},
            datakiosk=DataKioskEquivalent("analytics_salesAndTraffic_2024_04_24"),
        ),
        ReportKind(
            report_type="GET_MERCHANT_LISTINGS_ALL_DATA",
            title="All listings",
            description="Every listing of the seller.",
            requestable=True,
            format="tsv",
            content_type=TSV,
            file_extension="tsv",
            needs_dates=False,
            max_range_days=None,
            max_age_days=None,
            single_marketplace=True,
        ),
        ReportKind(
            report_type=SETTLEMENT,
            title="Settlements",
            description="Amazon's settlement reports (scheduled by Amazon).",
            requestable=False,
            format="tsv",
            content_type=TSV,
            file_extension="tsv",
            needs_dates=False,
            max_range_days=None,
            max_age_days=None,
            single_marketplace=False,
        ),
        ReportKind(
            report_type="GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL",
            title="Orders by order date",
            description="The orders sync reads it.",
            requestable=False,
            format="tsv",
            content_type=TSV,
            file_extension="tsv",
            needs_dates=True,
            max_range_days=30,
            max_age_days=730,
            single_marketplace=False,
        ),
    )
}


def get_kind(report_type: str) -> ReportKind:
    return CATALOGUE[report_type]
