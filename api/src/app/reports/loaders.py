"""Row loaders of the catalogue's types: a stored document in, rows upserted in batches.

Memory is bounded by the batch, never the file: the parser hands out a chunk's lines (flat
files) or one JSON record at a time, rows gather in a batch (one per natural key: ON CONFLICT
cannot touch a row twice in one statement), and each full batch is written in its own short unit
of work from `uow()`. While batches are being written the parser fills the next one (at most
`PARALLEL_WRITES` + 1 batches in hand), so Python's parsing and PostgreSQL's merges overlap
instead of taking turns.

A crash mid-load leaves the batches already committed; loading the document again rewrites nothing
of them (the upsert changes only what differs) and completes the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from operator import itemgetter
from typing import Any

from app.reports.load_target import LoadTarget, UnitOfWork, Via
from app.reports.parsers import header_cells, json_lines, sales_traffic_items, to_date, tsv_lines
from app.reports.row_mapping import (
    Context,
    InventoryPlan,
    ListingsPlan,
    ReturnsPlan,
    Row,
    SettlementPlan,
    TsvPlan,
    by_asin_row,
    by_date_row,
)
from app.reports.row_specs import (
    FBA_INVENTORY,
    FBA_RETURNS,
    LISTINGS,
    SALES_TRAFFIC_BY_ASIN,
    SALES_TRAFFIC_BY_DATE,
    SETTLEMENT_LINES,
    RowTable,
)
from app.reports.rows_repository import ReportRowsRepository

BATCH_ROWS = 10_000
# Batches written at once, each on its own connection: PostgreSQL's merges run beside each other
# and beside the parsing of the next batch (bench/b7_report_load.py on the shared two-core machine,
# 2026-12-06 09:40-10:00: 2 gave 41,000-44,000 rows/s, 3 gave 44,000-49,000, 4 no more than 3).
PARALLEL_WRITES = 3


class _Batches:
    """Rows of one table, written `size` at a time, each batch in its own unit of work; up to
    `parallel` batches are written at once (each on its own connection) while the next fills.

    Each batch is sorted by its key before it is written: two batches in flight that share a key
    (a document that lists a row twice, far apart) then lock their rows in the same order and
    cannot deadlock; such a row ends as the batch committed last wrote it."""

    def __init__(self, uow: UnitOfWork, target: LoadTarget, spec: RowTable, size: int, parallel: int) -> None:
        self.uow, self.target, self.spec, self.size, self.parallel = uow, target, spec, size, parallel
        positions = [spec.names.index(k) for k in spec.key]
        self.key: Callable[[Row], Any] = itemgetter(*positions)
        self.batch: dict[Any, Row] = {}
        self.writing: list[asyncio.Task[None]] = []
        self.rows = 0

    def put(self, row: Row) -> bool:
        """Add a row; True when the batch is full (then `await send()`)."""
        self.batch[self.key(row)] = row
        return len(self.batch) >= self.size

    async def add(self, row: Row) -> None:
        if self.put(row):
            await self.send()

    async def send(self) -> None:
        while len(self.writing) >= self.parallel:
            await self.writing.pop(0)
        if self.batch:
            # Keys are values or tuples of one shape, never NULL (key columns are NOT NULL).
            rows = [self.batch[k] for k in sorted(self.batch)]
            self.rows += len(rows)
            self.batch = {}
            self.writing.append(asyncio.create_task(self._write(rows)))

    async def _write(self, rows: list[Row]) -> None:
        t = self.target
        async with self.uow() as session:
            await ReportRowsRepository(session).upsert(
                self.spec, t.tenant_id, t.connection_id, t.report_id, rows
            )

    async def finish(self) -> int:
        await self.send()
        while self.writing:
            await self.writing.pop(0)
        return self.rows

    async def abandon(self) -> None:
        """After a failure: stop the writes in flight (their units of work roll back)."""
        for task in self.writing:
            task.cancel()
        for task in self.writing:
            with contextlib.suppress(BaseException):
                await task
        self.writing = []


class TsvLoader:
    """A flat-file report (Reports API only: these types have no Data Kiosk equivalent).

    `snapshot`: the document lists everything there is (inventory, listings), so after a complete
    load the connection's rows of that marketplace that it did not list are deleted."""

    def __init__(
        self,
        spec: RowTable,
        plan: type[TsvPlan],
        *,
        snapshot: bool = False,
        batch_rows: int = BATCH_ROWS,
        parallel: int = PARALLEL_WRITES,
    ) -> None:
        self.spec, self.plan, self.snapshot = spec, plan, snapshot
        self.batch_rows, self.parallel = batch_rows, parallel

    async def load(self, uow: UnitOfWork, target: LoadTarget, chunks: AsyncIterator[bytes], via: Via) -> int:
        if via != "report":
            raise ValueError(f"{self.spec.name} rows come from the Reports API only")
        batches = _Batches(uow, target, self.spec, self.batch_rows, self.parallel)
        mapper: TsvPlan | None = None
        context = Context(target)
        try:
            async for block in tsv_lines(chunks):
                if mapper is None:
                    mapper = self.plan(header_cells(block[0]), context)
                    block = block[1:]
                for line in block:
                    row = mapper(line.split("\t"))
                    if row is not None and batches.put(row):
                        await batches.send()
                # Let the writes in flight take their next step (each statement and the commit
                # need a turn of the event loop) between two chunks of parsing.
                await asyncio.sleep(0)
            loaded = await batches.finish()
        except BaseException:
            await batches.abandon()
            raise
        if self.snapshot and loaded:
            async with uow() as session:
                await ReportRowsRepository(session).sweep_snapshot(
                    self.spec,
                    target.tenant_id,
                    target.connection_id,
                    context.marketplace_id,
                    target.report_id,
                )
        return loaded


