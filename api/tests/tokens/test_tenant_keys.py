"""Per-tenant data keys (envelope encryption): each tenant's refresh tokens are under its own key,
wrapped by the master keys; tokens written before the keys existed move under them when first read;
destroying a tenant's key (or the tenant) makes its tokens unreadable; a master-key rotation re-wraps
the keys and everything stays readable with the new master key alone."""

from __future__ import annotations

import uuid

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.kit.crypto import DecryptionError, decrypt, encrypt
from app.tenants.models import Tenant
from app.tokens.commands import reencrypt_all
from app.tokens.models import TenantKey, Token
from app.tokens.repository import ConnectionRef, SqlTokenStore
from app.tokens.tenant_keys import TenantKeyMissing, TenantKeys
from tests.amazon.support import TEST_KEY
from tests.factories.connections import make_connection
from tests.factories.tenants import make_tenant

Maker = async_sessionmaker[AsyncSession]


@pytest.fixture
def sessionmaker(engine: AsyncEngine, clean_state: None) -> Maker:
    return async_sessionmaker(engine, expire_on_commit=False)


async def _connection(sessionmaker: Maker, keys: list[str], refresh: str | None) -> ConnectionRef:
    async with sessionmaker() as session, session.begin():
        tenant = await make_tenant(session)
        conn = await make_connection(session, tenant.id)
        if refresh is not None:
            await SqlTokenStore(sessionmaker, keys).store_refresh_token(
                session, str(tenant.id), str(conn.id), refresh
            )
    return ConnectionRef(str(conn.id), str(tenant.id), "amazon_sp", "NA", conn.account_id)


async def _token(sessionmaker: Maker, ref: ConnectionRef) -> Token:
    async with sessionmaker() as session:
        token = await session.scalar(select(Token).where(Token.connection_id == uuid.UUID(ref.connection_id)))
    assert token is not None
    return token


async def test_each_tenant_has_its_own_key(sessionmaker: Maker) -> None:
    a = await _connection(sessionmaker, [TEST_KEY], "Atzr|tenant-a")
    b = await _connection(sessionmaker, [TEST_KEY], "Atzr|tenant-b")
    token_a = await _token(sessionmaker, a)
    assert token_a.encrypted_with == "tenant"
    with pytest.raises(DecryptionError):  # the master key alone no longer opens it
        decrypt([TEST_KEY], token_a.refresh_token_enc)
    async with sessionmaker() as session:
        wrapped = dict((await session.execute(select(TenantKey.tenant_id, TenantKey.key_enc))).all())
        assert len(wrapped) == 2
        with pytest.raises(DecryptionError):  # tenant b's key does not open tenant a's token
            await TenantKeys(session, [TEST_KEY]).decrypt(uuid.UUID(b.tenant_id), token_a.refresh_token_enc)
    plain_keys = {decrypt([TEST_KEY], k) for k in wrapped.values()}
    assert len(plain_keys) == 2
    store = SqlTokenStore(sessionmaker, [TEST_KEY])
    assert await store.refresh_token(a) == "Atzr|tenant-a"
    assert await store.refresh_token(b) == "Atzr|tenant-b"


async def test_an_old_token_moves_under_its_tenants_key_when_read(
    sessionmaker: Maker,
) -> None:
    ref = await _connection(sessionmaker, [TEST_KEY], None)
    async with sessionmaker() as session, session.begin():
        # As migration 0016 leaves a token written before it: directly under the master key.
        session.add(
            Token(
                tenant_id=uuid.UUID(ref.tenant_id),
                connection_id=uuid.UUID(ref.connection_id),
                refresh_token_enc=encrypt([TEST_KEY], "Atzr|legacy"),
            )
        )
    assert (await _token(sessionmaker, ref)).encrypted_with == "master"

    store = SqlTokenStore(sessionmaker, [TEST_KEY])
    assert await store.refresh_token(ref) == "Atzr|legacy"
    token = await _token(sessionmaker, ref)
    assert token.encrypted_with == "tenant" and token.rotated_at is not None
    with pytest.raises(DecryptionError):
        decrypt([TEST_KEY], token.refresh_token_enc)
    assert await store.refresh_token(ref) == "Atzr|legacy"  # and read again from its new form


async def test_destroying_the_key_or_the_tenant_makes_its_tokens_unreadable(sessionmaker: Maker) -> None:
    ref = await _connection(sessionmaker, [TEST_KEY], "Atzr|shredded")
    async with sessionmaker() as session, session.begin():
        assert await TenantKeys(session, [TEST_KEY]).destroy(uuid.UUID(ref.tenant_id)) is True
    with pytest.raises(TenantKeyMissing):
        await SqlTokenStore(sessionmaker, [TEST_KEY]).refresh_token(ref)

    other = await _connection(sessionmaker, [TEST_KEY], "Atzr|other")
    async with sessionmaker() as session, session.begin():
        await session.execute(delete(Tenant).where(Tenant.id == uuid.UUID(other.tenant_id)))
    async with sessionmaker() as session:
        assert await session.get(TenantKey, uuid.UUID(other.tenant_id)) is None


async def test_rotating_the_master_key_rewraps_tenant_keys(sessionmaker: Maker) -> None:
    old, new = TEST_KEY, Fernet.generate_key().decode()
    ref = await _connection(sessionmaker, [old], "Atzr|rotated")
    legacy = await _connection(sessionmaker, [old], None)
    async with sessionmaker() as session, session.begin():
        session.add(
            Token(
                tenant_id=uuid.UUID(legacy.tenant_id),
                connection_id=uuid.UUID(legacy.connection_id),
                refresh_token_enc=encrypt([old], "Atzr|legacy"),
            )
        )
    before = (await _token(sessionmaker, ref)).refresh_token_enc

    async with sessionmaker() as session, session.begin():
        done = await reencrypt_all(session, [new, old])
    assert (done.tenant_keys, done.refresh_tokens) == (1, 1)

    # The data itself was not rewritten: only its tenant's key was re-wrapped.
    assert (await _token(sessionmaker, ref)).refresh_token_enc == before
    async with sessionmaker() as session:
        wrapped = await session.scalar(
            select(TenantKey.key_enc).where(TenantKey.tenant_id == uuid.UUID(ref.tenant_id))
        )
    assert wrapped is not None
    with pytest.raises(DecryptionError):
        decrypt([old], wrapped)
    store = SqlTokenStore(sessionmaker, [new])  # the old key dropped
    assert await store.refresh_token(ref) == "Atzr|rotated"
    assert await store.refresh_token(legacy) == "Atzr|legacy"
