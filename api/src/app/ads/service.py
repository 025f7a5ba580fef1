"""Use cases of the Ads domain. Services never commit: the request's unit of work does, then sends
the jobs enqueued here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from app.ads.repository import AdsRepository
from app.connections.service import ads_profile
from app.kit.errors import NotFound
from app.settings import get_settings
from app.sync.service import dispatch_due, request_provider_delta


async def request_sync(session: AsyncSession, tenant_id: uuid.UUID, profile_id: str | None) -> int:
    """Sync the tenant's Ads profiles now (or one profile): every Ads dataset's delta (the structure,
    and each report's restatement window) is forced and due at once. Returns the rows queued;
    NotFound for a profile the tenant does not have."""
    if profile_id is not None and await ads_profile(session, tenant_id, profile_id) is None:
        raise NotFound("Ads profile not found")
    queued = await request_provider_delta(session, tenant_id, "amazon_ads", profile_id)
    if queued:
        await dispatch_due(session, get_settings())
    return queued


async def delete_profiles_data(
    session: AsyncSession, tenant_id: uuid.UUID, profile_ids: Sequence[str]
) -> None:
    """Retention: every Ads row of the profiles of an Ads connection being deleted."""
    await AdsRepository(session).delete_for_profiles(tenant_id, profile_ids)
