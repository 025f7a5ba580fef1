"""The Ads domain's part in every process: importing this module registers the Ads datasets with the
sync engine (`app.ads.sync`); their runs are the engine's `sync.run` jobs. The Ads rows of an Ads
connection's profiles go with that connection's data (`ConnectionDataDeletionDue`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.ads import sync as ads_sync
from app.ads.service import delete_profiles_data
from app.connections.events import ConnectionDataDeletionDue
from app.kit.events import subscriber

__all__ = ["ads_sync"]


@subscriber(ConnectionDataDeletionDue)
async def delete_ads_rows(session: AsyncSession, event: ConnectionDataDeletionDue) -> None:
    await delete_profiles_data(session, event.tenant_id, event.profile_ids)
