"""Reports: a tenant with an active seller connection, and report rows as the service records them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.reports.models import Report
from tests.factories.connections import make_connection
from tests.factories.tenants import make_tenant

US = "ATVPDKIKX0DER"
CA = "A2EUQ1WTGCTBG2"


@dataclass(frozen=True)
class ReportSeller:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID


async def make_report_seller(
    session: AsyncSession, *, account_id: str | None = None, marketplaces: list[str] | None = None
) -> ReportSeller:
    tenant = await make_tenant(session)
    connection = await make_connection(
        session, tenant.id, account_id=account_id, marketplaces=marketplaces or [US, CA], status="active"
    )
    return ReportSeller(tenant.id, connection.id)


async def make_report(
    session: AsyncSession,
    seller: ReportSeller,
    report_type: str,
    *,
    marketplace_ids: list[str] | None = None,
    data_start: datetime | None = None,
    data_end: datetime | None = None,
    **values: Any,
) -> Report:
    """A `reports` row as `ReportsService.create` leaves it (pending), without the catalogue's checks."""
    report = Report(
        tenant_id=seller.tenant_id,
        connection_id=seller.connection_id,
        report_type=report_type,
        marketplace_ids=marketplace_ids or [US],
        data_start=data_start,
        data_end=data_end,
        **{"status": "pending", **values},
    )
    session.add(report)
    await session.flush()
    return report
