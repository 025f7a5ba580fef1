"""Retention of a seller's data after the authorization ends (Amazon's Data Protection Policy:
data is deleted when the seller revokes access).

* A disconnect (`service.disconnect`) or Amazon refusing the grant (`clients.MarkNeedsReauth`,
  `invalid_grant`) schedules the deletion: `connections.data_deletion_due_at` = now +
  DATA_DELETION_GRACE_DAYS (at most 30), shown to the tenant in the panel, audited
  (`connection.data_deletion_scheduled`).
* A reconnect before that date cancels it (`connection.data_deletion_cancelled`).
* The scheduler's tick (`connections/tasks.py`) enqueues `connections.delete_data` for each due
  connection; the job calls `delete_connection_data`: `ConnectionDataDeletionDue` is published and
  every domain above deletes its own rows and stored files with its own repository (orders,
  reports and their rows, Data Kiosk records, feeds, Ads rows of the connection's profiles, sync
  rows, notification subscriptions); then this domain deletes what is below or its own: the
  document records and files (`documents`), the refresh token (`tokens`), the Ads profiles and the
  connection. One unit of work: all or nothing; a retried job finds what is left.
  Audited `connection.data_deleted`. A user's "Delete data" does the same at once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import cast

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.connections.events import ConnectionDataDeletionDue
from app.connections.models import Connection
from app.connections.repository import AdsProfileRepository, ConnectionRepository
from app.documents.service import delete_connection_documents
from app.documents.storage import storage_from_settings
from app.kit.events import publish
from app.kit.providers import Provider
from app.settings import get_settings
from app.tokens.repository import delete_refresh_token

log = structlog.get_logger("app.connections.retention")

DELETE_DATA_ACTOR = "connections.delete_data"


async def schedule_deletion(
    session: AsyncSession,
    connection: Connection,
    *,
    reason: str,
    actor_user_id: uuid.UUID | None,
    request_id: str | None = None,
    now: datetime | None = None,
) -> datetime:
    """Set (or keep, if earlier) the date the connection's data will be deleted; audited."""
    now = now or datetime.now(UTC)
    due = now + timedelta(days=get_settings().security.data_deletion_grace_days)
    if connection.data_deletion_due_at is not None and connection.data_deletion_due_at <= due:
        return connection.data_deletion_due_at  # already scheduled: a second event never delays it
    await ConnectionRepository(session).set_data_deletion_due(connection.tenant_id, connection.id, due)
    await record(
        session,
        tenant_id=connection.tenant_id,
        actor_user_id=actor_user_id,
        action="connection.data_deletion_scheduled",
        target_type="connection",
        target_id=str(connection.id),
        data={"reason": reason, "due_at": due.isoformat(), "provider": connection.provider},
        request_id=request_id,
    )
    return due


async def cancel_deletion(
    session: AsyncSession, connection: Connection, *, actor_user_id: uuid.UUID | None, request_id: str | None
) -> bool:
    """A reconnect keeps the data: the scheduled deletion is cancelled (audited). False when none was."""
    was_due_at = connection.data_deletion_due_at
    if was_due_at is None:
        return False
    await ConnectionRepository(session).set_data_deletion_due(connection.tenant_id, connection.id, None)
    await record(
        session,
        tenant_id=connection.tenant_id,
        actor_user_id=actor_user_id,
        action="connection.data_deletion_cancelled",
        target_type="connection",
        target_id=str(connection.id),
        data={"was_due_at": was_due_at.isoformat(), "provider": connection.provider},
        request_id=request_id,
    )
    return True


async def due_connections(
    session: AsyncSession, now: datetime, limit: int = 100
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    return await ConnectionRepository(session).due_for_data_deletion(now, limit)


async def delete_connection_data(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    connection_id: uuid.UUID,
    *,
    reason: str,
    actor_user_id: uuid.UUID | None = None,
    request_id: str | None = None,
    action: str = "connection.data_deleted",
) -> bool:
    """Delete everything stored for the connection, then the connection (see the module's
    docstring). False when there is nothing left to delete."""
    connections = ConnectionRepository(session)
    connection = await connections.get(tenant_id, connection_id)
    if connection is None:
        return False
    profile_ids = await AdsProfileRepository(session).profile_ids_of(tenant_id, connection_id)
    await publish(
        session,
        ConnectionDataDeletionDue(
            tenant_id=tenant_id,
            connection_id=connection_id,
            provider=cast(Provider, connection.provider),
            profile_ids=tuple(profile_ids),
        ),
    )
    await delete_connection_documents(
        session, storage_from_settings(get_settings()), tenant_id, connection_id
    )
    await delete_refresh_token(session, tenant_id, connection_id)
    await AdsProfileRepository(session).delete_for_connection(tenant_id, connection_id)
    await connections.delete(tenant_id, connection_id)
    await record(
        session,
        tenant_id=tenant_id,
        actor_user_id=actor_user_id,
        action=action,
        target_type="connection",
        target_id=str(connection_id),
        data={
            "reason": reason,
            "provider": connection.provider,
            "account_id": connection.account_id,
            "profiles": len(profile_ids),
        },
        request_id=request_id,
    )
    log.info("connections.data_deleted", connection_id=str(connection_id), reason=reason)
    return True


async def delete_if_due(
    session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID, now: datetime
) -> bool:
    """The job's check: the deletion runs only if still due (a reconnect in between cancels it)."""
    connection = await ConnectionRepository(session).get(tenant_id, connection_id)
    if (
        connection is None
        or connection.status == "active"
        or connection.data_deletion_due_at is None
        or connection.data_deletion_due_at > now
    ):
        return False
    return await delete_connection_data(session, tenant_id, connection_id, reason="retention")
