"""SQL for notification destinations, subscriptions, and the connections a notification is for."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import Connection
from app.notifications.models import NotificationDestination, NotificationSubscription


class NotificationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def destination(self, region: str, sqs_arn: str) -> NotificationDestination | None:
        """The application's destination for this queue in a region (destinations are not tenants')."""
        result = await self.session.scalar(
            select(NotificationDestination).where(
                NotificationDestination.region == region, NotificationDestination.sqs_arn == sqs_arn
            )
        )
        return result

    async def add_destination(
        self, *, destination_id: str, region: str, name: str, sqs_arn: str
    ) -> NotificationDestination:
        await self.session.execute(
            insert(NotificationDestination)
            .values(destination_id=destination_id, region=region, name=name, sqs_arn=sqs_arn)
            .on_conflict_do_nothing(index_elements=["destination_id"])
        )
        found = await self.session.scalar(
            select(NotificationDestination).where(NotificationDestination.destination_id == destination_id)
        )
        assert found is not None
        return found

    async def save_subscription(
        self,
        *,
        tenant_id: uuid.UUID,
        connection_id: uuid.UUID,
        notification_type: str,
        subscription_id: str | None,
        destination_id: str,
        payload_version: str,
        status: str,
        last_error: str | None = None,
    ) -> None:
        values = {
            "subscription_id": subscription_id,
            "destination_id": destination_id,
            "payload_version": payload_version,
            "status": status,
            "last_error": last_error,
        }
        await self.session.execute(
            insert(NotificationSubscription)
            .values(
                tenant_id=tenant_id,
                connection_id=connection_id,
                notification_type=notification_type,
                **values,
            )
            .on_conflict_do_update(
                constraint="uq_notification_subscriptions_tenant_type",
                set_={**values, "updated_at": func.now()},
            )
        )

    async def subscriptions(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID | None = None
    ) -> list[NotificationSubscription]:
        query = select(NotificationSubscription).where(NotificationSubscription.tenant_id == tenant_id)
        if connection_id is not None:
            query = query.where(NotificationSubscription.connection_id == connection_id)
        order = (NotificationSubscription.connection_id, NotificationSubscription.notification_type)
        return list(await self.session.scalars(query.order_by(*order)))

    async def connections_of_seller(
        self, seller_id: str, marketplace_id: str | None
    ) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """(tenant_id, connection_id) of every active SP-API connection of this seller account that
        covers the marketplace. Deliberately across tenants: a notification names only the seller,
        and two tenants (say, the seller and its agency) may each have connected it."""
        query = select(Connection.tenant_id, Connection.id).where(
            Connection.provider == "amazon_sp",
            Connection.account_id == seller_id,
            Connection.status == "active",
        )
        if marketplace_id:
            query = query.where(Connection.marketplaces.contains([marketplace_id]))
        rows = (await self.session.execute(query.order_by(Connection.tenant_id, Connection.id))).all()
        return [(row[0], row[1]) for row in rows]

    async def connections_without(self, notification_type: str) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """(tenant_id, connection_id) of active SP-API connections with no active subscription of
        this type, across tenants: sellers connected before notifications were configured."""
        active = (
            select(NotificationSubscription.id)
            .where(
                NotificationSubscription.tenant_id == Connection.tenant_id,
                NotificationSubscription.connection_id == Connection.id,
                NotificationSubscription.notification_type == notification_type,
                NotificationSubscription.status == "active",
            )
            .exists()
        )
        query = (
            select(Connection.tenant_id, Connection.id)
            .where(Connection.provider == "amazon_sp", Connection.status == "active", ~active)
            .order_by(Connection.tenant_id, Connection.id)
        )
        return [(row[0], row[1]) for row in (await self.session.execute(query)).all()]

    async def forget_all(self) -> None:
        """Every destination and subscription record, across tenants (see `app.devserver`)."""
        await self.session.execute(delete(NotificationSubscription))
        await self.session.execute(delete(NotificationDestination))

    async def delete_for_connection(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> None:
        """The connection's subscription records (retention; its grant is gone, Amazon's side lapses)."""
        await self.session.execute(
            delete(NotificationSubscription).where(
                NotificationSubscription.tenant_id == tenant_id,
                NotificationSubscription.connection_id == connection_id,
            )
        )
