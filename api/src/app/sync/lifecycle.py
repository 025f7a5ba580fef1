"""The sync engine's part in a connection's life, as subscribers of the connections domain's events.

* `ConnectionAuthorized`: one `sync_state` row per chosen marketplace for each dataset of the
  connection's provider, due now (rows a disconnect paused resume with their watermarks), then
  `sync.connection_onboarded` once the authorization commits: the backfill starts by itself.
* `ConnectionDisconnected`: the connection's rows are paused; the scheduler skips them.
* `ConnectionDataDeletionDue`: the connection's rows and job records are deleted.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.events import ConnectionAuthorized, ConnectionDataDeletionDue, ConnectionDisconnected
from app.kit.events import subscriber
from app.sync.service import delete_connection_sync, pause_connection, start_connection


@subscriber(ConnectionAuthorized)
async def start_syncing(session: AsyncSession, event: ConnectionAuthorized) -> None:
    await start_connection(
        session, event.tenant_id, event.connection_id, event.provider, event.marketplace_ids
    )


@subscriber(ConnectionDisconnected)
async def stop_syncing(session: AsyncSession, event: ConnectionDisconnected) -> None:
    await pause_connection(session, event.tenant_id, event.connection_id)


@subscriber(ConnectionDataDeletionDue)
async def delete_sync_rows(session: AsyncSession, event: ConnectionDataDeletionDue) -> None:
    await delete_connection_sync(session, event.tenant_id, event.connection_id)
