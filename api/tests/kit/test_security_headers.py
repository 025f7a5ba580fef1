"""Security headers on the API and the panel (both servers: uvicorn and the compose nginx), and
what production keeps private: /docs, /openapi.json, /metrics (issue 19)."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.db.session import create_engine
from app.main import create_app
from app.settings import (
    DatabaseSettings,
    RedisSettings,
    RuntimeSettings,
    SecuritySettings,
    Settings,
    SpApiSettings,
    get_settings,
)

NGINX_CONF = Path(__file__).resolve().parents[3] / "deploy" / "nginx.conf"

# The whole policy, spelled out: a change to it is a decision, made here too.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
EXPECTED = {
    "content-security-policy": POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}


async def test_the_policy_is_strict(client: httpx.AsyncClient) -> None:
    policy = (await client.get("/")).headers.get("content-security-policy", "")
    directives = dict(d.split(" ", 1) for d in policy.split("; ") if " " in d)
    assert directives["script-src"] == "'self'"  # no inline script, no eval, no CDN
    assert directives["frame-ancestors"] == "'none'"  # no clickjacking of the panel
    assert directives["object-src"] == "'none'"
    assert directives["default-src"] == "'self'"


@pytest.mark.parametrize("path", ["/", "/dashboard", "/api/auth/me", "/health"])
async def test_api_and_panel_send_the_security_headers(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (path, name)
    assert "strict-transport-security" not in response.headers  # development: no HSTS


def _normal(value: str) -> str:
    return " ".join(value.split()).replace(" ;", ";")


def _nginx_headers() -> dict[str, str]:
    """The headers nginx adds, with no extra CSP origins (the image's default)."""
    found = re.findall(r'add_header\s+([\w-]+)\s+"([^"]*)"\s+always;', NGINX_CONF.read_text())
    return {name.lower(): _normal(value.replace("${CSP_EXTRA_SOURCES}", "")) for name, value in found}


def test_nginx_sends_the_same_headers() -> None:
    headers = _nginx_headers()
    for name, value in EXPECTED.items():
        assert headers.get(name) == value, name
    assert headers["strict-transport-security"].startswith("max-age=")
    # A location with an add_header of its own would silently drop the server's headers.
    locations = re.findall(r"location[^{]*\{([^}]*)\}", NGINX_CONF.read_text())
    assert locations and not any("add_header" in body for body in locations)


def _production(**runtime: object) -> Settings:
    return Settings(
        runtime=RuntimeSettings(environment="production", public_url="https://panel.example", **runtime),
        security=SecuritySettings(
            session_secret=secrets.token_hex(32), encryption_key=Fernet.generate_key().decode()
        ),
        spapi=SpApiSettings(
            lwa_client_secret="amzn1.oa2-cs.v1.x", oauth_redirect_uri="https://panel.example/cb"
        ),
        db=DatabaseSettings(database_url=get_settings().db.database_url),
        redis=RedisSettings(redis_url=get_settings().redis.redis_url),
    )


def _client(settings: Settings) -> httpx.AsyncClient:
    app = create_app(settings)
    app.state.settings = settings  # what the lifespan does; these routes need nothing else
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://panel.example")


async def test_production_hides_docs_and_openapi_and_sends_hsts() -> None:
    async with _client(_production()) as http:
        for path in ("/docs", "/openapi.json", "/redoc"):
            assert (await http.get(path)).status_code == 404, path
        health = await http.get("/health")
        assert health.headers["strict-transport-security"].startswith("max-age=31536000")
    async with _client(_production(api_docs_enabled=True)) as http:
        assert (await http.get("/openapi.json")).status_code == 200


@asynccontextmanager
async def _running(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan run (its database and Redis clients): /metrics reads both."""
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://panel.example") as http,
    ):
        yield http


async def test_production_metrics_need_the_bearer_token() -> None:
    token = secrets.token_urlsafe(32)
    async with _running(_production(metrics_token=token)) as http:
        assert (await http.get("/metrics")).status_code == 404
        assert (await http.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 404
        allowed = await http.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert allowed.status_code == 200 and "http_requests" in allowed.text
    async with _client(_production()) as http:  # no token set: never served
        assert (await http.get("/metrics", headers={"Authorization": "Bearer "})).status_code == 404


async def test_failed_queries_keep_their_parameters_out_of_errors_and_logs() -> None:
    engine = create_engine(get_settings(), pool_size=1)
    secret = "Atzr|refresh-token-that-must-not-leak"
    try:
        async with engine.connect() as conn:
            with pytest.raises(DBAPIError) as failure:
                await conn.execute(
                    text("SELECT * FROM no_such_table WHERE token = :token"), {"token": secret}
                )
    finally:
        await engine.dispose()
    assert secret not in str(failure.value)
    assert "hidden" in str(failure.value)
