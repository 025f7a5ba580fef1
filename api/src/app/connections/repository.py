"""SQL for connections and the Ads profiles they see.

Every statement is scoped by tenant, except the two by connection id alone: a job or the token
manager names a connection by its id, and the row it finds carries its tenant.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import AdsProfile, Connection


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

    async def by_id(self, connection_id: uuid.UUID) -> Connection | None:
        return await self.session.get(Connection, connection_id)

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

    async def set_data_deletion_due(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID, due_at: datetime | None
    ) -> None:
        await self.session.execute(
            update(Connection)
            .where(Connection.tenant_id == tenant_id, Connection.id == connection_id)
            .values(data_deletion_due_at=due_at)
        )

    async def due_for_data_deletion(self, now: datetime, limit: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """(tenant_id, connection_id) of the connections whose data is due for deletion (every
        tenant's: the scheduler's scan), oldest first."""
        rows = await self.session.execute(
            select(Connection.tenant_id, Connection.id)
            .where(Connection.data_deletion_due_at <= now, Connection.status != "active")
            .order_by(Connection.data_deletion_due_at)
            .limit(limit)
        )
        return [(row[0], row[1]) for row in rows]

    async def mark_needs_reauth(self, connection_id: uuid.UUID, reason: str) -> uuid.UUID | None:
        """An active connection whose authorization Amazon refused becomes `needs_reauth`; returns
        its tenant, or None when it was not active (already marked, disconnected, gone)."""
        changed = await self.session.execute(
            update(Connection)
            .where(Connection.id == connection_id, Connection.status == "active")
            .values(status="needs_reauth", last_error=reason)
            .returning(Connection.tenant_id)
        )
        tenant_id: uuid.UUID | None = changed.scalar_one_or_none()
        return tenant_id


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

    async def profile_ids_of(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> list[str]:
        result = await self.session.scalars(
            select(AdsProfile.profile_id).where(
                AdsProfile.tenant_id == tenant_id, AdsProfile.connection_id == connection_id
            )
        )
        return list(result)

    async def delete_for_connection(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(AdsProfile).where(
                AdsProfile.tenant_id == tenant_id, AdsProfile.connection_id == connection_id
            )
        )

    async def get(self, tenant_id: uuid.UUID, profile_id: str) -> AdsProfile | None:
        result: AdsProfile | None = await self.session.scalar(
            select(AdsProfile).where(AdsProfile.tenant_id == tenant_id, AdsProfile.profile_id == profile_id)
        )
        return result
