"""Amazon Ads: Sponsored Products structure and daily metrics (reporting v3) per advertiser profile.

The profiles themselves (`ads_profiles`) belong to their Ads connection: `app.connections.models`.

Amazon's ids (profiles, campaigns, ad groups, ads) are numbers in some responses and strings in
others; they are normalised to text. Child tables reference a profile by (tenant_id, profile_id),
Amazon's id, through a composite foreign key: rows read naturally in Amazon's terms and the key
still guarantees the profile belongs to the same tenant. Amazon's vocabularies (state, targeting
type, ...) are stored as sent. Metric days are in the profile's timezone, as Amazon reports them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKeyConstraint,
    Index,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey

Money = Numeric(14, 2)


def _profile_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", "profile_id"], ["ads_profiles.tenant_id", "ads_profiles.profile_id"], ondelete="CASCADE"
    )


class AdsCampaign(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    __tablename__ = "ads_campaigns"
    __table_args__ = (UniqueConstraint("tenant_id", "profile_id", "campaign_id"), _profile_fk())

    profile_id: Mapped[str] = mapped_column(String(30), nullable=False)
    campaign_id: Mapped[str] = mapped_column(String(30), nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str | None] = mapped_column(String(20))
    targeting_type: Mapped[str | None] = mapped_column(String(20))
    budget: Mapped[Decimal | None] = mapped_column(Money)
    budget_type: Mapped[str | None] = mapped_column(String(20))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)


class AdsAdGroup(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    __tablename__ = "ads_ad_groups"
    __table_args__ = (
        UniqueConstraint("tenant_id", "profile_id", "ad_group_id"),
        Index("ix_ads_ad_groups_tenant_profile_campaign", "tenant_id", "profile_id", "campaign_id"),
        _profile_fk(),
    )

    profile_id: Mapped[str] = mapped_column(String(30), nullable=False)
    ad_group_id: Mapped[str] = mapped_column(String(30), nullable=False)
    campaign_id: Mapped[str] = mapped_column(String(30), nullable=False)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str | None] = mapped_column(String(20))
    default_bid: Mapped[Decimal | None] = mapped_column(Money)


class AdsAd(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    """A Sponsored Products product ad (one advertised ASIN/SKU in one ad group)."""

    __tablename__ = "ads_ads"
    __table_args__ = (
        UniqueConstraint("tenant_id", "profile_id", "ad_id"),
        Index("ix_ads_ads_tenant_profile_ad_group", "tenant_id", "profile_id", "ad_group_id"),
        _profile_fk(),
    )

    profile_id: Mapped[str] = mapped_column(String(30), nullable=False)
    ad_id: Mapped[str] = mapped_column(String(30), nullable=False)
    ad_group_id: Mapped[str] = mapped_column(String(30), nullable=False)
    campaign_id: Mapped[str] = mapped_column(String(30), nullable=False)
    asin: Mapped[str | None] = mapped_column(String(20))
    sku: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str | None] = mapped_column(String(20))


class _DailyMetricsRow:
    """Shared shape of the reporting tables: upserted on their dimensions, which are their primary
    key (no surrogate id: nothing refers to a day's row, and an id's sequence and index cost as much
    per row written as the rest of the insert; bench/b9_ads_ingest.py).

    Conversions are restated for up to 28 days, so a trailing window is re-fetched and upserted;
    `updated_at` tells when a day was last restated. One foreign key per row, to the profile (which
    implies the tenant): each key is checked for every row a backfill writes.
    """

    # Tied to its tenant through the profile's key (`_profile_fk`), not by a key of its own.
    tenant_id: Mapped[uuid.UUID] = mapped_column(nullable=False)
    profile_id: Mapped[str] = mapped_column(String(30), nullable=False)
    date: Mapped[date] = mapped_column(Date, nullable=False)
    campaign_id: Mapped[str] = mapped_column(String(30), nullable=False)
    ad_group_id: Mapped[str] = mapped_column(String(30), nullable=False)
    advertised_asin: Mapped[str | None] = mapped_column(String(20))
    currency: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        server_default=func.now(), onupdate=func.now(), nullable=False
    )


def _count() -> Mapped[int]:
    return mapped_column(BigInteger, nullable=False, default=0, server_default="0")


def _money() -> Mapped[Decimal]:
    return mapped_column(Money, nullable=False, default=Decimal(0), server_default="0")


class AdsSpAdvertisedProductDaily(_DailyMetricsRow, TenantOwned, Base):
    """spAdvertisedProduct report, groupBy advertiser: one row per ad per day.

    Spend, clicks and impressions come from here; ACOS = cost / sales, ROAS = sales / cost,
    CPC = cost / clicks and CTR = clicks / impressions are computed when read.
    """

    __tablename__ = "ads_sp_advertised_product_daily"
    __table_args__ = (
        PrimaryKeyConstraint("tenant_id", "profile_id", "date", "ad_id"),
        # Metrics per product over time.
        Index(
            "ix_ads_sp_advertised_product_daily_tenant_profile_asin_date",
            "tenant_id",
            "profile_id",
            "advertised_asin",
            "date",
        ),
        _profile_fk(),
    )

    ad_id: Mapped[str] = mapped_column(String(30), nullable=False)
    advertised_sku: Mapped[str | None] = mapped_column(String(200))
    impressions: Mapped[int] = _count()
    clicks: Mapped[int] = _count()
    cost: Mapped[Decimal] = _money()
    sales_1d: Mapped[Decimal] = _money()
    sales_7d: Mapped[Decimal] = _money()
    sales_14d: Mapped[Decimal] = _money()
    sales_30d: Mapped[Decimal] = _money()
    purchases_1d: Mapped[int] = _count()
    purchases_7d: Mapped[int] = _count()
    purchases_14d: Mapped[int] = _count()
    purchases_30d: Mapped[int] = _count()
    units_sold_1d: Mapped[int] = _count()
    units_sold_7d: Mapped[int] = _count()
    units_sold_14d: Mapped[int] = _count()
    units_sold_30d: Mapped[int] = _count()
    # Purchases of the advertised SKU itself (the rest of `sales_7d` is other SKUs: the halo).
    sales_same_sku_7d: Mapped[Decimal] = _money()
    sales_same_sku_14d: Mapped[Decimal] = _money()
    purchases_same_sku_7d: Mapped[int] = _count()
    purchases_same_sku_14d: Mapped[int] = _count()
    units_same_sku_7d: Mapped[int] = _count()
    units_same_sku_14d: Mapped[int] = _count()


class AdsSpPurchasedProductDaily(_DailyMetricsRow, TenantOwned, Base):
    """spPurchasedProduct report, groupBy asin: sales of other ASINs attributed to an advertised one."""

    __tablename__ = "ads_sp_purchased_product_daily"
    __table_args__ = (
        # advertised_sku is part of the key (one ASIN can be advertised under several SKUs), so it
        # is NOT NULL with '' for "none" to keep ON CONFLICT usable.
        PrimaryKeyConstraint(
            "tenant_id",
            "profile_id",
            "date",
            "campaign_id",
            "ad_group_id",
            "advertised_asin",
            "advertised_sku",
            "purchased_asin",
        ),
        _profile_fk(),
    )

    advertised_asin: Mapped[str] = mapped_column(String(20), nullable=False)
    advertised_sku: Mapped[str] = mapped_column(
        String(200), nullable=False, default="", server_default=text("''")
    )
    purchased_asin: Mapped[str] = mapped_column(String(20), nullable=False)
    sales_7d: Mapped[Decimal] = _money()
    sales_14d: Mapped[Decimal] = _money()
    purchases_7d: Mapped[int] = _count()
    purchases_14d: Mapped[int] = _count()
    units_7d: Mapped[int] = _count()
    units_14d: Mapped[int] = _count()
