"""The parsed rows of the catalogue's report types, for the panel's tables and charts.

`GET /api/reports/data/{report_type}`: a tenant's rows in keyset pages, newest first for dated
types (by SKU for snapshots), with the columns (label and type) that describe them. Sales and
traffic serve their by-date rows, or the by-ASIN rows with `view=by_asin`.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic_core import to_json

from app.db.dependencies import SessionDep, reads_only
from app.kit.errors import ERROR_RESPONSES
from app.reports.rows_repository import RowFilters
from app.reports.rows_schemas import ReportRowsPage
from app.reports.rows_service import ReportRowsService
from app.tenants.dependencies import TenantMember

router = APIRouter(prefix="/reports/data", tags=["reports"])


@router.get("/{report_type}", response_model=ReportRowsPage, responses=ERROR_RESPONSES)
@reads_only
async def report_rows(
    report_type: str,
    access: TenantMember,
    session: SessionDep,
    connection_id: Annotated[uuid.UUID | None, Query(description="Only this Amazon connection")] = None,
    marketplace_id: Annotated[str | None, Query(description="Marketplace id, e.g. ATVPDKIKX0DER")] = None,
    date_from: Annotated[date | None, Query(description="On or after this day (the type's date)")] = None,
    date_to: Annotated[date | None, Query(description="On or before this day (inclusive)")] = None,
    sku: Annotated[str | None, Query(description="A SKU (or ASIN / FNSKU where the type has them)")] = None,
    view: Annotated[str | None, Query(description="Sales and traffic: by_date (default) or by_asin")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
) -> Response:
    """One page of a report type's rows; 404 for an unknown type or a type whose rows are not kept here."""
    filters = RowFilters(
        tenant_id=access.tenant_id,
        connection_id=connection_id,
        marketplace_id=marketplace_id or None,
        date_from=date_from,
        date_to=date_to,
        sku=sku or None,
    )
    page = await ReportRowsService(session).page(report_type, view, filters, cursor=cursor, limit=limit)
    # Serialised once by pydantic-core: decimals as exact strings, dates and times ISO-8601.
    return Response(to_json(page), media_type="application/json")
