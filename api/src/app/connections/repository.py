"""SQL for connections, their refresh tokens' lifecycle, sync state rows and Ads profiles.

Every statement is scoped by tenant, except the key-rotation re-encryption, which is an
installation-wide maintenance command over ciphertext only.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.ads.models import AdsProfile
from app.connections.models import Connection
from app.sync.models import SyncState
from app.tokens.models import AppSecret, Token


class ConnectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(
        self,
        *,
        tenant_id: uuid.UUID,
        provider: str,
        region: str,
        account_id: str,
        display_name: str | None,
        marketplaces: list[str],
        user_id: uuid.UUID,
        extra: dict[str, Any],
        parent_connection_id: uuid.UUID | None = None,
    ) -> tuple[Connection, bool]:
        """Create the connection, or reactivate and refresh the existing one of the same account
        (the unique key makes reconnecting idempotent). Returns (connection, created)."""
        now = datetime.now(UTC)
        statement = insert(Connection).values(
            tenant_id=tenant_id,
            provider=provider,
            region=region,
            account_id=account_id,
            display_name=display_name,
            marketplaces=marketplaces,
            status="active",
            created_by_user_id=user_id,
            extra=extra,
            parent_connection_id=parent_connection_id,
        )
        upsert: Any = statement.on_conflict_do_update(
            index_elements=[
                Connection.tenant_id,
                Connection.provider,
                Connection.region,
                Connection.account_id,
            ],
            set_={
                "display_name": statement.excluded.display_name,
                "marketplaces": statement.excluded.marketplaces,
                "status": "active",
                "authorized_at": now,
                "disconnected_at": None,
                "last_error": None,
                "extra": statement.excluded.extra,
                "parent_connection_id": statement.excluded.parent_connection_id,
                "updated_at": now,
            },
        ).returning(Connection.id, literal_column("(xmax = 0)").label("created"))
        row = (await self.session.execute(upsert)).one()
        connection = await self.get(tenant_id, row.id, refresh=True)
        assert connection is not None
        return connection, bool(row.created)

    async def get(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID, *, refresh: bool = False
    ) -> Connection | None:
        statement = select(Connection).where(
            Connection.tenant_id == tenant_id, Connection.id == connection_id
        )
        if refresh:
            statement = statement.execution_options(populate_existing=True)
        result = await self.session.scalar(statement)
        return result

    async def list_for_tenant(self, tenant_id: uuid.UUID) -> list[Connection]:
        result = await self.session.scalars(
            select(Connection)
            .where(Connection.tenant_id == tenant_id)
            .order_by(Connection.provider.desc(), Connection.connected_at, Connection.id)
        )
        return list(result)

    async def active_sp_connections(self, tenant_id: uuid.UUID, region: str) -> list[Connection]:
        result = await self.session.scalars(
            select(Connection).where(
                Connection.tenant_id == tenant_id,
                Connection.provider == "amazon_sp",
                Connection.region == region,
                Connection.status != "revoked",
            )
        )
        return list(result)

    async def mark_disconnected(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> None:
        await self.session.execute(
            update(Connection)
            .where(Connection.tenant_id == tenant_id, Connection.id == connection_id)
            .values(status="revoked", disconnected_at=datetime.now(UTC))
        )

    async def delete(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(Connection).where(Connection.tenant_id == tenant_id, Connection.id == connection_id)
        )

    async def delete_refresh_token(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(Token).where(Token.tenant_id == tenant_id, Token.connection_id == connection_id)
        )


class SyncStateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def ensure(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID, marketplace_ids: Sequence[str], entity: str
    ) -> None:
        """One row per marketplace, due now; rows paused by a disconnect resume (watermarks kept)."""
        if not marketplace_ids:
            return
        now = datetime.now(UTC)
        statement = insert(SyncState).values(
            [
                {
                    "tenant_id": tenant_id,
                    "connection_id": connection_id,
                    "marketplace_id": marketplace_id,
                    "entity": entity,
                    "next_run_at": now,
                    "status": "idle",
                }
                for marketplace_id in marketplace_ids
            ]
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[
                    SyncState.tenant_id,
                    SyncState.connection_id,
                    SyncState.marketplace_id,
                    SyncState.entity,
                ],
                set_={"status": "idle", "next_run_at": now, "last_error": None, "updated_at": now},
                where=SyncState.status == "paused",
            )
        )

    async def pause(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> None:
        """Stop scheduling this connection's work; the scheduler skips paused rows."""
        await self.session.execute(
            update(SyncState)
            .where(SyncState.tenant_id == tenant_id, SyncState.connection_id == connection_id)
            .values(status="paused", claimed_at=None, claimed_by=None)
        )


class AdsProfileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, tenant_id: uuid.UUID, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        statement = insert(AdsProfile).values([{**row, "tenant_id": tenant_id} for row in rows])
        columns = [
            "connection_id",
            "country_code",
            "currency_code",
            "timezone",
            "marketplace_id",
            "account_type",
            "account_name",
            "account_id",
            "linked_sp_connection_id",
        ]
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[AdsProfile.tenant_id, AdsProfile.profile_id],
                set_={**{c: statement.excluded[c] for c in columns}, "updated_at": datetime.now(UTC)},
            )
        )

    async def list_for_tenant(self, tenant_id: uuid.UUID) -> list[AdsProfile]:
        result = await self.session.scalars(
            select(AdsProfile)
            .where(AdsProfile.tenant_id == tenant_id)
            .order_by(AdsProfile.country_code, AdsProfile.profile_id)
        )
        return list(result)


class CiphertextRepository:
    """Every encrypted column, for `spapi-saas rotate-encryption-key` (installation-wide on purpose)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def refresh_tokens(self) -> list[tuple[uuid.UUID, bytes]]:
        rows = await self.session.execute(select(Token.id, Token.refresh_token_enc).with_for_update())
        return [(row[0], row[1]) for row in rows]

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
