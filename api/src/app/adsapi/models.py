"""Our models for the Ads API fields we use. Ids are strings everywhere (reports send numbers,
campaign management sends strings: normalised here so joins never miss)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


def _str_id(value: Any) -> Any:
    return None if value is None else str(value)


class AccountInfo(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    marketplace_string_id: str = Field(alias="marketplaceStringId")
    id: str
    type: str
    name: str | None = None


class Profile(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    profile_id: str = Field(alias="profileId")
    country_code: str = Field(alias="countryCode")
    currency_code: str = Field(alias="currencyCode")
    timezone: str
    daily_budget: Decimal | None = Field(default=None, alias="dailyBudget")
    account_info: AccountInfo = Field(alias="accountInfo")

    _ids = field_validator("profile_id", mode="before")(_str_id)


class AsyncReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    report_id: str = Field(alias="reportId")
    status: str  # PENDING | PROCESSING | COMPLETED | FAILED
    name: str | None = None
    start_date: date = Field(alias="startDate")
    end_date: date = Field(alias="endDate")
    configuration: dict[str, Any] = {}
    created_at: datetime | None = Field(default=None, alias="createdAt")
    updated_at: datetime | None = Field(default=None, alias="updatedAt")
    url: str | None = Field(default=None, repr=False)
    url_expires_at: datetime | None = Field(default=None, alias="urlExpiresAt")
    file_size: int | None = Field(default=None, alias="fileSize")
    failure_reason: str | None = Field(default=None, alias="failureReason")

    _ids = field_validator("report_id", mode="before")(_str_id)


class Budget(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    budget: Decimal
    budget_type: str = Field(alias="budgetType")


class Campaign(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    campaign_id: str = Field(alias="campaignId")
    name: str
    state: str
    targeting_type: str | None = Field(default=None, alias="targetingType")
    budget: Budget | None = None
    start_date: str | None = Field(default=None, alias="startDate")
    end_date: str | None = Field(default=None, alias="endDate")
    portfolio_id: str | None = Field(default=None, alias="portfolioId")

    _ids = field_validator("campaign_id", "portfolio_id", mode="before")(_str_id)


class AdGroup(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    ad_group_id: str = Field(alias="adGroupId")
    campaign_id: str = Field(alias="campaignId")
    name: str
    state: str
    default_bid: Decimal | None = Field(default=None, alias="defaultBid")

    _ids = field_validator("ad_group_id", "campaign_id", mode="before")(_str_id)


class ProductAd(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    ad_id: str = Field(alias="adId")
    ad_group_id: str = Field(alias="adGroupId")
    campaign_id: str = Field(alias="campaignId")
    state: str
    asin: str | None = None
    sku: str | None = None

    _ids = field_validator("ad_id", "ad_group_id", "campaign_id", mode="before")(_str_id)
