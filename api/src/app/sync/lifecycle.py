"""The sync engine's part in a connection's life, as subscribers of the connections domain's events.

* `ConnectionAuthorized` (SP-API): one `sync_state` row per chosen marketplace, due now (rows a
  disconnect paused resume with their watermarks), then `sync.connection_onboarded` once the
  authorization commits: the backfill starts by itself.
* `ConnectionDisconnected`: the connection's rows are paused; the scheduler skips them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.events import ConnectionAuthorized, ConnectionDisconnected
from app.kit.events import subscriber
from app.sync.repository import ENTITY, SyncRepository
from app.worker.enqueue import enqueue_job

# Declared in `app.sync.tasks` (which imports this module, so it cannot be imported from there).
ONBOARDED_ACTOR = "sync.connection_onboarded"


@subscriber(ConnectionAuthorized)
async def start_syncing(session: AsyncSession, event: ConnectionAuthorized) -> None:
    if event.provider != "amazon_sp":
        return
    await SyncRepository(session).ensure_rows(
        event.tenant_id, event.connection_id, event.marketplace_ids, ENTITY, datetime.now(UTC)
    )
    enqueue_job(
        session, ONBOARDED_ACTOR, connection_id=str(event.connection_id), tenant_id=str(event.tenant_id)
    )


@subscriber(ConnectionDisconnected)
async def stop_syncing(session: AsyncSession, event: ConnectionDisconnected) -> None:
    await SyncRepository(session).pause_connection(event.tenant_id, event.connection_id)
