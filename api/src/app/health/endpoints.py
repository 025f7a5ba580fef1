"""`/health` (the process is up), `/ready` (PostgreSQL and Redis answer), `/metrics` (Prometheus),
the tenant's Health view (`/api/tenants/{tenant_id}/health`, owners and admins), and what needs
attention in each of the user's tenants (`/api/health/tenants`, the dashboard's list)."""

from __future__ import annotations

import asyncio
import hmac
from datetime import UTC, datetime
from typing import Any

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from app.amazon_http.call_counts import DailyCallCounts
from app.auth.dependencies import CurrentUserDep
from app.db.dependencies import SessionDep
from app.health.metrics import scrape_ops
from app.health.schemas import TenantAttentionOut, TenantHealthOut
from app.health.service import tenant_health, tenants_attention
from app.kit.errors import ERROR_RESPONSES, request_id_of
from app.kit.metrics import READINESS, render_metrics
from app.tenants.dependencies import TenantAdmin

router = APIRouter(tags=["health"])
tenant_router = APIRouter(prefix="/tenants/{tenant_id}", tags=["health"])
# Under /api, beside the tenant's view: every tenant of the signed-in user at once.
attention_router = APIRouter(prefix="/health", tags=["health"])
log = structlog.get_logger("app.health")

CHECK_TIMEOUT_S = 2.0


class HealthStatus(BaseModel):
    status: str


class ReadyStatus(BaseModel):
    status: str
    checks: dict[str, str]


async def _check_database(request: Request) -> None:
    async with request.app.state.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def _check_redis(request: Request) -> None:
    await request.app.state.redis.ping()


async def _run_check(name: str, request: Request) -> str:
    check = {"database": _check_database, "redis": _check_redis}[name]
    previous: dict[str, str] = request.app.state.readiness
    reason = ""
    try:
        await asyncio.wait_for(check(request), timeout=CHECK_TIMEOUT_S)
        outcome = "ok"
    except Exception as exc:
        # The answer names the check only: an exception's text (hosts, users, SQL) is for the logs.
        outcome = "unavailable"
        reason = f"{type(exc).__name__}: {str(exc)[:200] or 'no answer'}"
    if outcome != "ok" and previous.get(name, "ok") == "ok":
        log.error("dependency_down", dependency=name, reason=reason)
    elif outcome == "ok" and previous.get(name, "ok") != "ok":
        log.info("dependency_recovered", dependency=name)
    previous[name] = outcome
    READINESS.labels(name).set(1 if outcome == "ok" else 0)
    return outcome


@router.get("/health", response_model=HealthStatus)
async def health() -> HealthStatus:
    return HealthStatus(status="ok")


@router.get("/ready", response_model=ReadyStatus, responses={503: {"description": "a dependency is down"}})
async def ready(request: Request) -> Any:
    names = ("database", "redis")
    outcomes = await asyncio.gather(*(_run_check(name, request) for name in names))
    checks = dict(zip(names, outcomes, strict=True))
    down = [name for name, outcome in checks.items() if outcome != "ok"]
    if down:
        error = {
            "code": "not_ready",
            "message": f"unavailable: {', '.join(down)}",
            "request_id": request_id_of(request),
        }
        return JSONResponse({"error": error, "status": "unavailable", "checks": checks}, status_code=503)
    return ReadyStatus(status="ok", checks=checks)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """Public outside production; in production only with `Authorization: Bearer <METRICS_TOKEN>`,
    and not at all (404) when no token is set, so the series never leak through the proxy."""
    settings = request.app.state.settings
    if settings.is_production:
        token = settings.runtime.metrics_token
        sent = request.headers.get("authorization", "")
        if not token or not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
            return JSONResponse(
                {
                    "error": {
                        "code": "not_found",
                        "message": "not found",
                        "request_id": request_id_of(request),
                    }
                },
                status_code=404,
            )
    state = request.app.state
    ops = await scrape_ops(settings, state.redis, state.sessionmaker)
    payload, content_type = render_metrics([ops])
    return Response(payload, media_type=content_type)


@tenant_router.get("/health", response_model=TenantHealthOut, responses=ERROR_RESPONSES)
async def get_tenant_health(request: Request, access: TenantAdmin, session: SessionDep) -> TenantHealthOut:
    """Each connection's data freshness per dataset, its recent failures, its Amazon calls today per
    operation, and which connections need re-authorization (owners and admins)."""
    state = request.app.state
    return await tenant_health(
        session, DailyCallCounts(state.redis), state.settings, access.tenant_id, datetime.now(UTC)
    )


@attention_router.get("/tenants", response_model=list[TenantAttentionOut], responses=ERROR_RESPONSES)
async def get_tenants_attention(
    request: Request, user: CurrentUserDep, session: SessionDep
) -> list[TenantAttentionOut]:
    """For each of the signed-in user's tenants, by name: its connected accounts, and how many need
    re-authorization, are loading their history, failed their last run, or are stale (any role)."""
    return await tenants_attention(session, request.app.state.settings, user.id, datetime.now(UTC))
