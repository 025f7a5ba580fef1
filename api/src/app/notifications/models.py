"""SP-API notification destinations (the application's) and subscriptions (per seller)."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, TenantOwned, Timestamps, UUIDPrimaryKey


class NotificationDestination(UUIDPrimaryKey, Timestamps, Base):
    """A destination belongs to the application (created with a grantless token), one per region."""

    __tablename__ = "notification_destinations"
    __table_args__ = (
        UniqueConstraint("destination_id"),
        CheckConstraint("region IN ('NA', 'EU', 'FE')", name="region"),
    )

    destination_id: Mapped[str] = mapped_column(String(100), nullable=False)
    region: Mapped[str] = mapped_column(String(2), nullable=False)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    # The SQS queue ARN (or, for EventBridge, the event bus ARN) Amazon delivers to.
    sqs_arn: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)


class NotificationSubscription(UUIDPrimaryKey, TenantOwned, Timestamps, Base):
    __tablename__ = "notification_subscriptions"
    __table_args__ = (
        UniqueConstraint(
            "tenant_id",
            "connection_id",
            "notification_type",
            name="uq_notification_subscriptions_tenant_type",
        ),
        Index(None, "connection_id"),
        # Incoming notifications are matched to a seller by Amazon's subscription id.
        Index(None, "subscription_id"),
        CheckConstraint("status IN ('pending', 'active', 'deleted', 'error')", name="status"),
    )

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), nullable=False
    )
    notification_type: Mapped[str] = mapped_column(String(80), nullable=False)
    subscription_id: Mapped[str | None] = mapped_column(String(100))
    destination_id: Mapped[str] = mapped_column(String(100), nullable=False)
    payload_version: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(
        String(20), nullable=False, default="pending", server_default=text("'pending'")
    )
    last_error: Mapped[str | None] = mapped_column(Text)
