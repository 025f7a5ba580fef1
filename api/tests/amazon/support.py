"""Fixtures and helpers for the Amazon client tests: an in-process emulator, settings pointing at
it, a token manager over the test Redis, and the emulator's request log.

Import the fixtures into a test package's conftest (`from tests.amazon.support import *`).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from amazon_emulator.app import create_app
from amazon_emulator.config import (
    DEMO_APPLICATION_ID,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_SELLER_ID,
    EmulatorConfig,
)
from fastapi import FastAPI

from app.amazon_http import AmazonTransport, RateLimiter, RetryPolicy
from app.kit.redis import create_redis
from app.orders.orders_api_mapping import order_row_from_v0, order_rows_from_2026
from app.orders.rows import OrderRow
from app.settings import AdsSettings, SecuritySettings, Settings, SpApiSettings
from app.spapi import SpApiClient
from app.spapi.operations.orders import AmazonOrder
from app.tokens.cache import AccessTokenCache
from app.tokens.repository import ConnectionRef, MemoryTokenStore
from app.tokens.service import TokenManager

EMULATOR_URL = "http://emulator.test"
TEST_KEY = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0="
FAST_RETRY = RetryPolicy(max_attempts=5, base_s=0.01, cap_s=0.05)

__all__ = [
    "DEMO_APPLICATION_ID",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_SELLER_ID",
    "EMULATOR_URL",
    "FAST_RETRY",
    "amazon_settings",
    "as_row",
    "captured_logs",
    "connection",
    "emulator_app",
    "emulator_config",
    "emulator_http",
    "loopback_emulator",
    "redis_client",
    "request_log",
    "run_processes",
    "self_authorize",
    "settings_for",
    "sp_client",
    "token_manager",
    "token_store",
    "transport",
]


def settings_for(base_url: str, *, application_id: str | None = None) -> Settings:
    """Settings whose every Amazon URL points at `base_url` (configuration is the only switch)."""
    return Settings(
        spapi=SpApiSettings(
            lwa_client_id=DEMO_CLIENT_ID,
            lwa_client_secret=DEMO_CLIENT_SECRET,
            spapi_application_id=application_id or f"{DEMO_APPLICATION_ID}.{uuid.uuid4().hex[:8]}",
            lwa_token_url=f"{base_url}/auth/o2/token",
            spapi_base_na=base_url,
            spapi_base_eu=base_url,
            spapi_base_fe=base_url,
        ),
        ads=AdsSettings(
            ads_client_id=DEMO_CLIENT_ID,
            ads_client_secret=DEMO_CLIENT_SECRET,
            ads_api_base_na=base_url,
            ads_api_base_eu=base_url,
            ads_api_base_fe=base_url,
            ads_token_url_na=f"{base_url}/auth/o2/token",
            ads_token_url_eu=f"{base_url}/auth/o2/token",
            ads_token_url_fe=f"{base_url}/auth/o2/token",
        ),
        security=SecuritySettings(encryption_key=TEST_KEY),
    )


@pytest.fixture
def captured_logs() -> Any:
    """The product's JSON logging, written into a buffer (`.getvalue()`), exactly as it would print."""
    import io
    import logging
    import sys

    import structlog

    from app.kit.logging import configure_logging

    buffer, stderr = io.StringIO(), sys.stderr
    sys.stderr = buffer  # configure_logging binds its handler to the current stderr
    try:
        configure_logging("DEBUG", "json")
    finally:
        sys.stderr = stderr
    yield buffer
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if not getattr(h, "_spapi_saas", False)]
    structlog.reset_defaults()


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=400)


@pytest.fixture
def emulator_app(emulator_config: EmulatorConfig) -> FastAPI:
    return create_app(emulator_config)


@pytest.fixture
async def emulator_http(emulator_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The process's one Amazon client, wired to the emulator in-process (no sockets)."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=emulator_app), base_url=EMULATOR_URL, timeout=10
    ) as client:
        yield client


