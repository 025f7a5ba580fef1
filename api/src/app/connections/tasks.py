"""Jobs of the connections domain: the retention of a disconnected or revoked seller's data.

* Scheduler tick (`retention_tick`): every connection whose `data_deletion_due_at` has passed gets a
  `connections.delete_data` job.
* `connections.delete_data(connection_id, tenant_id)`: deletes the connection's data if it is still
  due (a reconnect in between cancels it); idempotent: a connection already gone is nothing to do.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import structlog

from app.connections.retention import DELETE_DATA_ACTOR, delete_if_due, due_connections
from app.worker.actor import task
from app.worker.context import task_session
from app.worker.enqueue import enqueue_job
from app.worker.scheduler import on_tick

log = structlog.get_logger("app.connections")


@task(DELETE_DATA_ACTOR, queue="default", max_retries=10, time_limit_s=3600)
async def delete_data(connection_id: str, tenant_id: str) -> None:
    async with task_session() as session:
        deleted = await delete_if_due(
            session, uuid.UUID(tenant_id), uuid.UUID(connection_id), datetime.now(UTC)
        )
    log.info("connections.delete_data", connection_id=connection_id, deleted=deleted)


@on_tick
async def retention_tick() -> None:
    async with task_session() as session:
        due = await due_connections(session, datetime.now(UTC))
        for tenant_id, connection_id in due:
            enqueue_job(
                session, DELETE_DATA_ACTOR, connection_id=str(connection_id), tenant_id=str(tenant_id)
            )
    if due:
        log.info("connections.retention_tick", due=len(due))
