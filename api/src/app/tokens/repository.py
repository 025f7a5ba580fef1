"""SQL of the tokens domain: the encrypted refresh token of each connection and the application's
rotated client secrets.

`SqlTokenStore` is what the token manager reads, each read in a short session of its own (the
manager serves many units of work at once); onboarding and disconnecting write a connection's
refresh token in the caller's unit of work. `CiphertextRepository` rewrites every ciphertext for a
key rotation and keeps a rotated client secret.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.kit.crypto import decrypt
from app.kit.providers import Provider
from app.kit.regions import Region
from app.tokens.models import AppSecret, TenantKey, Token
from app.tokens.tenant_keys import TenantKeys


@dataclass(frozen=True)
class ConnectionRef:
    """What the token layer needs to know about a connection (no secrets). The product makes one
    from a stored connection in one place: `app.connections.clients.ref_of`."""

    connection_id: str
    tenant_id: str | None
    provider: Provider
    region: Region
    account_id: str  # selling_partner_id (SP-API) or the advertiser account (Ads)


@dataclass(frozen=True)
class ClientSecret:
    client_id: str
    secret: str = field(repr=False)


class TokenStore(Protocol):
    async def refresh_token(self, connection: ConnectionRef) -> str | None: ...

    async def current_client_secret(self, client_id: str) -> ClientSecret | None:
        """The newest rotated secret still valid, or None to use the configured one."""
        ...


class SqlTokenStore:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], encryption_keys: Sequence[str]
    ) -> None:
        self._sessionmaker = sessionmaker
        self._keys = list(encryption_keys)

    async def refresh_token(self, connection: ConnectionRef) -> str | None:
        connection_id = uuid.UUID(connection.connection_id)
        async with self._sessionmaker() as session, session.begin():
            row = (
                await session.execute(
                    select(Token.tenant_id, Token.refresh_token_enc, Token.encrypted_with).where(
                        Token.connection_id == connection_id
                    )
                )
            ).one_or_none()
            if row is None:
                return None
            tenant_id, ciphertext, encrypted_with = row
            keys = TenantKeys(session, self._keys)
            if encrypted_with == "tenant":
                return await keys.decrypt(tenant_id, ciphertext)
            # Written before tenant keys existed (migration 0016): moved under the tenant's key now,
            # once; a concurrent reader that got there first leaves nothing to rewrite.
            token = decrypt(self._keys, ciphertext)
            await session.execute(
                update(Token)
                .where(Token.connection_id == connection_id, Token.encrypted_with == "master")
                .values(
                    refresh_token_enc=await keys.encrypt(tenant_id, token),
                    encrypted_with="tenant",
                    rotated_at=datetime.now(UTC),
                )
            )
            return token

    async def current_client_secret(self, client_id: str) -> ClientSecret | None:
        now = datetime.now(UTC)
        async with self._sessionmaker() as session:
            row = await session.scalar(
                select(AppSecret)
                .where(AppSecret.client_id == client_id)
                .where((AppSecret.expires_at.is_(None)) | (AppSecret.expires_at > now))
                .order_by(AppSecret.created_at.desc())
                .limit(1)
            )
        return None if row is None else ClientSecret(client_id, decrypt(self._keys, row.secret_enc))

    async def store_refresh_token(
        self, session: AsyncSession, tenant_id: str, connection_id: str, token: str
    ) -> None:
        """Insert or replace a connection's refresh token, under the tenant's data key (onboarding;
        the caller's unit of work commits)."""
        ciphertext = await TenantKeys(session, self._keys).encrypt(uuid.UUID(tenant_id), token)
        statement = insert(Token).values(
            tenant_id=uuid.UUID(tenant_id),
            connection_id=uuid.UUID(connection_id),
            refresh_token_enc=ciphertext,
            encrypted_with="tenant",
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[Token.tenant_id, Token.connection_id],
                set_={
                    "refresh_token_enc": ciphertext,
                    "encrypted_with": "tenant",
                    "rotated_at": datetime.now(UTC),
                },
            )
        )

    async def delete_refresh_token(
        self, session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID
    ) -> None:
        """Disconnecting: the refresh token goes (in the caller's unit of work); nothing works after."""
        await delete_refresh_token(session, tenant_id, connection_id)


async def delete_refresh_token(session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> None:
    await session.execute(
        delete(Token).where(Token.tenant_id == tenant_id, Token.connection_id == connection_id)
    )


class MemoryTokenStore:
    """A `TokenStore` in memory: tests and tools that run without a database. Its
    `mark_needs_reauth` records invalid grants when given to the manager as `on_invalid_grant`."""

    def __init__(self, tokens: dict[str, str] | None = None) -> None:
        self.tokens = dict(tokens or {})
        self.needs_reauth: dict[str, str] = {}
        self.secrets: dict[str, ClientSecret] = {}

    async def refresh_token(self, connection: ConnectionRef) -> str | None:
        return self.tokens.get(connection.connection_id)

    async def mark_needs_reauth(
        self, connection: ConnectionRef, *, reason: str, request_id: str | None
    ) -> None:
        self.needs_reauth[connection.connection_id] = reason

    async def current_client_secret(self, client_id: str) -> ClientSecret | None:
        return self.secrets.get(client_id)


class CiphertextRepository:
    """Every encrypted column, for `spapi-saas rotate-encryption-key` (installation-wide on purpose),
    and the rotated client secrets Amazon announces."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def refresh_tokens(self) -> list[tuple[uuid.UUID, bytes]]:
        """The refresh tokens still directly under the master keys (those under a tenant's key
        follow that key, re-wrapped by `set_tenant_key`)."""
        rows = await self.session.execute(
            select(Token.id, Token.refresh_token_enc)
            .where(Token.encrypted_with == "master")
            .with_for_update()
        )
        return [(row[0], row[1]) for row in rows]

    async def tenant_keys(self) -> list[tuple[uuid.UUID, bytes]]:
        rows = await self.session.execute(select(TenantKey.tenant_id, TenantKey.key_enc).with_for_update())
        return [(row[0], row[1]) for row in rows]

    async def set_tenant_key(self, tenant_id: uuid.UUID, key_enc: bytes) -> None:
        await self.session.execute(
            update(TenantKey)
            .where(TenantKey.tenant_id == tenant_id)
            .values(key_enc=key_enc, rotated_at=datetime.now(UTC))
        )

    async def set_refresh_token(self, token_id: uuid.UUID, ciphertext: bytes) -> None:
        await self.session.execute(
            update(Token)
            .where(Token.id == token_id)
            .values(refresh_token_enc=ciphertext, rotated_at=datetime.now(UTC))
        )

    async def app_secrets(self) -> list[tuple[uuid.UUID, bytes]]:
        rows = await self.session.execute(select(AppSecret.id, AppSecret.secret_enc).with_for_update())
        return [(row[0], row[1]) for row in rows]

    async def set_app_secret(self, secret_id: uuid.UUID, ciphertext: bytes) -> None:
        await self.session.execute(
            update(AppSecret).where(AppSecret.id == secret_id).values(secret_enc=ciphertext)
        )

    async def add_app_secret(self, client_id: str, ciphertext: bytes, expires_at: datetime | None) -> None:
        self.session.add(AppSecret(client_id=client_id, secret_enc=ciphertext, expires_at=expires_at))
        await self.session.flush()
