"""The SQL side of the token manager on the real database: encrypted refresh tokens, needs_reauth
with an audit entry that survives the caller's rollback, rotated client secrets."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from app.amazon_http import AmazonTransport
from app.audit.models import AuditLog
from app.connections.clients import MarkNeedsReauth, build_token_manager, connection_ref
from app.connections.models import Connection
from app.kit.crypto import decrypt, encrypt
from app.tokens.errors import ReauthorizationRequired
from app.tokens.models import AppSecret, Token
from app.tokens.repository import ConnectionRef, SqlTokenStore
from app.tokens.service import TokenManager
from tests.amazon.support import DEMO_SELLER_ID, TEST_KEY, self_authorize
from tests.factories.connections import make_connection
from tests.factories.tenants import make_tenant

KEYS = [TEST_KEY]


@pytest.fixture
def sessionmaker(engine: AsyncEngine, clean_state: None) -> async_sessionmaker:  # type: ignore[type-arg]
    return async_sessionmaker(engine, expire_on_commit=False)


async def connection_with_token(sessionmaker: async_sessionmaker, refresh: str) -> ConnectionRef:  # type: ignore[type-arg]
    store = SqlTokenStore(sessionmaker, KEYS)
    async with sessionmaker() as session, session.begin():
        tenant = await make_tenant(session)
        conn = await make_connection(session, tenant.id, account_id=DEMO_SELLER_ID)
        await store.store_refresh_token(session, str(tenant.id), str(conn.id), refresh)
    return ConnectionRef(str(conn.id), str(tenant.id), "amazon_sp", "NA", DEMO_SELLER_ID)


async def test_refresh_token_is_stored_encrypted(sessionmaker: async_sessionmaker) -> None:  # type: ignore[type-arg]
    ref = await connection_with_token(sessionmaker, "Atzr|secret-refresh")
    async with sessionmaker() as session:
        stored = await session.scalar(select(Token.refresh_token_enc))
    assert stored is not None and b"Atzr" not in stored
    assert await SqlTokenStore(sessionmaker, KEYS).refresh_token(ref) == "Atzr|secret-refresh"


async def test_invalid_grant_marks_the_connection_and_audits(
    sessionmaker: async_sessionmaker,  # type: ignore[type-arg]
    emulator_http: httpx.AsyncClient,
    transport: AmazonTransport,
    token_manager: TokenManager,
    redis_client: object,
) -> None:
    refresh = await self_authorize(emulator_http)
    ref = await connection_with_token(sessionmaker, refresh)
    manager = TokenManager(
        settings=token_manager.settings,
        store=SqlTokenStore(sessionmaker, KEYS),
        redis=token_manager._redis,
        transport=transport,
        on_invalid_grant=MarkNeedsReauth(sessionmaker),
    )
    assert await manager.access_token(ref)
    await emulator_http.post("/_emulator/faults", json={"revoke_refresh_token": refresh})
    await manager.forget(ref)
    with pytest.raises(ReauthorizationRequired):
        await manager.access_token(ref)
    async with sessionmaker() as session:
        conn = await session.get(Connection, uuid.UUID(ref.connection_id))
        audits = (await session.scalars(select(AuditLog))).all()
    assert conn is not None and conn.status == "needs_reauth" and conn.last_error == "invalid_grant"
    # Amazon revoked us: the seller's data is scheduled for deletion after the grace period (DPP).
    assert [(a.action, a.target_id) for a in audits] == [
        ("connection.needs_reauth", ref.connection_id),
        ("connection.data_deletion_scheduled", ref.connection_id),
    ]
    assert audits[1].data["reason"] == "invalid_grant"
    assert conn.data_deletion_due_at is not None
    grace = conn.data_deletion_due_at - datetime.now(UTC)
    assert timedelta(days=29, hours=23) < grace <= timedelta(days=30)
    assert "Atzr" not in str(audits[0].data)


async def test_rotated_client_secret_wins_until_it_expires(sessionmaker: async_sessionmaker) -> None:  # type: ignore[type-arg]
    store = SqlTokenStore(sessionmaker, KEYS)
    assert await store.current_client_secret("client") is None
    async with sessionmaker() as session, session.begin():
        session.add(
            AppSecret(
                client_id="client",
                secret_enc=encrypt(KEYS, "new-secret"),
                expires_at=datetime.now(UTC) + timedelta(days=180),
            )
        )
        session.add(
            AppSecret(
                client_id="client",
                secret_enc=encrypt(KEYS, "dead"),
                expires_at=datetime.now(UTC) - timedelta(days=1),
            )
        )
    current = await store.current_client_secret("client")
    assert current is not None and current.secret == "new-secret"
    assert "new-secret" not in repr(current)
    assert decrypt(KEYS, encrypt(KEYS, "x")) == "x"


async def test_production_wiring(
    sessionmaker: async_sessionmaker,  # type: ignore[type-arg]
    emulator_http: httpx.AsyncClient,
    amazon_settings: object,
    redis_client: object,
) -> None:
    ref = await connection_with_token(sessionmaker, await self_authorize(emulator_http))
    manager = build_token_manager(
        amazon_settings,
        redis=redis_client,
        sessionmaker=sessionmaker,  # type: ignore[arg-type]
        http=emulator_http,
    )
    async with sessionmaker() as session:
        loaded = await connection_ref(session, ref.connection_id)
    assert loaded == ref
    participations = await manager.spapi_client(loaded).sellers.get_marketplace_participations()
    assert participations
