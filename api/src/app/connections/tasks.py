"""Jobs of the connections domain.

`sync.connection_onboarded` starts a new connection's first sync and belongs to the sync engine.
Until the sync engine declares it, a stand-in that only logs is registered here, so onboarding can
enqueue it either way; `app.tasks` imports this module after the sync engine's, and the stand-in
steps aside when the real actor already exists.
"""

from __future__ import annotations

import structlog

from app.worker.actor import registered_tasks, task

log = structlog.get_logger("app.connections.tasks")

FIRST_SYNC_ACTOR = "sync.connection_onboarded"


async def connection_onboarded_stand_in(connection_id: str, tenant_id: str) -> None:
    log.info("sync.connection_onboarded.stand_in", connection_id=connection_id, tenant_id=tenant_id)


if FIRST_SYNC_ACTOR not in registered_tasks():
    task(FIRST_SYNC_ACTOR, queue="high", max_retries=3, time_limit_s=60)(connection_onboarded_stand_in)
