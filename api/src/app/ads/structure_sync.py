"""The Sponsored Products campaign structure as a dataset of the sync engine (`ads_structure`): no
backfill (Amazon lists what exists now); each delta lists every campaign, ad group and product ad of
the profile through the SP v3 list endpoints, in every state, page by page, each page upserted with
its cursor (`campaigns:<token>`, then `adGroups:`, then `productAds:`), so a resumed run asks for
the next page and a token Amazon forgot restarts the listing. Daily, like the reports, and at once
when a user asks (`POST /api/ads/sync`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.ads import profile_scope
from app.ads.models import AdsAd, AdsAdGroup, AdsCampaign
from app.ads.repository import AdsRepository
from app.adsapi import AdGroup, AdsClient, Campaign, ProductAd
from app.adsapi.client import ListKind
from app.amazon_http.jobs import AsyncDocumentSource
from app.documents.service import DocumentRequest
from app.settings import Settings
from app.sync.dataset import Counts, DeltaBy, OpenRows, Page, Scope, WindowKind
from app.sync.planner import Window

# The most the list endpoints return per page.
PAGE_SIZE = 1000
_ORDER: tuple[ListKind, ...] = ("campaigns", "adGroups", "productAds")
_POSITION: dict[str, int] = {kind: n for n, kind in enumerate(_ORDER)}


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def campaign_row(item: dict[str, Any]) -> dict[str, Any]:
    campaign = Campaign.model_validate(item)
    return {
        "campaign_id": campaign.campaign_id,
        "name": campaign.name,
        "state": campaign.state,
        "targeting_type": campaign.targeting_type,
        "budget": campaign.budget.budget if campaign.budget else None,
        "budget_type": campaign.budget.budget_type if campaign.budget else None,
        "start_date": _day(campaign.start_date),
        "end_date": _day(campaign.end_date),
    }


def ad_group_row(item: dict[str, Any]) -> dict[str, Any]:
    group = AdGroup.model_validate(item)
    return {
        "ad_group_id": group.ad_group_id,
        "campaign_id": group.campaign_id,
        "name": group.name,
        "state": group.state,
        "default_bid": group.default_bid,
    }


def ad_row(item: dict[str, Any]) -> dict[str, Any]:
    ad = ProductAd.model_validate(item)
    return {
        "ad_id": ad.ad_id,
        "ad_group_id": ad.ad_group_id,
        "campaign_id": ad.campaign_id,
        "asin": ad.asin.strip().upper() if ad.asin else None,
        "sku": ad.sku,
        "state": ad.state,
    }


_ROWS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "campaigns": campaign_row,
    "adGroups": ad_group_row,
    "productAds": ad_row,
}


@dataclass(frozen=True)
class StructurePage:
    kind: ListKind
    tenant_id: uuid.UUID
    profile_id: str
    rows: list[dict[str, Any]]


class AdsStructureDataset:
    name = "ads_structure"
    label = "Ads: campaigns"
    provider = "amazon_ads"
    window = timedelta(days=1)  # no backfill
    documents_ahead = 0
    batches_at_once = 1
    delta_by: DeltaBy = "pages"
    pages_fallback = True  # every window is read by pages: Amazon makes no document of it

    async def describe_scope(self, session: AsyncSession, scope: Scope) -> Scope:
        return await profile_scope.describe_profile(session, scope)

    def backfill_range(self, scope: Scope, now: datetime) -> Window:
        return Window(now, now)

    def delta_every(self, settings: Settings) -> timedelta:
        return profile_scope.interval(settings)

    def delta_window(self, scope: Scope, watermark: datetime, now: datetime) -> Window | None:
        # The listing is of what exists now; the window only dates the job.
        return Window(min(watermark, now), now)

    async def pages(
        self, client: AdsClient, scope: Scope, kind: WindowKind, window: Window, page_token: str | None
    ) -> AsyncIterator[Page[StructurePage]]:
        ads = client.for_profile(scope.marketplace_id)
        listing, _, saved = (page_token or f"{_ORDER[0]}:").partition(":")
        token: str | None = saved or None
        for position in range(_POSITION[listing], len(_ORDER)):
            current = _ORDER[position]
            following = _ORDER[position + 1] if position + 1 < len(_ORDER) else None
            while True:
                items, token = await ads.list_page(current, {"maxResults": PAGE_SIZE}, next_token=token)
                if token:
                    after: str | None = f"{current}:{token}"
                else:
                    after = f"{following}:" if following else None
                rows = [_ROWS[current](item) for item in items]
                yield Page(StructurePage(current, scope.tenant_id, scope.marketplace_id, rows), after)
                if not token:
                    break

    def document_source(self, client: AdsClient, scope: Scope) -> AsyncDocumentSource[Any] | None:
        return None

    def document_request(self, scope: Scope, window: Window) -> DocumentRequest[Any]:
        raise NotImplementedError("the campaign structure has no documents")

    def document_batches(self, scope: Scope, open_rows: OpenRows) -> AsyncIterator[StructurePage]:
        raise NotImplementedError("the campaign structure has no documents")

    async def upsert(self, session: AsyncSession, batch: StructurePage) -> Counts:
        repo = AdsRepository(session)
        write = {
            "campaigns": repo.upsert_campaigns,
            "adGroups": repo.upsert_ad_groups,
            "productAds": repo.upsert_ads,
        }[batch.kind]
        return await write(batch.tenant_id, batch.profile_id, batch.rows)

    def job_payload(self, client: AdsClient) -> dict[str, Any]:
        return {"ads_api": "sp v3 list"}

    async def stored_rows(
        self, session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID | None
    ) -> dict[tuple[uuid.UUID, str], int]:
        return await AdsRepository(session).rows_by_profile(
            (AdsCampaign, AdsAdGroup, AdsAd), tenant_id, connection_id
        )
