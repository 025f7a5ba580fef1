"""The Ads datasets of the sync engine (`app.sync.dataset`), one `sync_state` row each per Ads profile
(`marketplace_id` = the profile id, `app.ads.profile_scope`):

* `ads_structure`: campaigns, ad groups and product ads (`app.ads.structure_sync`);
* `ads_advertised_product`: the spAdvertisedProduct report (DAILY, groupBy advertiser): per ad and
  local day, traffic, cost and conversions;
* `ads_purchased_product`: the spPurchasedProduct report (DAILY, groupBy asin): the other ASINs
  bought after a click on an ad (the halo).

The two reports backfill `ADS_HISTORY_DAYS` local days (Amazon keeps 95) in windows of at most 31
days (Amazon's longest report), two windows asked for ahead; then a daily delta asks for the
restatement window (`ADS_RESTATEMENT_DAYS` before today, through today) as one report, through the
asynchronous-document component like a backfill window. The backfill ends where the first delta's
window starts, so no day is asked for twice, and a day older than the window is never asked for
again. Reports are documents only: a FAILED report is asked for again after a growing delay, and
the window stays open until one loads; a 425 joins the report Amazon is still making
(`app.adsapi.report_source`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.ads import profile_scope
from app.ads.models import AdsSpAdvertisedProductDaily, AdsSpPurchasedProductDaily
from app.ads.report_mapping import (
    PURCHASED_KEY,
    PURCHASED_METRICS,
    add_metrics,
    advertised_row,
    purchased_row,
)
from app.ads.repository import AdsRepository
from app.ads.structure_sync import AdsStructureDataset
from app.adsapi import AdsClient, sp_advertised_product, sp_purchased_product
from app.adsapi.report_source import AdsReportSource
from app.adsapi.reports import MAX_RANGE_DAYS, RETENTION_DAYS, AdvertisedProductRow, PurchasedProductRow
from app.documents.service import DocumentRequest
from app.settings import Settings, get_settings
from app.sync.dataset import Counts, DeltaBy, OpenRows, Page, Scope, WindowKind, register
from app.sync.planner import Window

# Report rows per upsert batch (each its own transaction).
BATCH_ROWS = 10_000

# A report's typed row (`adsapi.reports`) as what its table's upsert takes, or None (no key).
Mapper = Callable[[Any], Any | None]
Writer = Callable[[AdsRepository, uuid.UUID, str, list[Any]], Awaitable[Counts]]


@dataclass(frozen=True)
class ProfileRows:
    """A batch of one profile's daily rows (what the dataset's upsert takes)."""

    tenant_id: uuid.UUID
    profile_id: str
    rows: list[Any]


class AdsReportDataset:
    provider = "amazon_ads"
    # Amazon's longest report; the windows are of local days (`profile_scope`).
    window = timedelta(days=MAX_RANGE_DAYS)
    # createAsyncReport allows a burst of a few per advertiser: the window at hand and two more.
    documents_ahead = 2
    delta_by: DeltaBy = "document"
    pages_fallback = False

    def __init__(
        self,
        name: str,
        label: str,
        request: Callable[..., dict[str, Any]],
        row_type: type[Any],
        mapper: Mapper,
        writer: Writer,
        model: type[Any],
        *,
        summed_key: tuple[str, ...] = (),
        summed_metrics: tuple[str, ...] = (),
        batches_at_once: int = 1,
    ) -> None:
        self.name = name
        self.label = label
        self.request = request
        self.row_type = row_type
        self.mapper = mapper
        self.writer = writer
        self.model = model
        # Rows of one stored key added up over the whole report (a key Amazon splits further).
        self.summed_key = summed_key
        self.summed_metrics = summed_metrics
        self.batches_at_once = batches_at_once

    async def describe_scope(self, session: AsyncSession, scope: Scope) -> Scope:
        return await profile_scope.describe_profile(session, scope)

    def backfill_range(self, scope: Scope, now: datetime) -> Window:
        return profile_scope.backfill_days(scope, now, get_settings())

    def delta_every(self, settings: Settings) -> timedelta:
        return profile_scope.interval(settings)

    def delta_window(self, scope: Scope, watermark: datetime, now: datetime) -> Window | None:
        return profile_scope.restatement_days(scope, now, get_settings())

    def pages(
        self, client: AdsClient, scope: Scope, kind: WindowKind, window: Window, page_token: str | None
    ) -> AsyncIterator[Page[ProfileRows]]:
        raise NotImplementedError(f"{self.name} is read from reports only")

    def document_source(self, client: AdsClient, scope: Scope) -> AdsReportSource:
        return AdsReportSource(client.for_profile(scope.marketplace_id), self.row_type)

    def document_request(self, scope: Scope, window: Window) -> DocumentRequest[dict[str, Any]]:
        first, last = profile_scope.days_of(window)
        # A window asked for late (a backfill that waited) loses the days Amazon no longer keeps;
        # one day short of Amazon's limit, for the clocks' sake.
        oldest = profile_scope.local_today(scope, datetime.now(UTC)) - timedelta(days=RETENTION_DAYS - 1)
        first = min(max(first, oldest), last)
        body = self.request(first, last)
        report_type = body["configuration"]["reportTypeId"]
        key = f"{report_type}|{scope.marketplace_id}|{first.isoformat()}|{last.isoformat()}"
        return DocumentRequest("ads_report", key, body, body)

    async def document_batches(self, scope: Scope, open_rows: OpenRows) -> AsyncIterator[ProfileRows]:
        mapper = self.mapper
        if self.summed_key:
            summed = await self._summed(open_rows)
            for start in range(0, len(summed), BATCH_ROWS):
                yield ProfileRows(scope.tenant_id, scope.marketplace_id, summed[start : start + BATCH_ROWS])
            return
        batch: list[Any] = []
        # The source yields blocks of rows (`AdsReportSource.rows`).
        async for block in open_rows():
            batch.extend(mapped for mapped in map(mapper, block) if mapped is not None)
            while len(batch) >= BATCH_ROWS:
                yield ProfileRows(scope.tenant_id, scope.marketplace_id, batch[:BATCH_ROWS])
                batch = batch[BATCH_ROWS:]
        if batch:
            yield ProfileRows(scope.tenant_id, scope.marketplace_id, batch)

    async def _summed(self, open_rows: OpenRows) -> list[dict[str, Any]]:
        totals: dict[tuple[Any, ...], dict[str, Any]] = {}
        async for block in open_rows():
            for row in block:
                mapped = self.mapper(row)
                if mapped is None:
                    continue
                key = tuple(mapped[c] for c in self.summed_key)
                held = totals.get(key)
                if held is None:
                    totals[key] = mapped
                else:
                    add_metrics(held, mapped, self.summed_metrics)
        return list(totals.values())

    async def upsert(self, session: AsyncSession, batch: ProfileRows) -> Counts:
        return await self.writer(AdsRepository(session), batch.tenant_id, batch.profile_id, batch.rows)

    def job_payload(self, client: AdsClient) -> dict[str, Any]:
        return {"ads_api": "reporting v3"}

    async def stored_rows(
        self, session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID | None
    ) -> dict[tuple[uuid.UUID, str], int]:
        return await AdsRepository(session).rows_by_profile((self.model,), tenant_id, connection_id)


ADS_STRUCTURE = register(AdsStructureDataset())
ADS_ADVERTISED_PRODUCT = register(
    AdsReportDataset(
        "ads_advertised_product",
        "Ads: advertised products",
        sp_advertised_product,
        AdvertisedProductRow,
        advertised_row,
        AdsRepository.upsert_advertised_daily,
        AdsSpAdvertisedProductDaily,
        # Hundreds of thousands of rows per window, each of one ad and day (no two batches share a
        # row), where PostgreSQL's work per row is twice the parsing's: two writes at once keep
        # both cores busy (bench/b9_ads_ingest.py).
        batches_at_once=2,
    )
)
ADS_PURCHASED_PRODUCT = register(
    AdsReportDataset(
        "ads_purchased_product",
        "Ads: purchased products",
        sp_purchased_product,
        PurchasedProductRow,
        purchased_row,
        AdsRepository.upsert_purchased_daily,
        AdsSpPurchasedProductDaily,
        # Amazon's purchased-product rows are finer than the table's key (per keyword or target).
        summed_key=PURCHASED_KEY,
        summed_metrics=PURCHASED_METRICS,
    )
)
