"""Shapes of the onboarding and connections API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.connections.models import AdsProfile, Connection
from app.kit.providers import Provider
from app.kit.regions import Region


class ConsentUrl(BaseModel):
    """Where to send the browser: Seller Central's (or Login with Amazon's) consent page."""

    model_config = ConfigDict(populate_by_name=True)

    consent_url: str = Field(alias="consentUrl")


class MarketplaceOut(BaseModel):
    id: str
    country_code: str
    name: str
    region: Region


class AdsProfileOut(BaseModel):
    profile_id: str
    country_code: str | None
    currency_code: str | None
    timezone: str | None
    marketplace_id: str | None
    account_type: str | None
    account_name: str | None
    # The SP-API connection of the same marketplace (and seller, when it is the same account).
    linked_sp_connection_id: str | None

    @classmethod
    def of(cls, profile: AdsProfile) -> AdsProfileOut:
        return cls(
            profile_id=profile.profile_id,
            country_code=profile.country_code,
            currency_code=profile.currency_code,
            timezone=profile.timezone,
            marketplace_id=profile.marketplace_id,
            account_type=profile.account_type,
            account_name=profile.account_name,
            linked_sp_connection_id=str(profile.linked_sp_connection_id)
            if profile.linked_sp_connection_id
            else None,
        )


class ConnectionOut(BaseModel):
    id: str
    provider: Provider
    region: Region
    # selling_partner_id (SP-API) or the advertiser account id (Ads).
    account_id: str
    display_name: str | None
    # Marketplaces the seller participates in (SP-API) or of its ad profiles (Ads).
    marketplaces: list[str]
    # Marketplaces chosen for syncing (SP-API).
    selected_marketplaces: list[str]
    status: Literal["active", "needs_reauth", "revoked"]
    connected_at: datetime
    authorized_at: datetime
    disconnected_at: datetime | None
    # When everything synced for this connection will be deleted (it was disconnected or Amazon
    # revoked access); a reconnect before then cancels it. Null while the data is kept.
    data_deletion_due_at: datetime | None = None
    last_error: str | None
    parent_connection_id: str | None
    profiles: list[AdsProfileOut] = []

    @classmethod
    def of(cls, connection: Connection, profiles: list[AdsProfile] | None = None) -> ConnectionOut:
        extra: dict[str, Any] = connection.extra or {}
        return cls(
            id=str(connection.id),
            provider=connection.provider,
            region=connection.region,
            account_id=connection.account_id,
            display_name=connection.display_name,
            marketplaces=list(connection.marketplaces or []),
            selected_marketplaces=[m for m in extra.get("selected_marketplaces", []) if isinstance(m, str)],
            status=connection.status,
            connected_at=connection.connected_at,
            authorized_at=connection.authorized_at,
            disconnected_at=connection.disconnected_at,
            data_deletion_due_at=connection.data_deletion_due_at,
            last_error=connection.last_error,
            parent_connection_id=str(connection.parent_connection_id)
            if connection.parent_connection_id
            else None,
            profiles=[AdsProfileOut.of(p) for p in profiles or []],
        )
