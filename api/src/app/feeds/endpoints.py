"""Feeds: the raw path (createDocument -> our upload route -> create -> status), the guided bulk
update (a CSV read, rows checked, the feeds built and sent), the list, per-message results and the
stored input and processing report as downloads. Admins submit; every member reads.

The browser uploads to us, never to Amazon's pre-signed URL; files are streamed from and to the
document storage, never whole in memory here."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BeforeValidator

from app.db.dependencies import SessionDep, reads_only
from app.documents.storage import StoredFileMissing, storage_from_settings
from app.feeds.bulk_service import BulkFeedsService
from app.feeds.repository import FeedFilters
from app.feeds.schemas import (
    BulkCheckOut,
    BulkFeedIn,
    BulkRowsOut,
    BulkSubmitted,
    FeedCreate,
    FeedDocumentCreate,
    FeedDocumentOut,
    FeedIssuesError,
    FeedOut,
    FeedResultsPage,
    FeedsPage,
    FeedStatus,
)
from app.feeds.service import FeedsService, NoFeedFile, UploadTooLarge, bulk_max_rows, max_bytes
from app.kit.errors import ERROR_RESPONSES, ErrorResponse
from app.settings import Settings
from app.tenants.dependencies import TenantAdmin, TenantMember

router = APIRouter(prefix="/feeds", tags=["feeds"])

# A 422 here may list the feed's issues line by line.
ISSUES_RESPONSES: dict[int | str, dict[str, object]] = {
    **ERROR_RESPONSES,
    422: {"model": FeedIssuesError, "description": "The request or the feed's content is wrong"},
}
UPLOAD_RESPONSES: dict[int | str, dict[str, object]] = {
    **ERROR_RESPONSES,
    413: {"model": ErrorResponse, "description": "Larger than FEED_MAX_BYTES"},
    415: {"model": ErrorResponse, "description": "Not the Content-Type declared at createDocument"},
}
DOWNLOAD_RESPONSES: dict[int | str, dict[str, object]] = {
    **ERROR_RESPONSES,
    200: {"content": {"application/octet-stream": {}}, "description": "The file"},
}
# The CSV is read whole (its rows come back to the panel): a bound well above 200,000 rows.
CSV_MAX_BYTES = 64 * 1024 * 1024


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.post("/createDocument", status_code=201, response_model=FeedDocumentOut, responses=ERROR_RESPONSES)
async def create_feed_document(
    body: FeedDocumentCreate, access: TenantAdmin, session: SessionDep, request: Request
) -> FeedDocumentOut:
    """A draft feed for a file of this content type: PUT the file to `upload_url` (ours) next.
    Amazon is not called yet; the worker tells Amazon the same content type and uploads the file."""
    service = FeedsService(session, settings_of(request))
    return await service.create_document(access.tenant_id, body, user_id=access.user_id)


@router.put(
    "/{feed_id}/upload",
    response_model=FeedOut,
    responses=UPLOAD_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "The feed file as it is, with the Content-Type declared at createDocument",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload_feed(
    feed_id: uuid.UUID, access: TenantAdmin, session: SessionDep, request: Request
) -> FeedOut:
    """The feed's file, streamed into the document storage (again: replaces it, while a draft).
    415 when the Content-Type is not the declared one; 413 above FEED_MAX_BYTES."""
    settings = settings_of(request)
    declared_length = request.headers.get("content-length")
    if declared_length and declared_length.isdigit() and int(declared_length) > max_bytes(settings):
        raise UploadTooLarge(f"The file is larger than the {max_bytes(settings):,} bytes a feed may have.")
    return await FeedsService(session, settings).upload(
        access.tenant_id,
        feed_id,
        request.headers.get("content-type"),
        request.stream(),
        storage_from_settings(settings),
    )


@router.post("/create", status_code=202, response_model=FeedOut, responses=ISSUES_RESPONSES)
async def create_feed(
    body: FeedCreate, access: TenantAdmin, session: SessionDep, request: Request
) -> FeedOut:
    """Send the uploaded file to Amazon as a feed of `feed_type`. A JSON_LISTINGS_FEED is checked
    against Amazon's schemas first (422 with `issues`). Answers at once (status `pending`); follow
    it with `/feeds/{id}/status`."""
    settings = settings_of(request)
    return await FeedsService(session, settings).create(
        access.tenant_id, body, storage_from_settings(settings)
    )


@router.post("/bulk/csv", response_model=BulkRowsOut, responses=ERROR_RESPONSES)
async def read_bulk_csv(
    access: TenantAdmin,
    session: SessionDep,
    request: Request,
    file: Annotated[UploadFile, File(description="sku, price, currency, quantity[, handling_time]")],
) -> BulkRowsOut:
    """Read a bulk-update CSV: every row (wrong ones too, to fix) and its issues per line. Nothing
    is stored or sent."""
    content = await file.read(CSV_MAX_BYTES + 1)
    if len(content) > CSV_MAX_BYTES:
        raise UploadTooLarge(f"The CSV is larger than {CSV_MAX_BYTES:,} bytes.")
    return BulkFeedsService(session, settings_of(request)).read_csv(content)


@router.post("/bulk/validate", response_model=BulkCheckOut, responses=ERROR_RESPONSES)
async def validate_bulk(
    body: BulkFeedIn, access: TenantAdmin, session: SessionDep, request: Request
) -> BulkCheckOut:
    """Check rows as submitting them would (the feeds built and checked against Amazon's schemas):
    the issues, or how many messages and feeds they make. Nothing is stored or sent."""
    _check_rows(body, settings_of(request))
    return await BulkFeedsService(session, settings_of(request)).check(access.tenant_id, body)


@router.post("/bulk", status_code=202, response_model=BulkSubmitted, responses=ISSUES_RESPONSES)
async def create_bulk_feed(
    body: BulkFeedIn, access: TenantAdmin, session: SessionDep, request: Request
) -> BulkSubmitted:
    """Build JSON_LISTINGS_FEEDs of PATCH messages (price, quantity, handling time) and send them
    (202, each `pending`): the rows in file order, at most 25,000 per feed (Amazon's limit), so
    100,000 rows are four feeds. 422 with `issues` per line when a row is wrong (nothing sent)."""
    settings = settings_of(request)
    _check_rows(body, settings)
    return await BulkFeedsService(session, settings).submit(
        access.tenant_id, body, storage_from_settings(settings), user_id=access.user_id
    )


def _check_rows(body: BulkFeedIn, settings: Settings) -> None:
    if len(body.rows) > bulk_max_rows(settings):
        raise UploadTooLarge(f"At most {bulk_max_rows(settings):,} rows per bulk update.")


@router.get("", response_model=FeedsPage, responses=ERROR_RESPONSES)
@reads_only
async def list_feeds(
    access: TenantMember,
    session: SessionDep,
    request: Request,
    connection_id: Annotated[uuid.UUID | None, Query(description="Only this Amazon connection")] = None,
    feed_type: Annotated[str | None, Query(description="Amazon's feedType")] = None,
    status: Annotated[
        FeedStatus | None,
        # `status=` (empty) means no filter, as in the other lists.
        BeforeValidator(lambda value: value or None),
        Query(),
    ] = None,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> FeedsPage:
    """The tenant's feeds, newest first, in keyset pages."""
    filters = FeedFilters(access.tenant_id, connection_id, feed_type or None, status)
    return await FeedsService(session, settings_of(request)).list_feeds(filters, cursor=cursor, limit=limit)


@router.get("/{feed_id}/status", response_model=FeedOut, responses=ERROR_RESPONSES)
@reads_only
async def feed_status(
    feed_id: uuid.UUID, access: TenantMember, session: SessionDep, request: Request
) -> FeedOut:
    return await FeedsService(session, settings_of(request)).get(access.tenant_id, feed_id)


@router.get("/{feed_id}/results", response_model=FeedResultsPage, responses=ERROR_RESPONSES)
@reads_only
async def feed_results(
    feed_id: uuid.UUID,
    access: TenantMember,
    session: SessionDep,
    request: Request,
    errors_only: Annotated[bool, Query(description="Only the messages Amazon refused")] = False,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> FeedResultsPage:
    """Per message (SKU), as Amazon's processing report said: errors first, then warnings, then
    accepted; messageId order within; `counts` of each."""
    return await FeedsService(session, settings_of(request)).results(
        access.tenant_id, feed_id, errors_only=errors_only, cursor=cursor, limit=limit
    )


@router.get("/{feed_id}/input", responses=DOWNLOAD_RESPONSES, response_class=StreamingResponse)
@reads_only
async def feed_input(
    feed_id: uuid.UUID, access: TenantMember, session: SessionDep, request: Request
) -> StreamingResponse:
    """The uploaded (or built) file, as sent to Amazon; 409 while there is none."""
    return await _download(session, request, access.tenant_id, feed_id, "input")


@router.get("/{feed_id}/report", responses=DOWNLOAD_RESPONSES, response_class=StreamingResponse)
@reads_only
async def feed_report(
    feed_id: uuid.UUID, access: TenantMember, session: SessionDep, request: Request
) -> StreamingResponse:
    """Amazon's processing report (decompressed) as it came; 409 while there is none."""
    return await _download(session, request, access.tenant_id, feed_id, "result")


async def _download(
    session: SessionDep, request: Request, tenant_id: uuid.UUID, feed_id: uuid.UUID, role: str
) -> StreamingResponse:
    settings = settings_of(request)
    document, name = await FeedsService(session, settings).stored_file(tenant_id, feed_id, role)
    chunks = storage_from_settings(settings).read(document.storage_key)
    try:
        # Read the first chunk before answering: a missing file is a clear 409, not a broken stream.
        first = await anext(chunks)
    except StopAsyncIteration:
        first = b""
    except StoredFileMissing as exc:
        raise NoFeedFile("The stored file is missing from the document storage.") from exc

    async def body() -> AsyncIterator[bytes]:
        if first:
            yield first
        async for chunk in chunks:
            yield chunk

    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if document.size_bytes is not None:
        headers["Content-Length"] = str(document.size_bytes)
    media = document.content_type or (
        "application/json" if name.endswith(".json") else "application/octet-stream"
    )
    return StreamingResponse(body(), media_type=media, headers=headers)
