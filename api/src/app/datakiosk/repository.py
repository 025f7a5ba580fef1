"""All SQL of `datakiosk_queries`: the record of each Data Kiosk query a report ran as (the tenant's
`use_data_kiosk` flag), kept beside the `reports` row it answers."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.datakiosk.models import DataKioskQuery


class DataKioskRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_report(self, tenant_id: uuid.UUID, report_id: uuid.UUID) -> DataKioskQuery | None:
        statement = (
            select(DataKioskQuery)
            .where(DataKioskQuery.tenant_id == tenant_id, DataKioskQuery.report_id == report_id)
            .order_by(DataKioskQuery.created_at.desc())
        )
        return (await self.session.execute(statement)).scalars().first()

    async def record(
        self,
        tenant_id: uuid.UUID,
        connection_id: uuid.UUID,
        report_id: uuid.UUID,
        query: str,
        **values: Any,
    ) -> None:
        """Create or update the query row of a report (one per report)."""
        existing = await self.of_report(tenant_id, report_id)
        if existing is None:
            self.session.add(
                DataKioskQuery(
                    tenant_id=tenant_id,
                    connection_id=connection_id,
                    report_id=report_id,
                    query=query,
                    **values,
                )
            )
            await self.session.flush()
            return
        await self.session.execute(
            update(DataKioskQuery)
            .where(DataKioskQuery.id == existing.id)
            .values(**values, updated_at=func.now())
        )

    async def delete_for_connection(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> None:
        await self.session.execute(
            delete(DataKioskQuery).where(
                DataKioskQuery.tenant_id == tenant_id, DataKioskQuery.connection_id == connection_id
            )
        )
