"""Ads read API shapes. Money is a decimal string (exact) in the profile's currency, never summed
across currencies; ratios are floats, null when their denominator is 0 (or unknown)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

SyncPhase = Literal["backfilling", "ready", "paused", "error"]


class AdsProfileSync(BaseModel):
    state: SyncPhase = Field(description="backfilling until the first 95 days are in, then ready")
    progress: float = Field(description="Share of the backfill done, 0..1")
    eta: datetime | None = Field(description="Estimated end of the backfill (null when unknown or done)")
    data_from: date | None = Field(description="First local day with advertised-product rows")
    data_to: date | None = Field(description="Last local day with advertised-product rows")
    last_synced_at: datetime | None
    last_error: str | None


class AdsProfileWithSync(BaseModel):
    profile_id: str
    connection_id: uuid.UUID
    country_code: str | None
    currency_code: str | None
    timezone: str | None = Field(description="IANA time zone: the day boundary of every figure")
    marketplace_id: str | None
    account_type: str | None = Field(description="seller, vendor or agency")
    account_name: str | None
    linked_sp_connection_id: uuid.UUID | None = Field(
        description="The seller's SP-API connection whose orders give total sales (null: none linked)"
    )
    linked_seller_name: str | None
    sync: AdsProfileSync


class AdsProfilesPage(BaseModel):
    profiles: list[AdsProfileWithSync]


class AdsRatios(BaseModel):
    acos: float | None = Field(description="spend / ad_sales")
    roas: float | None = Field(description="ad_sales / spend")
    cpc: float | None = Field(description="spend / clicks")
    ctr: float | None = Field(description="clicks / impressions")
    conversion_rate: float | None = Field(description="purchases / clicks")


class AdsTraffic(BaseModel):
    impressions: int
    clicks: int
    spend: Decimal
    ad_sales: Decimal = Field(description="Sales attributed to the ads (7 or 14 days, `attribution`)")
    purchases: int
    units: int


class AdsCampaignOut(AdsTraffic, AdsRatios):
    campaign_id: str
    name: str | None = Field(description="Null for a campaign the reports know and the structure not yet")
    state: str | None
    targeting_type: str | None
    budget: Decimal | None
    budget_type: str | None
    ad_groups: int
    ads: int


class AdsCampaignsOut(BaseModel):
    currency_code: str | None
    items: list[AdsCampaignOut]


class AdsProductOut(AdsTraffic, AdsRatios):
    asin: str
    skus: list[str]
    campaign_id: str | None = Field(description="With group=campaign or ad_group")
    campaign_name: str | None
    ad_group_id: str | None = Field(description="With group=ad_group")
    ad_group_name: str | None
    total_sales: Decimal | None = Field(
        description="The ASIN's order sales on those local days (canceled orders excluded); "
        "null without a linked seller connection"
    )
    organic_sales: Decimal | None = Field(
        description="total_sales less the ASIN's own ad-attributed sales (same SKU); "
        "null on campaign and ad group rows"
    )
    halo_sales: Decimal = Field(description="Sales of other ASINs attributed to this advertised ASIN")
    tacos: float | None = Field(description="spend / total_sales")
    halo_share: float | None = Field(description="halo_sales / ad_sales")


class AdsProductsOut(BaseModel):
    currency_code: str | None
    items: list[AdsProductOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class AdsSeriesPoint(BaseModel):
    date: date
    impressions: int
    clicks: int
    spend: Decimal
    ad_sales: Decimal
    purchases: int
    units: int
    total_sales: Decimal | None
    acos: float | None
    tacos: float | None
    roas: float | None


class AdsSeriesTotals(AdsTraffic, AdsRatios):
    total_sales: Decimal | None
    organic_sales: Decimal | None = Field(
        description="total_sales less ad sales (a product: less its own same-SKU ad sales); "
        "null for a campaign or ad group"
    )
    tacos: float | None


class AdsTimeseriesOut(BaseModel):
    currency_code: str | None
    points: list[AdsSeriesPoint] = Field(description="Every local day of the range, zeros where none")
    totals: AdsSeriesTotals
    previous: AdsSeriesTotals = Field(description="The same number of days just before `start`")
    previous_start: date
    previous_end: date


class AdsSyncIn(BaseModel):
    profile_id: str | None = Field(default=None, description="One profile; none: every Ads profile")


class AdsSyncOut(BaseModel):
    queued: int = Field(description="Sync rows (profile x dataset) made due now")
