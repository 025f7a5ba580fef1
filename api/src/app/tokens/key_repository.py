"""SQL of the tenants' data keys (`tenant_keys`): each row is a tenant's Fernet key, wrapped by the
master keys. `app.tokens.tenant_keys` wraps and unwraps; `CiphertextRepository` re-wraps them when
the master key rotates."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.tokens.models import TenantKey


class TenantKeyRepository:
    """The tenants' wrapped data keys (`TenantKey`); `app.tokens.tenant_keys` wraps and unwraps."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, tenant_id: uuid.UUID) -> bytes | None:
        key_enc: bytes | None = await self.session.scalar(
            select(TenantKey.key_enc).where(TenantKey.tenant_id == tenant_id)
        )
        return key_enc

    async def add_if_missing(self, tenant_id: uuid.UUID, key_enc: bytes) -> bytes:
        """Store this wrapped key unless the tenant has one already; returns the one kept (two
        processes creating a tenant's first key at once agree on the winner's)."""
        await self.session.execute(
            insert(TenantKey).values(tenant_id=tenant_id, key_enc=key_enc).on_conflict_do_nothing()
        )
        kept = await self.get(tenant_id)
        assert kept is not None
        return kept

    async def destroy(self, tenant_id: uuid.UUID) -> bool:
        """Crypto-shredding: without its key, every ciphertext of the tenant is unreadable."""
        deleted = await self.session.execute(
            delete(TenantKey).where(TenantKey.tenant_id == tenant_id).returning(TenantKey.tenant_id)
        )
        return deleted.first() is not None
