"""Ads: an advertiser (a tenant's Ads connection) with one profile."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import AdsProfile
from tests.factories.connections import make_connection
from tests.factories.tenants import make_tenant


@dataclass(frozen=True)
class Profile:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    profile_id: str


async def make_ads_profile(
    session: AsyncSession, *, timezone: str = "America/Los_Angeles", currency: str = "USD"
) -> Profile:
    tenant = await make_tenant(session, "Advertiser")
    connection = await make_connection(session, tenant.id, provider="amazon_ads", status="active")
    profile_id = str(uuid.uuid4().int % 10**15)
    session.add(
        AdsProfile(
            tenant_id=tenant.id,
            connection_id=connection.id,
            profile_id=profile_id,
            country_code="US",
            currency_code=currency,
            timezone=timezone,
            marketplace_id="ATVPDKIKX0DER",
            account_type="seller",
        )
    )
    await session.flush()
    return Profile(tenant.id, connection.id, profile_id)
