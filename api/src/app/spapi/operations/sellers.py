"""Sellers API v1: getMarketplaceParticipations (onboarding: which marketplaces a seller sells in)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.spapi.primitives import Operation, SpApiCaller

GET_PARTICIPATIONS = Operation(
    "sellers", "getMarketplaceParticipations", "GET", "/sellers/v1/marketplaceParticipations"
)


class Marketplace(BaseModel):
    id: str
    name: str
    country_code: str = Field(alias="countryCode")
    default_currency_code: str = Field(alias="defaultCurrencyCode")
    default_language_code: str = Field(alias="defaultLanguageCode")
    domain_name: str = Field(alias="domainName")


class Participation(BaseModel):
    is_participating: bool = Field(alias="isParticipating")
    has_suspended_listings: bool = Field(alias="hasSuspendedListings")


class MarketplaceParticipation(BaseModel):
    marketplace: Marketplace
    participation: Participation
    store_name: str | None = Field(default=None, alias="storeName")


class SellersApi:
    def __init__(self, client: SpApiCaller) -> None:
        self._client = client

    async def get_marketplace_participations(self) -> list[MarketplaceParticipation]:
        body = await self._client.call_json(GET_PARTICIPATIONS)
        return [MarketplaceParticipation.model_validate(p) for p in body.get("payload") or []]
