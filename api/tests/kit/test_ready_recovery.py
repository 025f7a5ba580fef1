"""Stopping Redis or PostgreSQL under a running API turns /ready to 503; it recovers by itself."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from app.kit.embedded import EmbeddedPostgres, EmbeddedRedis
from app.main import create_app
from app.settings import DatabaseSettings, RedisSettings, Settings


@pytest.fixture
async def own_servers(tmp_path: Path) -> AsyncIterator[tuple[EmbeddedPostgres, EmbeddedRedis]]:
    postgres = EmbeddedPostgres(tmp_path / "pg", fast_unsafe=True).start()
    redis = EmbeddedRedis(tmp_path / "redis", persistent=False).start()
    yield postgres, redis
    redis.stop()
    postgres.stop()


async def _ready(http: httpx.AsyncClient) -> httpx.Response:
    return await http.get("/ready")


async def test_ready_follows_redis_and_postgres(
    own_servers: tuple[EmbeddedPostgres, EmbeddedRedis], caplog: pytest.LogCaptureFixture
) -> None:
    postgres, redis = own_servers
    settings = Settings(
        db=DatabaseSettings(database_url=postgres.url), redis=RedisSettings(redis_url=redis.url)
    )
    app = create_app(settings)
    caplog.set_level(logging.INFO)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http,
    ):
        assert (await _ready(http)).status_code == 200

        redis.stop()
        down = await _ready(http)
        assert down.status_code == 503
        body = down.json()
        assert body["error"]["code"] == "not_ready"
        assert body["checks"]["database"] == "ok"
        # Which check failed, never the exception's text (hosts, ports, driver messages).
        assert body["checks"] == {"database": "ok", "redis": "unavailable"}
        assert "Error" not in down.text and "refused" not in down.text
        assert "dependency_down" in caplog.text

        redis.start()  # same port, same data folder
        assert (await _ready(http)).status_code == 200
        assert "dependency_recovered" in caplog.text

        postgres.stop()
        down = await _ready(http)
        assert down.status_code == 503
        assert down.json()["checks"]["database"].startswith("unavailable")

        postgres.start()
        recovered = await _ready(http)
        assert recovered.status_code == 200, recovered.text
