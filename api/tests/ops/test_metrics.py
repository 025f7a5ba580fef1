"""The operator's gauges, read when Prometheus scrapes: Dramatiq's queues straight from Redis, the
sync freshness from one bounded statement; and `/metrics` answering fast with what it could read
when the database is down or stuck."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import redis.asyncio as aioredis
from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from fastapi import FastAPI
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from app.health.metrics import SOURCE_TIMEOUT_S, scrape_ops
from app.kit.metrics import render_metrics
from app.settings import get_settings
from app.sync.models import SyncState
from app.tokens.errors import ReauthorizationRequired
from app.tokens.repository import ConnectionRef, MemoryTokenStore
from app.tokens.service import TokenManager
from app.worker.queues import QueueStats, queue_stats
from tests.factories.connections import make_connection
from tests.factories.tenants import make_tenant

US, CA, MX = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"


def samples(payload: bytes) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    out = {}
    for family in text_string_to_metric_families(payload.decode()):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found[(name, frozenset(labels.items()))]


def _message(queue: str, sent_ms: int) -> Message[object]:
    return Message(
        queue_name=queue, actor_name="ops.test", args=(), kwargs={}, options={}, message_timestamp=sent_ms
    )


async def test_queue_depth_delay_and_oldest_age(redis_client: aioredis.Redis) -> None:
    namespace = f"ops-test-{uuid.uuid4().hex[:8]}"
    broker = RedisBroker(url=os.environ["REDIS_URL"], namespace=namespace)  # type: ignore[no-untyped-call]
    try:
        now_ms = int(time.time() * 1000)
        broker.enqueue(_message("bulk", now_ms - 600_000))
        broker.enqueue(_message("bulk", now_ms - 5_000))
        # A retry due in a minute waits in the delayed queue, not in the queue's age.
        broker.enqueue(_message("default", now_ms - 900_000), delay=60_000)
        stats = {s.queue: s for s in await queue_stats(redis_client, time.time(), namespace=namespace)}
    finally:
        keys = [key async for key in redis_client.scan_iter(f"{namespace}:*")]
        if keys:
            await redis_client.delete(*keys)
        broker.close()
    assert (stats["bulk"].ready, stats["bulk"].delayed) == (2, 0)
    assert 600 <= stats["bulk"].oldest_age_s < 630
    assert (stats["default"].ready, stats["default"].delayed, stats["default"].oldest_age_s) == (0, 1, 0.0)
    assert stats["high"] == QueueStats("high", 0, 0, 0, 0.0)


async def test_freshness_per_connection_and_the_oldest_due_row(
    session: AsyncSession, redis_client: aioredis.Redis
) -> None:
    tenant = await make_tenant(session, "Fresh")
    seller = await make_connection(session, tenant.id, status="active")
    gone = await make_connection(session, tenant.id, status="revoked")
    now = datetime.now(UTC)
    rows = [
        # The connection's orders are as fresh as its stalest marketplace (CA, 40 minutes).
        (seller.id, US, now - timedelta(minutes=4), now + timedelta(minutes=5), "idle"),
        (seller.id, CA, now - timedelta(minutes=40), now - timedelta(minutes=30), "error"),
        (seller.id, MX, now - timedelta(days=9), now - timedelta(days=9), "paused"),
        (gone.id, US, now - timedelta(days=3), now - timedelta(days=3), "idle"),
    ]
    for connection_id, market, success, next_run, status in rows:
        session.add(
            SyncState(
                tenant_id=tenant.id,
                connection_id=connection_id,
                marketplace_id=market,
                entity="orders",
                last_success_at=success,
                next_run_at=next_run,
                status=status,
                extra={},
            )
        )
    await session.flush()
    # The scrape's own sessions, inside this test's transaction (its rows are not committed).
    sessions = async_sessionmaker(
        bind=await session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    collector = await scrape_ops(get_settings(), redis_client, sessions)
    found = samples(render_metrics([collector])[0])

    lag = value(
        found,
        "sync_freshness_lag_seconds",
        tenant=str(tenant.id),
        connection=str(seller.id),
        dataset="orders",
    )
    assert 40 * 60 <= lag < 40 * 60 + 60
    assert not [
        k for k in found if k[0] == "sync_freshness_lag_seconds" and ("connection", str(gone.id)) in k[1]
    ]
    # Other tests' committed rows may be older still; the paused and the revoked ones never count.
    assert value(found, "sync_oldest_due_seconds") >= 30 * 60
    assert (
        value(found, "sync_delta_interval_seconds", dataset="orders")
        == get_settings().sync.delta_sync_interval_minutes * 60
    )
    assert value(found, "ops_source_up", source="database") == 1
    assert value(found, "ops_source_up", source="redis") == 1
    assert value(found, "dramatiq_queue_depth", queue="default") >= 0


@pytest.fixture
def stuck_database() -> Iterator[str]:
    """A port that accepts connections and never answers (a database stuck or cut off)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield f"postgresql+psycopg://ops:ops@127.0.0.1:{listener.getsockname()[1]}/ops"
    finally:
        listener.close()


async def test_metrics_answer_in_time_with_what_they_could_read(
    app: FastAPI, client: httpx.AsyncClient, stuck_database: str
) -> None:
    engine = create_async_engine(stuck_database, connect_args={"connect_timeout": 30})
    healthy = app.state.sessionmaker
    app.state.sessionmaker = async_sessionmaker(engine)
    try:
        started = time.monotonic()
        response = await client.get("/metrics")
        elapsed = time.monotonic() - started
    finally:
        app.state.sessionmaker = healthy
        await engine.dispose()
    assert response.status_code == 200
    assert elapsed < SOURCE_TIMEOUT_S + 1.5
    found = samples(response.content)
    assert value(found, "ops_source_up", source="database") == 0
    assert value(found, "ops_source_up", source="redis") == 1
    assert ("dramatiq_queue_depth", frozenset({("queue", "bulk")})) in found
    assert not [k for k in found if k[0].startswith("sync_")]


async def test_a_refused_refresh_token_is_counted(
    token_manager: TokenManager, token_store: MemoryTokenStore
) -> None:
    labels = {"grant_type": "refresh_token", "outcome": "invalid_grant"}
    before = REGISTRY.get_sample_value("lwa_token_requests_total", labels) or 0.0
    connection = ConnectionRef(str(uuid.uuid4()), None, "amazon_sp", "NA", "A1REFUSED")
    token_store.tokens[connection.connection_id] = "Atzr|not-a-token-amazon-issued"
    with pytest.raises(ReauthorizationRequired):
        await token_manager.access_token(connection)
    assert REGISTRY.get_sample_value("lwa_token_requests_total", labels) == before + 1


async def test_metrics_answer_without_redis(app: FastAPI, client: httpx.AsyncClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    healthy = app.state.redis
    app.state.redis = aioredis.Redis(host="127.0.0.1", port=closed_port, socket_connect_timeout=1)
    try:
        response = await client.get("/metrics")
    finally:
        await app.state.redis.aclose()
        app.state.redis = healthy
    assert response.status_code == 200
    found = samples(response.content)
    assert value(found, "ops_source_up", source="redis") == 0
    assert value(found, "ops_source_up", source="database") == 1
    assert not [k for k in found if k[0].startswith("dramatiq_queue_")]
    assert ("sync_oldest_due_seconds", frozenset()) in found
