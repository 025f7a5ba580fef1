"""A load as the reports job runs it: real units of work (each batch committed on its own
connection), several batches written at once, a document that lists a row twice far apart."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.db.session import unit_of_work
from app.reports.catalogue import LoadTarget
from app.reports.loaders import TsvLoader
from app.reports.row_mapping import ListingsPlan
from app.reports.row_specs import LISTINGS
from tests.reports.conftest import US, stream, tsv
from tests.reports.test_flat_file_loaders import LISTINGS_HEADER, listing


async def seeded(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> tuple[uuid.UUID, uuid.UUID, list[uuid.UUID]]:
    tenant, connection, reports = uuid.uuid4(), uuid.uuid4(), [uuid.uuid4(), uuid.uuid4()]
    async with sessionmaker() as s, s.begin():
        await s.execute(
            text("INSERT INTO tenants (id, name, slug) VALUES (:id, 'P', :slug)"),
            {"id": tenant, "slug": str(tenant)},
        )
        await s.execute(
            text(
                "INSERT INTO connections (id, tenant_id, provider, region, account_id) "
                "VALUES (:id, :t, 'amazon_sp', 'NA', 'A1P')"
            ),
            {"id": connection, "t": tenant},
        )
        for report in reports:
            await s.execute(
                text(
                    "INSERT INTO reports (id, tenant_id, connection_id, report_type) "
                    "VALUES (:id, :t, :c, 'GET_MERCHANT_LISTINGS_ALL_DATA')"
                ),
                {"id": report, "t": tenant, "c": connection},
            )
    return tenant, connection, reports


async def test_parallel_batches_commit_every_row_once(engine: AsyncEngine, clean_state: None) -> None:
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    tenant, connection, (first, second) = await seeded(sessionmaker)

    def uow() -> AbstractAsyncContextManager[AsyncSession]:
        return unit_of_work(sessionmaker)

    loader = TsvLoader(LISTINGS, ListingsPlan, snapshot=True, batch_rows=100, parallel=3)
    lines = [listing(f"SKU-{n:08d}", "9.99", str(n % 7)) for n in range(1050)]
    lines.insert(900, listing("SKU-00000005", "1.00", "1"))  # listed twice, nine batches apart
    document = tsv(LISTINGS_HEADER, *lines)

    def chunks() -> AsyncIterator[bytes]:
        return stream(document, 4096)

    loaded = await loader.load(
        uow, LoadTarget(tenant, connection, first, (US,), None, None), chunks(), "report"
    )
    assert loaded == 1051  # the twice-listed SKU went in two batches
    async with sessionmaker() as s:
        count = (
            await s.execute(text("SELECT count(*), count(DISTINCT seller_sku) FROM report_listings"))
        ).one()
        assert tuple(count) == (1050, 1050)

    shorter = tsv(LISTINGS_HEADER, *lines[:1000])
    await loader.load(
        uow, LoadTarget(tenant, connection, second, (US,), None, None), stream(shorter, 4096), "report"
    )
    async with sessionmaker() as s:
        rows = (
            await s.execute(
                text("SELECT count(*), count(*) FILTER (WHERE report_id = :r) FROM report_listings"),
                {"r": second},
            )
        ).one()
        # 999 SKUs (the twice-listed one among them): the 51 it no longer lists are gone.
        assert tuple(rows) == (999, 999)