@pytest.fixture
async def redis_client() -> AsyncIterator[aioredis.Redis]:
    client = create_redis(os.environ["REDIS_URL"])
    yield client
    await client.aclose()


@pytest.fixture
def amazon_settings() -> Settings:
    return settings_for(EMULATOR_URL)


@pytest.fixture
def transport(emulator_http: httpx.AsyncClient, redis_client: aioredis.Redis) -> AmazonTransport:
    return AmazonTransport(emulator_http, limiter=RateLimiter(redis_client), retry=FAST_RETRY)


async def self_authorize(http: httpx.AsyncClient, seller: str = DEMO_SELLER_ID, kind: str = "spapi") -> str:
    response = await http.post(
        "/_emulator/self-authorize",
        json={"client_id": DEMO_CLIENT_ID, "selling_partner_id": seller, "kind": kind},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["refresh_token"]
    return token


async def request_log(http: httpx.AsyncClient, **filters: Any) -> list[dict[str, Any]]:
    response = await http.get(
        "/_emulator/requests", params={k: v for k, v in filters.items() if v is not None}
    )
    assert response.status_code == 200
    entries: list[dict[str, Any]] = response.json()
    return entries


def as_row(order: AmazonOrder) -> OrderRow:
    """The `orders` row the product makes of an order the client returned (its status, channel,
    marketplace and times in our vocabulary): how a test picks or compares orders."""
    nobody = uuid.UUID(int=0)
    if order.version == "v0":
        return order_row_from_v0(order.payload, nobody, nobody)
    return order_rows_from_2026([order.payload], nobody, nobody).orders[0]


@pytest.fixture
def connection() -> ConnectionRef:
    return ConnectionRef(
        connection_id=str(uuid.uuid4()),
        tenant_id=None,
        provider="amazon_sp",
        region="NA",
        account_id=DEMO_SELLER_ID,
    )


@pytest.fixture
async def token_store(emulator_http: httpx.AsyncClient, connection: ConnectionRef) -> MemoryTokenStore:
    return MemoryTokenStore({connection.connection_id: await self_authorize(emulator_http)})


@pytest.fixture
def token_manager(
    amazon_settings: Settings,
    token_store: MemoryTokenStore,
    redis_client: aioredis.Redis,
    transport: AmazonTransport,
) -> TokenManager:
    # Each test has its own emulator, so cached tokens must not outlive the test: a prefix per test.
    cache = AccessTokenCache(
        redis_client, amazon_settings.security.encryption_keys, prefix=f"lwa-{uuid.uuid4().hex[:8]}"
    )
    return TokenManager(
        settings=amazon_settings,
        store=token_store,
        redis=redis_client,
        transport=transport,
        cache=cache,
        on_invalid_grant=token_store.mark_needs_reauth,
    )


@pytest.fixture
def sp_client(token_manager: TokenManager, connection: ConnectionRef) -> SpApiClient:
    return token_manager.spapi_client(connection, max_wait_s=5.0)


class LoopbackEmulator:
    """The emulator served by uvicorn on 127.0.0.1 in a background thread (for other processes)."""

    def __init__(self, app: FastAPI) -> None:
        import threading

        import uvicorn

        from app.kit.embedded import free_port

        self.app = app
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> LoopbackEmulator:
        import time

        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("emulator did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@pytest.fixture
def loopback_emulator(emulator_app: FastAPI) -> Any:
    server = LoopbackEmulator(emulator_app).start()
    yield server
    server.stop()


def run_processes(mode: str, count: int, args: dict[str, Any], timeout: float = 90) -> list[dict[str, Any]]:
    """Run `count` worker processes with the same arguments; their JSON results."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    api_dir = Path(__file__).resolve().parents[2]
    env = {**os.environ, "AMAZON_TEST_ARGS": json.dumps(args)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.amazon.worker_proc", mode],
            cwd=api_dir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=timeout)
        assert proc.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results