class SalesAndTrafficLoader:
    """GET_SALES_AND_TRAFFIC_REPORT's JSON document, or the Data Kiosk query's JSON Lines (by-date
    and by-ASIN records in one file, told apart by their ASIN fields), into the same two tables."""

    def __init__(self, *, batch_rows: int = BATCH_ROWS) -> None:
        self.batch_rows = batch_rows

    async def load(self, uow: UnitOfWork, target: LoadTarget, chunks: AsyncIterator[bytes], via: Via) -> int:
        dates = _Batches(uow, target, SALES_TRAFFIC_BY_DATE, self.batch_rows, 1)
        asins = _Batches(uow, target, SALES_TRAFFIC_BY_ASIN, self.batch_rows, 1)
        try:
            if via == "datakiosk":
                await self._from_datakiosk(target, chunks, dates, asins)
            else:
                await self._from_report(target, chunks, dates, asins)
            return await dates.finish() + await asins.finish()
        except BaseException:
            await dates.abandon()
            await asins.abandon()
            raise

    async def _from_report(
        self, target: LoadTarget, chunks: AsyncIterator[bytes], dates: _Batches, asins: _Batches
    ) -> None:
        # What the report's reportSpecification says (it comes first), else what was asked.
        marketplace = target.marketplace_ids[0] if target.marketplace_ids else ""
        date_granularity, asin_granularity = "DAY", "CHILD"
        start = target.data_start.date() if target.data_start else None
        end = target.data_end.date() if target.data_end else None
        async for part, item in sales_traffic_items(chunks):
            if part == "spec":
                options = item.get("reportOptions") or {}
                date_granularity = str(options.get("dateGranularity") or date_granularity)
                asin_granularity = str(options.get("asinGranularity") or asin_granularity)
                markets = item.get("marketplaceIds") or []
                marketplace = str(markets[0]) if len(markets) == 1 else marketplace
                start = to_date(item.get("dataStartTime")) or start
                end = to_date(item.get("dataEndTime")) or end
            elif part == "date":
                row = by_date_row(
                    SALES_TRAFFIC_BY_DATE,
                    item,
                    via="report",
                    marketplace_id=marketplace,
                    granularity=date_granularity,
                )
                if row is not None:
                    await dates.add(row)
            else:
                row = by_asin_row(
                    SALES_TRAFFIC_BY_ASIN,
                    item,
                    via="report",
                    marketplace_id=marketplace,
                    granularity=asin_granularity,
                    start=start,
                    end=end,
                )
                if row is not None:
                    await asins.add(row)

    async def _from_datakiosk(
        self, target: LoadTarget, chunks: AsyncIterator[bytes], dates: _Batches, asins: _Batches
    ) -> None:
        marketplace = target.marketplace_ids[0] if target.marketplace_ids else ""
        start = target.data_start.date() if target.data_start else None
        end = target.data_end.date() if target.data_end else None
        async for record in json_lines(chunks):
            if "parentAsin" in record or "childAsin" in record or "sku" in record:
                row = by_asin_row(
                    SALES_TRAFFIC_BY_ASIN,
                    record,
                    via="datakiosk",
                    marketplace_id=marketplace,
                    granularity="CHILD",
                    start=start,
                    end=end,
                )
                if row is not None:
                    await asins.add(row)
            else:
                row = by_date_row(
                    SALES_TRAFFIC_BY_DATE,
                    record,
                    via="datakiosk",
                    marketplace_id=marketplace,
                    granularity="DAY",
                )
                if row is not None:
                    await dates.add(row)


SALES_AND_TRAFFIC_LOADER = SalesAndTrafficLoader()
FBA_INVENTORY_LOADER = TsvLoader(FBA_INVENTORY, InventoryPlan, snapshot=True)
LISTINGS_LOADER = TsvLoader(LISTINGS, ListingsPlan, snapshot=True)
FBA_RETURNS_LOADER = TsvLoader(FBA_RETURNS, ReturnsPlan)
SETTLEMENT_LOADER = TsvLoader(SETTLEMENT_LINES, SettlementPlan)
