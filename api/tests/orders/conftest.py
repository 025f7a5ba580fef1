"""Shared data for the orders tests: a tenant with one SP-API connection, and realistic payloads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import Connection
from app.tenants.models import Tenant


@dataclass(frozen=True)
class Seller:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID


async def make_seller(session: AsyncSession, name: str = "Acme") -> Seller:
    tenant = Tenant(name=name, slug=f"{name.lower()}-{uuid.uuid4().hex[:8]}")
    session.add(tenant)
    await session.flush()
    connection = Connection(
        tenant_id=tenant.id, provider="amazon_sp", region="NA", account_id=f"A{uuid.uuid4().hex[:12].upper()}"
    )
    session.add(connection)
    await session.flush()
    return Seller(tenant.id, connection.id)


@pytest.fixture
async def seller(session: AsyncSession) -> Seller:
    return await make_seller(session)
