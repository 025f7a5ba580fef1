"""The Amazon clients are wired once per process: the API's lifespan builds them, a worker builds
them from its resources on first use, and a stored connection becomes a `ConnectionRef` in one
place (remembered for a minute)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.connections import clients as clients_module
from app.connections.clients import AmazonClients, worker_amazon_clients
from app.connections.models import Connection
from app.kit.redis import create_redis
from app.orders.endpoints import orders_api_factory
from app.settings import get_settings
from app.tokens.repository import ConnectionRef
from app.worker.context import resources
from tests.factories.connections import make_connection
from tests.factories.tenants import make_tenant


@pytest.fixture
async def committed(engine: AsyncEngine, clean_state: None) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
async def amazon_clients(committed: async_sessionmaker[AsyncSession]) -> AsyncIterator[AmazonClients]:
    redis = create_redis(get_settings().redis.redis_url)
    async with httpx.AsyncClient() as http:
        yield AmazonClients.build(get_settings(), redis=redis, sessionmaker=committed, http=http)
    await redis.aclose()


async def stored_connection(sessionmaker: async_sessionmaker[AsyncSession]) -> Connection:
    async with sessionmaker() as session, session.begin():
        tenant = await make_tenant(session)
        return await make_connection(session, tenant.id, account_id="A1CLIENTS")


async def test_a_stored_connection_becomes_a_ref_and_a_client(
    amazon_clients: AmazonClients,
    committed: async_sessionmaker[AsyncSession],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = await stored_connection(committed)
    ref = await amazon_clients.ref(row.id)
    assert ref == ConnectionRef(str(row.id), str(row.tenant_id), "amazon_sp", "NA", "A1CLIENTS")

    client = await amazon_clients.spapi(str(row.id), max_wait_s=0.0)
    assert client.selling_partner_id == "A1CLIENTS" and client.region == "NA" and client.max_wait_s == 0.0
    assert client.transport is amazon_clients.transport, "one transport for every client"
    assert amazon_clients.spapi_of(row).transport is amazon_clients.transport

    # Remembered: a row deleted since is still known for REF_TTL_S, then it is gone.
    async with committed() as session, session.begin():
        await session.execute(delete(Connection).where(Connection.id == row.id))
    assert await amazon_clients.ref(row.id) == ref
    monkeypatch.setattr(clients_module, "REF_TTL_S", 0.0)
    await amazon_clients.forget(row)  # forgetting a connection drops its remembered ref too
    with pytest.raises(LookupError):
        await amazon_clients.ref(row.id)
    with pytest.raises(LookupError):
        await amazon_clients.spapi(uuid.uuid4())


async def test_the_api_builds_its_clients_once(app: FastAPI) -> None:
    clients = app.state.amazon_clients
    assert isinstance(clients, AmazonClients)
    assert clients.transport.http is app.state.http
    # The address endpoint's factory uses the process's clients (no token manager per request).
    row = Connection(
        id=uuid.uuid4(), tenant_id=uuid.uuid4(), provider="amazon_sp", region="NA", account_id="A1"
    )
    assert orders_api_factory(clients)(row)._client.transport is clients.transport  # type: ignore[attr-defined]


async def test_a_worker_builds_its_clients_once() -> None:
    try:
        first = worker_amazon_clients()
        assert worker_amazon_clients() is first
        assert first.transport.http is resources.http
    finally:
        await resources.close()
    assert worker_amazon_clients() is not first
    await resources.close()
