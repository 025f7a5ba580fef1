"""Amazon accounts connected to a tenant, and the advertiser profiles an Ads connection sees.

Only identifiers and status live here. The refresh token is in `tokens` (encrypted); access tokens
and restricted data tokens are never stored anywhere.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey


class Connection(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    __tablename__ = "connections"
    __table_args__ = (
        # One row per Amazon account per tenant: reconnecting updates it instead of duplicating it.
        UniqueConstraint("tenant_id", "provider", "region", "account_id"),
        # What the report row tables' foreign key refers to: a row belongs to a connection of its
        # own tenant (one key checks both, where two would cost a lookup each per row written).
        UniqueConstraint("tenant_id", "id"),
        CheckConstraint("provider IN ('amazon_sp', 'amazon_ads')", name="provider"),
        CheckConstraint("region IN ('NA', 'EU', 'FE')", name="region"),
        CheckConstraint("status IN ('active', 'needs_reauth', 'revoked')", name="status"),
        # The retention tick's scan: only connections whose data is due for deletion.
        Index(
            "ix_connections_data_deletion_due_at",
            "data_deletion_due_at",
            postgresql_where=text("data_deletion_due_at IS NOT NULL"),
        ),
    )

    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    region: Mapped[str] = mapped_column(String(2), nullable=False)
    # selling_partner_id for SP-API; the advertiser's account id (or profile id) for Ads.
    account_id: Mapped[str] = mapped_column(String(100), nullable=False)
    display_name: Mapped[str | None] = mapped_column(String(200))
    # Marketplace ids the account participates in (SP) or whose profiles it can see (Ads).
    marketplaces: Mapped[list[str]] = mapped_column(
        JSONB, nullable=False, default=list, server_default=text("'[]'::jsonb")
    )
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default="active", server_default=text("'active'")
    )
    connected_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    # Last time the seller granted consent; SP-API authorizations lapse after 365 days, so the
    # panel warns ahead of `authorized_at + 365 days`.
    authorized_at: Mapped[datetime] = mapped_column(server_default=func.now(), nullable=False)
    disconnected_at: Mapped[datetime | None] = mapped_column()
    # Set when the seller disconnects or Amazon revokes the grant: the data synced for this
    # connection is deleted then (DPP: deletion on revoke, after a grace period the tenant sees);
    # cleared by a reconnect before that date (`connections/retention.py`).
    data_deletion_due_at: Mapped[datetime | None] = mapped_column()
    # Short, token-free description of the last failure (e.g. "invalid_grant").
    last_error: Mapped[str | None] = mapped_column(Text)
    created_by_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # An Ads connection linked to the SP-API connection of the same seller (metrics next to orders).
    parent_connection_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("connections.id", ondelete="SET NULL"), index=True
    )
    # Anything provider-specific that does not deserve a column (e.g. the Ads account type).
    extra: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, default=dict, server_default=text("'{}'::jsonb")
    )


class AdsProfile(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    """An advertiser profile (one per marketplace and account) of an Ads connection, found when the
    advertiser authorizes us. The Ads tables (`app.ads.models`) hang off (tenant_id, profile_id)."""

    __tablename__ = "ads_profiles"
    __table_args__ = (
        UniqueConstraint("tenant_id", "profile_id"),
        Index(None, "connection_id"),
    )

    # The Ads connection that sees this profile.
    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    profile_id: Mapped[str] = mapped_column(String(30), nullable=False)
    country_code: Mapped[str | None] = mapped_column(String(2))
    currency_code: Mapped[str | None] = mapped_column(String(3))
    # IANA name, e.g. America/Los_Angeles: the day boundary of this profile's metrics.
    timezone: Mapped[str | None] = mapped_column(String(64))
    marketplace_id: Mapped[str | None] = mapped_column(String(30))
    # accountInfo.type: seller, vendor or agency.
    account_type: Mapped[str | None] = mapped_column(String(20))
    account_name: Mapped[str | None] = mapped_column(String(200))
    # accountInfo.id: the advertiser entity (for sellers, their selling partner id).
    account_id: Mapped[str | None] = mapped_column(String(100))
    # The SP-API connection of the same seller, so ad metrics can sit next to orders.
    linked_sp_connection_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("connections.id", ondelete="SET NULL")
    )
