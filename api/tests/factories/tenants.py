"""Tenants."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.tenants.models import Tenant


async def make_tenant(session: AsyncSession, name: str = "Acme") -> Tenant:
    tenant = Tenant(name=name, slug=f"{name.lower().replace(' ', '-')}-{uuid.uuid4().hex[:8]}")
    session.add(tenant)
    await session.flush()
    return tenant
