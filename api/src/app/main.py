"""The FastAPI application: API routes under /api, health endpoints, and the panel at /."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import structlog
from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import app.tasks  # noqa: F401  (the actor registry, bound to the broker in the lifespan)
from app.connections.clients import AmazonClients
from app.db.session import (
    create_engine,
    create_kept_plans_engine,
    create_kept_plans_sessionmaker,
    create_read_sessionmaker,
    create_sessionmaker,
)
from app.health.endpoints import router as health_router
from app.kit.errors import install_error_handlers
from app.kit.http import RequestContextMiddleware, content_security_policy
from app.kit.logging import configure_logging
from app.kit.redis import create_redis
from app.kit.spa import mount_panel
from app.mail.service import wait_for_sends
from app.settings import Settings, get_settings
from app.worker.broker import setup_broker

log = structlog.get_logger("app")

# Amazon answers slowly at times; a stuck connection must still fail in bounded time.
HTTP_TIMEOUT = httpx.Timeout(connect=5.0, read=60.0, write=60.0, pool=10.0)


def api_routers() -> list[APIRouter]:
    """Every domain's router, each mounted under /api by the app.

    Included one by one rather than through one /api router: FastAPI matches an included router
    by scanning its routes, so a router nested in another is scanned at both levels (routing took
    16% of an orders request's CPU nested, 9% flat). For the same reason the routers the panel
    calls most (order pages, the Ads figures, sync status) come first; no two routers share a
    path."""
    from app.ads.endpoints import router as ads_router
    from app.auth.account_endpoints import router as account_router
    from app.auth.endpoints import router as auth_router
    from app.auth.mfa_endpoints import router as mfa_router
    from app.connections.endpoints import router as connections_router
    from app.feeds.endpoints import router as feeds_router
    from app.health.endpoints import attention_router
    from app.health.endpoints import tenant_router as tenant_health_router
    from app.orders.endpoints import router as orders_router
    from app.reports.endpoints import router as reports_router
    from app.reports.rows_endpoints import router as report_rows_router
    from app.sync.endpoints import router as sync_router
    from app.tenants.endpoints import audit_router
    from app.tenants.endpoints import router as tenants_router
    from app.tenants.invitation_endpoints import router as invitations_router

    return [
        orders_router,
        ads_router,
        sync_router,
        # Before the reports router: /reports/data/{type} must not be taken for /reports/{id}/...
        report_rows_router,
        reports_router,
        feeds_router,
        tenants_router,
        audit_router,
        tenant_health_router,
        attention_router,
        invitations_router,
        connections_router,
        auth_router,
        account_router,
        mfa_router,
    ]


def csp_sources(settings: Settings) -> list[str]:
    """Origins beside 'self' the panel loads from: Clerk's Frontend API (and its avatars and bot
    check, per Clerk's CSP guide) when Clerk is on, and whatever the operator adds."""
    sources = settings.runtime.csp_extra_sources.split()
    frontend_api = settings.security.clerk_frontend_api
    if frontend_api:
        sources += [frontend_api, "https://img.clerk.com", "https://challenges.cloudflare.com"]
    return sources


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.runtime.log_level, settings.runtime.log_format, process="api")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = create_engine(settings)
        app.state.sessionmaker = create_sessionmaker(app.state.engine)
        app.state.read_sessionmaker = create_read_sessionmaker(app.state.engine)
        app.state.kept_plans_engine = create_kept_plans_engine(settings)
        app.state.kept_plans_sessionmaker = create_kept_plans_sessionmaker(app.state.kept_plans_engine)
        app.state.redis = create_redis(settings.redis.redis_url)
        app.state.http = httpx.AsyncClient(timeout=HTTP_TIMEOUT)
        # One token manager and one transport for every request (`AmazonClientsDep`).
        app.state.amazon_clients = AmazonClients.build(
            settings, redis=app.state.redis, sessionmaker=app.state.sessionmaker, http=app.state.http
        )
        app.state.readiness = {}
        setup_broker(settings.redis.redis_url)
        log.info("api_started", environment=settings.runtime.environment)
        # Everything loaded so far (modules, routes, models) lives as long as the process: keep it
        # out of the collector's full passes, which otherwise walk it and stall a request now and
        # then (p99 ~160 ms in bench/b4_orders_api.py).
        gc.collect()
        gc.freeze()
        yield
        # The e-mails of requests already answered (verification, reset, invitation links).
        await wait_for_sends()
        await app.state.http.aclose()
        await app.state.redis.aclose()
        await app.state.engine.dispose()
        await app.state.kept_plans_engine.dispose()

    # In production the API's map stays private unless the operator opts in (API_DOCS_ENABLED).
    docs = settings.api_docs_enabled
    app = FastAPI(
        title="spapi-saas",
        version="0.1.0",
        summary="Multi-tenant Amazon SP-API and Ads data platform",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    install_error_handlers(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[settings.runtime.public_url.rstrip("/")],
        allow_credentials=True,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=["Content-Type", "X-CSRF-Token", "X-Request-ID"],
    )
    app.add_middleware(
        RequestContextMiddleware,
        hsts=settings.is_production,
        csp=content_security_policy(csp_sources(settings)),
    )
    # Outermost: the client address every layer sees is the real one. X-Forwarded-For is believed
    # only from FORWARDED_ALLOW_IPS (the reverse proxy), never from the client itself. Here in the
    # app, not in uvicorn's config, so every way of serving it (the CLI, `dev`, tests) does the same.
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.runtime.forwarded_allow_ips)
    app.include_router(health_router)
    for domain_router in api_routers():
        app.include_router(domain_router, prefix="/api")
    mount_panel(app, Path(settings.runtime.web_dist_dir))
    return app
