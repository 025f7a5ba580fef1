"""Sync rows: one `sync_state` per (connection, marketplace or Ads profile, dataset)."""

from __future__ import annotations

import uuid
from typing import Any

from app.sync.models import SyncState


def sync_state(
    tenant_id: uuid.UUID, connection_id: uuid.UUID, scope: str, entity: str, **values: Any
) -> SyncState:
    """A row of dataset `entity` for marketplace or profile `scope` (not added to a session)."""
    return SyncState(
        tenant_id=tenant_id,
        connection_id=connection_id,
        marketplace_id=scope,
        entity=entity,
        extra={},
        **values,
    )
