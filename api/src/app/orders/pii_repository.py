"""SQL of the buyer-address cache (`order_address_cache`): ciphertext only, under the tenant's data
key; used only when PII_CACHE_DAYS > 0 (`orders/service.py`), purged on time (`orders/tasks.py`)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.orders.models import OrderAddressCache


class AddressCacheRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, tenant_id: uuid.UUID, order_id: int, now: datetime) -> bytes | None:
        payload: bytes | None = await self.session.scalar(
            select(OrderAddressCache.payload_enc).where(
                OrderAddressCache.tenant_id == tenant_id,
                OrderAddressCache.order_id == order_id,
                OrderAddressCache.expires_at > now,
            )
        )
        return payload

    async def put(
        self, tenant_id: uuid.UUID, order_id: int, payload_enc: bytes, expires_at: datetime
    ) -> None:
        statement = insert(OrderAddressCache).values(
            tenant_id=tenant_id, order_id=order_id, payload_enc=payload_enc, expires_at=expires_at
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[OrderAddressCache.tenant_id, OrderAddressCache.order_id],
                set_={
                    "payload_enc": payload_enc,
                    "expires_at": expires_at,
                    "cached_at": statement.excluded.cached_at,
                },
            )
        )

    async def purge(self, now: datetime) -> int:
        """Every tenant's expired addresses (the scheduler's purge, installation-wide on purpose)."""
        deleted = await self.session.execute(
            delete(OrderAddressCache)
            .where(OrderAddressCache.expires_at <= now)
            .returning(OrderAddressCache.order_id)
        )
        return len(deleted.all())
