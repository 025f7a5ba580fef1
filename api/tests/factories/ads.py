"""Amazon Ads: profiles (with their Ads connection and the seller link), campaigns, ad groups,
product ads, and their spAdvertisedProduct / spPurchasedProduct daily rows."""

from __future__ import annotations

import itertools
import random
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.ads.models import (
    AdsAd,
    AdsAdGroup,
    AdsCampaign,
    AdsSpAdvertisedProductDaily,
    AdsSpPurchasedProductDaily,
)
from app.connections.models import AdsProfile, Connection
from tests.factories.connections import make_connection
from tests.factories.tenants import make_tenant

_ids = itertools.count(random.randrange(10**9, 10**10))


def new_ads_id() -> str:
    """Amazon's numeric ids, as text (how the tables keep them)."""
    return str(next(_ids))


async def make_profile(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    seller: Connection | None = None,
    connection: Connection | None = None,
    **values: Any,
) -> AdsProfile:
    """A US seller profile of an Ads connection (made when not given), linked to `seller` if any."""
    if connection is None:
        connection = await make_connection(
            session,
            tenant_id,
            provider="amazon_ads",
            parent_connection_id=seller.id if seller else None,
            marketplaces=[values.get("marketplace_id", "ATVPDKIKX0DER")],
        )
    profile = AdsProfile(
        tenant_id=tenant_id,
        connection_id=connection.id,
        **{
            "profile_id": new_ads_id(),
            "country_code": "US",
            "currency_code": "USD",
            "timezone": "America/Los_Angeles",
            "marketplace_id": "ATVPDKIKX0DER",
            "account_type": "seller",
            "account_name": "Acme",
            "account_id": seller.account_id if seller else None,
            "linked_sp_connection_id": seller.id if seller else None,
            **values,
        },
    )
    session.add(profile)
    await session.flush()
    return profile


@dataclass(frozen=True)
class Profile:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    profile_id: str


async def make_ads_profile(
    session: AsyncSession, *, timezone: str = "America/Los_Angeles", currency: str = "USD"
) -> Profile:
    """A new tenant with an active Ads connection and one profile of it."""
    tenant = await make_tenant(session, "Advertiser")
    profile = await make_profile(session, tenant.id, timezone=timezone, currency_code=currency)
    return Profile(tenant.id, profile.connection_id, profile.profile_id)


async def make_campaign(session: AsyncSession, profile: AdsProfile, **values: Any) -> AdsCampaign:
    campaign_id = values.pop("campaign_id", None) or new_ads_id()
    campaign = AdsCampaign(
        tenant_id=profile.tenant_id,
        profile_id=profile.profile_id,
        campaign_id=campaign_id,
        **{
            "name": f"Campaign {campaign_id}",
            "state": "ENABLED",
            "targeting_type": "AUTO",
            "budget": Decimal("25.00"),
            "budget_type": "DAILY",
            **values,
        },
    )
    session.add(campaign)
    await session.flush()
    return campaign


async def make_ad_group(session: AsyncSession, campaign: AdsCampaign, **values: Any) -> AdsAdGroup:
    ad_group_id = values.pop("ad_group_id", None) or new_ads_id()
    group = AdsAdGroup(
        tenant_id=campaign.tenant_id,
        profile_id=campaign.profile_id,
        campaign_id=campaign.campaign_id,
        ad_group_id=ad_group_id,
        **{"name": f"Ad group {ad_group_id}", "state": "ENABLED", "default_bid": Decimal("0.75"), **values},
    )
    session.add(group)
    await session.flush()
    return group


async def make_ad(session: AsyncSession, group: AdsAdGroup, asin: str, sku: str, **values: Any) -> AdsAd:
    ad = AdsAd(
        tenant_id=group.tenant_id,
        profile_id=group.profile_id,
        campaign_id=group.campaign_id,
        ad_group_id=group.ad_group_id,
        ad_id=values.pop("ad_id", None) or new_ads_id(),
        asin=asin,
        sku=sku,
        **{"state": "ENABLED", **values},
    )
    session.add(ad)
    await session.flush()
    return ad


def advertised_day(ad: AdsAd, day: date, **metrics: Any) -> AdsSpAdvertisedProductDaily:
    """An spAdvertisedProduct row of `ad` on the local `day` (metrics default to 0; currency USD)."""
    return AdsSpAdvertisedProductDaily(
        tenant_id=ad.tenant_id,
        profile_id=ad.profile_id,
        date=day,
        campaign_id=ad.campaign_id,
        ad_group_id=ad.ad_group_id,
        ad_id=ad.ad_id,
        advertised_asin=ad.asin,
        advertised_sku=ad.sku,
        **{"currency": "USD", **metrics},
    )


def purchased_day(ad: AdsAd, day: date, purchased_asin: str, **metrics: Any) -> AdsSpPurchasedProductDaily:
    """An spPurchasedProduct row: sales of `purchased_asin` attributed to `ad`'s ASIN on `day`."""
    return AdsSpPurchasedProductDaily(
        tenant_id=ad.tenant_id,
        profile_id=ad.profile_id,
        date=day,
        campaign_id=ad.campaign_id,
        ad_group_id=ad.ad_group_id,
        advertised_asin=ad.asin,
        advertised_sku=ad.sku or "",
        purchased_asin=purchased_asin,
        **{"currency": "USD", **metrics},
    )


async def add_rows(session: AsyncSession, rows: list[Any]) -> None:
    session.add_all(rows)
    await session.flush()
