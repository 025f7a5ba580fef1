"""Shared data for the orders tests: a tenant with one SP-API connection, and realistic payloads."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories.connections import make_connection
from tests.factories.tenants import make_tenant


@dataclass(frozen=True)
class Seller:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID


async def make_seller(session: AsyncSession, name: str = "Acme") -> Seller:
    tenant = await make_tenant(session, name)
    connection = await make_connection(session, tenant.id)
    return Seller(tenant.id, connection.id)


@pytest.fixture
async def seller(session: AsyncSession) -> Seller:
    return await make_seller(session)
