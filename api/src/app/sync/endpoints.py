"""`/api/sync/*`: status, watermarks, a progress stream (SSE) and "run a delta now" (admins)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request, status
from fastapi.responses import StreamingResponse

from app.db.dependencies import SessionDep
from app.db.session import unit_of_work
from app.kit.errors import ERROR_RESPONSES, ErrorResponse, NotFound
from app.kit.streams import StreamSlots
from app.settings import get_settings
from app.sync.schemas import RunOut, SyncStatusOut, WatermarkOut
from app.sync.service import connection_exists, dispatch_due, request_delta
from app.sync.views import sync_status, watermarks
from app.tenants.dependencies import TenantAdmin, TenantMember

router = APIRouter(prefix="/sync", tags=["sync"])

# An SSE connection lives this long, then the browser's EventSource reconnects by itself.
STREAM_SECONDS = 300.0
STREAM_EVERY_S = 2.0


async def _check_connection(
    session: SessionDep, tenant_id: uuid.UUID, connection_id: uuid.UUID | None
) -> None:
    if connection_id is not None and not await connection_exists(session, tenant_id, connection_id):
        raise NotFound("connection not found")


@router.get("/status", response_model=SyncStatusOut, responses=ERROR_RESPONSES)
async def get_status(
    access: TenantMember, session: SessionDep, connection_id: uuid.UUID | None = None
) -> SyncStatusOut:
    """Per marketplace: backfill progress and ETA, delta watermark / last and next run, recent jobs."""
    await _check_connection(session, access.tenant_id, connection_id)
    return await sync_status(session, get_settings(), access.tenant_id, connection_id)


@router.get("/watermarks", response_model=list[WatermarkOut], responses=ERROR_RESPONSES)
async def get_watermarks(
    access: TenantMember, session: SessionDep, connection_id: uuid.UUID | None = None
) -> list[WatermarkOut]:
    await _check_connection(session, access.tenant_id, connection_id)
    return await watermarks(session, access.tenant_id, connection_id)


@router.get(
    "/events",
    responses={
        **ERROR_RESPONSES,
        200: {"content": {"text/event-stream": {}}, "description": "SSE stream"},
        429: {
            "model": ErrorResponse,
            "description": "the user holds SSE_MAX_STREAMS_PER_USER streams already",
        },
    },
)
async def stream_events(
    request: Request, access: TenantMember, session: SessionDep, connection_id: uuid.UUID | None = None
) -> StreamingResponse:
    """Server-sent events: a `status` event (the /status body) whenever it changes, every 2 s at most.
    A user holds at most SSE_MAX_STREAMS_PER_USER streams at once (429 beyond)."""
    await _check_connection(session, access.tenant_id, connection_id)
    tenant_id = access.tenant_id
    sessionmaker = request.app.state.sessionmaker
    settings = get_settings()
    slots = StreamSlots(
        request.app.state.redis,
        limit=settings.sync.sse_max_streams_per_user,
        ttl_s=int(STREAM_SECONDS) + 60,
    )
    owner = str(access.user_id)
    await slots.take(owner)

    async def events() -> AsyncIterator[str]:
        try:
            last = ""
            loop = asyncio.get_running_loop()
            deadline = loop.time() + STREAM_SECONDS
            yield "retry: 3000\n\n"
            while loop.time() < deadline:
                if await request.is_disconnected():
                    return
                async with unit_of_work(sessionmaker) as poll:
                    body = await sync_status(poll, settings, tenant_id, connection_id)
                text = body.model_dump_json(exclude={"generated_at"})
                if text != last:
                    last = text
                    yield f"event: status\ndata: {body.model_dump_json()}\n\n"
                else:
                    yield ": keep-alive\n\n"
                await asyncio.sleep(STREAM_EVERY_S)
        finally:
            await slots.give_back(owner)

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/run", response_model=RunOut, status_code=status.HTTP_202_ACCEPTED, responses=ERROR_RESPONSES)
async def run_now(access: TenantAdmin, session: SessionDep, connection_id: uuid.UUID) -> RunOut:
    """Admins: run a delta of every marketplace of the connection now (queued behind runs in flight)."""
    await _check_connection(session, access.tenant_id, connection_id)
    rows = await request_delta(session, access.tenant_id, connection_id)
    await dispatch_due(session, get_settings())
    return RunOut(connection_id=connection_id, rows=rows)
