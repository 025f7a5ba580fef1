"""Amazon connections (SP-API sellers), optionally with an encrypted refresh token and sync rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.connections.models import Connection
from app.sync.repository import SyncRepository
from app.tokens.repository import SqlTokenStore
from tests.factories.tenants import make_tenant


def new_seller_id() -> str:
    return f"A{uuid.uuid4().hex[:12].upper()}"


async def make_connection(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    account_id: str | None = None,
    marketplaces: list[str] | None = None,
    provider: str = "amazon_sp",
    **values: Any,
) -> Connection:
    connection = Connection(
        tenant_id=tenant_id,
        provider=provider,
        region="NA",
        account_id=account_id or new_seller_id(),
        marketplaces=marketplaces or [],
        **values,
    )
    session.add(connection)
    await session.flush()
    return connection


async def make_synced_connection(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    *,
    account_id: str,
    marketplaces: list[str],
    refresh_token: str,
    encryption_keys: list[str],
) -> Connection:
    """An active connection as onboarding leaves it: its refresh token stored encrypted and one
    orders `sync_state` row per marketplace."""
    connection = await make_connection(
        session, tenant_id, account_id=account_id, marketplaces=marketplaces, status="active"
    )
    await SqlTokenStore(sessionmaker, encryption_keys).store_refresh_token(
        session, str(tenant_id), str(connection.id), refresh_token
    )
    await SyncRepository(session).ensure_rows(
        tenant_id, connection.id, marketplaces, "orders", datetime.now(UTC)
    )
    return connection


@dataclass(frozen=True)
class Seller:
    """The ids of a tenant with one SP-API connection."""

    tenant_id: uuid.UUID
    connection_id: uuid.UUID


async def make_seller(session: AsyncSession, name: str = "Acme") -> Seller:
    tenant = await make_tenant(session, name)
    connection = await make_connection(session, tenant.id)
    return Seller(tenant.id, connection.id)
