"""Storage the token manager needs: the encrypted refresh token, marking a connection
`needs_reauth` with an audit entry, and the application's current client secret.

These writes use their own short transaction on purpose: they record a failure (invalid_grant) that
is about to abort the caller's unit of work, and must survive its rollback.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.audit.models import AuditLog
from app.connections.models import Connection
from app.kit.crypto import decrypt, encrypt
from app.kit.regions import Region
from app.tokens.models import AppSecret, Token

Provider = Literal["amazon_sp", "amazon_ads"]


@dataclass(frozen=True)
class ConnectionRef:
    """What the token layer needs to know about a connection (no secrets)."""

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

    async def mark_needs_reauth(
        self, connection: ConnectionRef, *, reason: str, request_id: str | None
    ) -> None: ...

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
        async with self._sessionmaker() as session:
            ciphertext = await session.scalar(
                select(Token.refresh_token_enc).where(
                    Token.connection_id == uuid.UUID(connection.connection_id)
                )
            )
        return None if ciphertext is None else decrypt(self._keys, ciphertext)

    async def mark_needs_reauth(
        self, connection: ConnectionRef, *, reason: str, request_id: str | None
    ) -> None:
        connection_id = uuid.UUID(connection.connection_id)
        async with self._sessionmaker() as session, session.begin():
            changed = await session.execute(
                update(Connection)
                .where(Connection.id == connection_id, Connection.status == "active")
                .values(status="needs_reauth", last_error=reason)
                .returning(Connection.tenant_id)
            )
            tenant_id = changed.scalar_one_or_none()
            if tenant_id is None:
                return  # already marked (another process got there first) or not active
            session.add(
                AuditLog(
                    tenant_id=tenant_id,
                    action="connection.needs_reauth",
                    target_type="connection",
                    target_id=str(connection_id),
                    data={"reason": reason, "provider": connection.provider, "region": connection.region},
                    request_id=request_id,
                )
            )

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
        """Insert or replace a connection's refresh token (onboarding; the caller's unit of work commits)."""

        ciphertext = encrypt(self._keys, token)
        statement = insert(Token).values(
            tenant_id=uuid.UUID(tenant_id),
            connection_id=uuid.UUID(connection_id),
            refresh_token_enc=ciphertext,
        )
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[Token.tenant_id, Token.connection_id],
                set_={"refresh_token_enc": ciphertext, "rotated_at": datetime.now(UTC)},
            )
        )


class MemoryTokenStore:
    """A `TokenStore` in memory: tests and tools that run without a database."""

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
