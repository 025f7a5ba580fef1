"""Orders as a dataset of the sync engine (`app.sync.dataset`): the 24-month backfill by 30-day
order reports and by the Orders API at once (the engine plans which windows go which way from the
quotas `backfill_costs` reads; the API also reads a window a report cannot serve) and the delta by
last update.

Backfill documents: `GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL`, one per window and
marketplace: order lines with their items, so no per-order call. Report lines carry no OrderItemId;
they are matched to the API's items by `item_line_key` (SellerSKU, then ASIN, with an occurrence
suffix), so the line a report wrote is updated in place when the API sees the order later.

A report is read as a stream, in batches of whole orders (a few thousand lines), so a large window
never sits in memory. Amazon writes an order's lines one after the other; an order whose lines are
not adjacent (a straggler) is left out of the first pass and read again, alone and whole, in a
second pass over the document, so its total and its line keys come from all of its lines. Only the
ids of the orders seen are held meanwhile. The report is never kept: it holds buyer PII.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.jobs import AsyncDocumentSource
from app.documents.service import DocumentRequest
from app.orders.read_repository import OrderReadRepository
from app.orders.refresh import map_orders
from app.orders.report_mapping import rows_from_flat_file_report
from app.orders.repository import OrderRepository
from app.orders.rows import MappedOrders
from app.settings import Settings
from app.spapi.client import SpApiClient
from app.spapi.operations.orders import OrderQuery
from app.spapi.operations.reports import ReportSpec
from app.spapi.primitives import iso_z
from app.sync import planner
from app.sync.backfill_plan import BackfillCosts, DocumentCosts, PagesCosts, Quota
from app.sync.dataset import Counts, DeltaBy, OpenRows, Page, Scope, WindowKind, register

REPORT_TYPE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
# Lines per upsert batch (the repository's own batch size), cut at an order's edge.
BATCH_LINES = 5000
ORDER_ID = "amazon-order-id"
# What a report takes Amazon to make until the engine has seen one of this seller's (then that).
REPORT_PROCESSING_S = 60.0
ORDERS_PER_PAGE = 100  # searchOrders' and getOrders' largest page


class OrdersDataset:
    name = "orders"
    label = "Orders"
    provider = "amazon_sp"
    # Order reports refuse longer windows (with an empty file, not an error).
    window = planner.REPORT_WINDOW
    # createReport's burst is 15: keep a few of it for the window at hand and for retries.
    documents_ahead = 12
    # A batch also adds to the day, month and ASIN totals other batches add to: one at a time.
    batches_at_once = 1
    # Deltas by last update through the Orders API; a window a report cannot serve is read by it too.
    delta_by: DeltaBy = "pages"
    pages_fallback = True

    async def describe_scope(self, session: AsyncSession, scope: Scope) -> Scope:
        return scope

    async def backfill_costs(self, client: SpApiClient, scope: Scope) -> BackfillCosts:
        """Reports by order date, and the Orders API: searchOrders pages with their items, or in
        v0 getOrders pages plus getOrderItems per order; each as this seller's buckets stand."""

        async def quota(operation: str) -> Quota:
            level = await client.bucket_level(operation)
            return Quota(level.rate, level.burst, level.tokens)

        if client.orders.version == "v0":
            pages = PagesCosts(
                await quota("ordersV0.getOrders"),
                ORDERS_PER_PAGE,
                per_row=await quota("ordersV0.getOrderItems"),
            )
        else:
            pages = PagesCosts(await quota("orders2026.searchOrders"), ORDERS_PER_PAGE)
        documents = DocumentCosts(
            await quota("reports.createReport"), await quota("reports.getReportDocument"), REPORT_PROCESSING_S
        )
        return BackfillCosts(documents, pages)

    def backfill_range(self, scope: Scope, now: datetime) -> planner.Window:
        return planner.backfill_range(now, planner.HISTORY)

    def delta_every(self, settings: Settings) -> timedelta:
        return timedelta(minutes=settings.sync.delta_sync_interval_minutes)

    def delta_window(self, scope: Scope, watermark: datetime, now: datetime) -> planner.Window | None:
        return planner.delta_window(watermark, now)

    async def pages(
        self,
        client: SpApiClient,
        scope: Scope,
        kind: WindowKind,
        window: planner.Window,
        page_token: str | None,
    ) -> AsyncIterator[Page[MappedOrders]]:
        if kind == "delta":
            query = OrderQuery(
                marketplace_ids=[scope.marketplace_id],
                last_updated_after=window.start,
                last_updated_before=window.end,
            )
        else:
            query = OrderQuery(
                marketplace_ids=[scope.marketplace_id], created_after=window.start, created_before=window.end
            )
        async for page in client.orders.search(query, page_token=page_token):
            mapped = await map_orders(client, page.orders, scope.tenant_id, scope.connection_id)
            yield Page(mapped, page.next_token)

    def document_source(self, client: SpApiClient, scope: Scope) -> AsyncDocumentSource[ReportSpec]:
        return client.reports

    def document_request(self, scope: Scope, window: planner.Window) -> DocumentRequest[ReportSpec]:
        spec = ReportSpec(REPORT_TYPE, [scope.marketplace_id], window.start, window.end)
        key = f"{REPORT_TYPE}|{scope.marketplace_id}|{iso_z(window.start)}|{iso_z(window.end)}"
        return DocumentRequest("report", key, spec.body(), spec)

    async def document_batches(self, scope: Scope, open_rows: OpenRows) -> AsyncIterator[MappedOrders]:
        grouped: set[str] = set()  # orders whose run of lines has ended
        stragglers: set[str] = set()
        batch: list[dict[str, str]] = []
        current: str | None = None
        async for row in open_rows():
            line = {str(k): str(v) for k, v in row.items()}
            order_id = (line.get(ORDER_ID) or "").strip()
            if not order_id:
                continue
            if order_id != current:
                if current is not None:
                    grouped.add(current)
                current = order_id
                if order_id in grouped:
                    stragglers.add(order_id)
                elif len(batch) >= BATCH_LINES:
                    yield self._mapped(scope, batch)
                    batch = []
            if order_id not in stragglers:
                batch.append(line)
        if batch:
            yield self._mapped(scope, batch)
        if stragglers:
            whole = [
                {str(k): str(v) for k, v in row.items()}
                async for row in open_rows()
                if (row.get(ORDER_ID) or "").strip() in stragglers
            ]
            yield self._mapped(scope, whole)

    def _mapped(self, scope: Scope, lines: list[dict[str, str]]) -> MappedOrders:
        return rows_from_flat_file_report(
            lines, scope.tenant_id, scope.connection_id, marketplace_id=scope.marketplace_id
        )

    async def upsert(self, session: AsyncSession, batch: MappedOrders) -> Counts:
        written = await OrderRepository(session).upsert(batch)
        return Counts(
            seen=len(batch.orders),
            inserted=written.orders.inserted,
            updated=written.orders.updated,
            unchanged=written.orders.unchanged,
            children=written.items.inserted + written.items.updated,
        )

    def job_payload(self, client: SpApiClient) -> dict[str, Any]:
        return {"orders_api_version": client.orders.version}

    async def stored_rows(
        self, session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID | None
    ) -> dict[tuple[uuid.UUID, str], int]:
        return await OrderReadRepository(session).counts_by_marketplace(tenant_id, connection_id)


ORDERS = register(OrdersDataset())
