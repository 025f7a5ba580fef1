"""Reports: ask Amazon for one (admins), follow it, download its stored document (members), and
recurring schedules. The document is streamed from our storage, never through Amazon's pre-signed
URL and never whole in memory."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BeforeValidator

from app.db.dependencies import SessionDep, reads_only
from app.documents.storage import StoredFileMissing, storage_from_settings
from app.kit.errors import ERROR_RESPONSES
from app.reports.repository import ReportFilters
from app.reports.schemas import (
    ReportCreate,
    ReportKindOut,
    ReportOut,
    ReportsPage,
    ReportStatus,
    ScheduleCreate,
    ScheduleOut,
)
from app.reports.service import NoDocument, ReportsService
from app.settings import Settings
from app.tenants.dependencies import TenantAdmin, TenantMember

router = APIRouter(prefix="/reports", tags=["reports"])


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.post("/create", status_code=202, response_model=ReportOut, responses=ERROR_RESPONSES)
async def create_report(
    body: ReportCreate, access: TenantAdmin, session: SessionDep, request: Request
) -> ReportOut:
    """Ask Amazon for a report (or a Data Kiosk query, with the tenant's flag on). Answers at once
    with the recorded request (status `pending`); follow it with `/reports/{id}/status`."""
    service = ReportsService(session, settings_of(request))
    return await service.create(access.tenant_id, body, user_id=access.user_id)


@router.get("", response_model=ReportsPage, responses=ERROR_RESPONSES)
@reads_only
async def list_reports(
    access: TenantMember,
    session: SessionDep,
    request: Request,
    connection_id: Annotated[uuid.UUID | None, Query(description="Only this Amazon connection")] = None,
    report_type: Annotated[str | None, Query(description="Amazon's reportType")] = None,
    status: Annotated[
        ReportStatus | None,
        # `status=` (empty) means no filter, as in the orders list.
        BeforeValidator(lambda value: value or None),
        Query(),
    ] = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReportsPage:
    """The tenant's reports, newest first, in keyset pages."""
    filters = ReportFilters(access.tenant_id, connection_id, report_type or None, status)
    return await ReportsService(session, settings_of(request)).list_reports(
        filters, cursor=cursor, limit=limit
    )


@router.get("/catalogue", response_model=list[ReportKindOut], responses=ERROR_RESPONSES)
async def catalogue(access: TenantMember, session: SessionDep, request: Request) -> list[ReportKindOut]:
    """The report types the product supports, with their limits."""
    return ReportsService(session, settings_of(request)).catalogue()


@router.get("/schedules", response_model=list[ScheduleOut], responses=ERROR_RESPONSES)
@reads_only
async def list_schedules(access: TenantMember, session: SessionDep, request: Request) -> list[ScheduleOut]:
    return await ReportsService(session, settings_of(request)).schedules(access.tenant_id)


@router.post("/schedules", status_code=201, response_model=ScheduleOut, responses=ERROR_RESPONSES)
async def create_schedule(
    body: ScheduleCreate, access: TenantAdmin, session: SessionDep, request: Request
) -> ScheduleOut:
    """A recurring report: the first one comes with the scheduler's next tick, then every period."""
    service = ReportsService(session, settings_of(request))
    return await service.create_schedule(access.tenant_id, body, user_id=access.user_id)


@router.delete("/schedules/{schedule_id}", status_code=204, responses=ERROR_RESPONSES)
async def delete_schedule(
    schedule_id: uuid.UUID, access: TenantAdmin, session: SessionDep, request: Request
) -> Response:
    await ReportsService(session, settings_of(request)).delete_schedule(access.tenant_id, schedule_id)
    return Response(status_code=204)


@router.get("/{report_id}/status", response_model=ReportOut, responses=ERROR_RESPONSES)
@reads_only
async def report_status(
    report_id: uuid.UUID, access: TenantMember, session: SessionDep, request: Request
) -> ReportOut:
    return await ReportsService(session, settings_of(request)).get(access.tenant_id, report_id)


@router.get(
    "/{report_id}/document",
    responses={
        **ERROR_RESPONSES,
        200: {"content": {"application/octet-stream": {}}, "description": "The file"},
    },
    response_class=StreamingResponse,
)
@reads_only
async def report_document(
    report_id: uuid.UUID, access: TenantMember, session: SessionDep, request: Request
) -> StreamingResponse:
    """The stored document as a download (`<reportType>_<Amazon id>.<ext>`); 409 while there is none."""
    settings = settings_of(request)
    document = await ReportsService(session, settings).stored_document(access.tenant_id, report_id)
    chunks = storage_from_settings(settings).read(document.storage_key)
    try:
        # Read the first chunk before answering: a missing file is a clear 409, not a broken stream.
        first = await anext(chunks)
    except StopAsyncIteration:
        first = b""
    except StoredFileMissing as exc:
        raise NoDocument("The stored document is missing from the document storage.") from exc

    async def body() -> AsyncIterator[bytes]:
        if first:
            yield first
        async for chunk in chunks:
            yield chunk

    file_name = document.file_name or document.storage_key.rsplit("/", 1)[-1]
    headers = {"Content-Disposition": f'attachment; filename="{file_name}"', "Cache-Control": "no-store"}
    if document.size_bytes is not None:
        headers["Content-Length"] = str(document.size_bytes)
    return StreamingResponse(
        body(), media_type=document.content_type or "application/octet-stream", headers=headers
    )
