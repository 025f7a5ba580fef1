"""What the connections domain announces (`app.kit.events`); the domains above it subscribe.

`ConnectionAuthorized`: the seller (or advertiser) authorized us, for the first time or again; the
connection works from now on. The sync engine gives the connection its sync rows (per marketplace for
a seller, per profile for an advertiser) and starts their backfill; the notifications domain
subscribes the seller to ORDER_CHANGE.
`ConnectionDisconnected`: the refresh token is gone; the sync engine stops scheduling its rows.
`ConnectionDataDeletionDue`: the connection's data is being deleted now (its grace period is over,
or a user deleted it): every domain deletes its own rows (and stored files) of that connection with
its own repository, in the publisher's unit of work; the connections domain then deletes the
connection itself (`connections/retention.py`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from app.kit.providers import Provider
from app.kit.regions import Region


@dataclass(frozen=True)
class ConnectionAuthorized:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    provider: Provider
    region: Region
    # SP-API: the marketplaces chosen for syncing; Ads: the ids of the profiles found (the Ads
    # datasets' `sync_state.marketplace_id`).
    marketplace_ids: tuple[str, ...]
    reconnected: bool


@dataclass(frozen=True)
class ConnectionDisconnected:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    provider: Provider


@dataclass(frozen=True)
class ConnectionDataDeletionDue:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    provider: Provider
    # The Ads profiles of an Ads connection (their Ads rows go with it); empty for a seller.
    profile_ids: tuple[str, ...]
