"""B7: a large report through the real row loader into PostgreSQL (targets: >= 50,000 rows/s, peak
memory of the loading process < 300 MB, whatever the file's size).

Starts an embedded PostgreSQL in a temporary folder, migrates it, then:
  1. writes a GET_MERCHANT_LISTINGS_ALL_DATA document of `--lines` SKUs (default 1,000,000) to a
     file, as the reports flow stores a downloaded document: generated here the way the emulator
     lists a seller's SKUs (deterministic SKUs, ASINs, prices and quantities, Seller Central's
     columns), so the benchmark runs on its own;
  2. loads it with the catalogue's loader (`get_kind(...).loader.load`), streaming the file in 1 MB
     chunks, each batch of rows in its own unit of work, and prints rows/s and the process's peak
     RSS (sampled every 20 ms while loading) against the RSS before;
  3. checks that the table holds exactly the document's rows;
  4. loads the same document again (a retried job: nothing may change) and prints rows/s.

Usage: .venv/bin/python bench/b7_report_load.py [--lines 1000000] [--batch N] [--parallel N]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api" / "src"))

import psutil
from _pace import pace_line
from _rss import peak_rss
from app import migrate
from app.db.session import create_sessionmaker, unit_of_work
from app.kit.embedded import EmbeddedPostgres
from app.reports.catalogue import LoadTarget, get_kind
from app.reports.loaders import BATCH_ROWS, PARALLEL_WRITES, TsvLoader
from app.reports.row_mapping import ListingsPlan
from app.reports.row_specs import LISTINGS
from app.reports.rows_repository import ReportRowsRepository
from app.settings import to_psycopg_url
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

REPORT_TYPE = "GET_MERCHANT_LISTINGS_ALL_DATA"
MARKETPLACE = "ATVPDKIKX0DER"
COLUMNS = (
    "item-name", "item-description", "listing-id", "seller-sku", "price", "quantity", "open-date", "image-url",
    "item-is-marketplace", "product-id-type", "zshop-shipping-fee", "item-note", "item-condition",
    "zshop-category1", "zshop-browse-path", "zshop-storefront-feature", "asin1", "asin2", "asin3",
    "will-ship-internationally", "expedited-shipping", "zshop-boldface", "product-id",
    "bid-for-featured-placement", "add-delete", "pending-quantity", "fulfillment-channel",
    "merchant-shipping-group", "status",
)  # fmt: skip
PRODUCTS = (
    "Stainless steel water bottle",
    "Ceramic mug",
    "Yoga mat",
    "Phone case",
    "Desk lamp",
    "Backpack",
)


def listing_line(n: int) -> str:
    asin = f"B0{n:08d}"
    product = PRODUCTS[n % len(PRODUCTS)]
    cells = {
        "item-name": f"{product}, model {n % 997}",
        "item-description": f"{product} for everyday use. Variant {n}.",
        "listing-id": f"{1200 + n % 800}{n:08d}",
        "seller-sku": f"SKU-{n:08d}",
        "price": f"{5 + n % 195}.{n % 100:02d}",
        "quantity": str(n % 120)
        if n % 5
        else "",  # every fifth is FBA: no merchant quantity
        "open-date": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d} 10:{n % 60:02d}:00 PST",
        "item-is-marketplace": "y",
        "product-id-type": "1",
        "item-condition": "11",
        "asin1": asin,
        "product-id": asin,
        "pending-quantity": "0",
        "fulfillment-channel": "AMAZON_NA" if n % 5 == 0 else "DEFAULT",
        "merchant-shipping-group": "Migrated Template",
        "status": "Active" if n % 13 else "Inactive",
    }
    return "\t".join(cells.get(c, "") for c in COLUMNS)


def write_document(path: Path, lines: int) -> int:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("\t".join(COLUMNS) + "\n")
        block: list[str] = []
        for n in range(lines):
            block.append(listing_line(n))
            if len(block) == 10_000:
                out.write("\n".join(block) + "\n")
                block = []
        if block:
            out.write("\n".join(block) + "\n")
    return path.stat().st_size


async def read_file(path: Path, chunk: int = 1024 * 1024) -> AsyncIterator[bytes]:
    """The stored document as storage hands it out: 1 MB chunks."""
    with path.open("rb") as source:
        while data := source.read(chunk):
            yield data
            await asyncio.sleep(0)


async def timed_load(
    loader: TsvLoader, uow: object, target: LoadTarget, path: Path
) -> tuple[int, float, int]:
    async with peak_rss() as peak:
        started = time.perf_counter()
        loaded = await loader.load(uow, target, read_file(path), "report")  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
    return loaded, elapsed, peak[0]


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="b7-") as tmp:
        pg = EmbeddedPostgres(Path(tmp)).start()
        try:
            migrate.upgrade(pg.url)
            engine = create_async_engine(to_psycopg_url(pg.url), pool_size=3)
            sessionmaker = create_sessionmaker(engine)
            tenant, connection, report = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
            async with sessionmaker() as s, s.begin():
                await s.execute(
                    text(
                        "INSERT INTO tenants (id, name, slug) VALUES (:id, 'b7', 'b7')"
                    ),
                    {"id": tenant},
                )
                await s.execute(
                    text(
                        "INSERT INTO connections (id, tenant_id, provider, region, account_id) "
                        "VALUES (:id, :t, 'amazon_sp', 'NA', 'A1B7SELLER')"
                    ),
                    {"id": connection, "t": tenant},
                )
                await s.execute(
                    text(
                        "INSERT INTO reports (id, tenant_id, connection_id, report_type, status) "
                        "VALUES (:id, :t, :c, :rt, 'processing')"
                    ),
                    {"id": report, "t": tenant, "c": connection, "rt": REPORT_TYPE},
                )

            document = Path(tmp) / "listings.tsv"
            t0 = time.perf_counter()
            size = write_document(document, args.lines)
            print(
                f"B7 document: {REPORT_TYPE}, {args.lines:,} lines + header, {size / 1e6:,.0f} MB "
                f"(generated in {time.perf_counter() - t0:.1f}s; emulator-shaped, standalone)"
            )
            print(f"B7 {pace_line()}")

            kind = get_kind(REPORT_TYPE)
            assert isinstance(kind.loader, TsvLoader)
            loader = kind.loader  # the catalogue's own, as the reports job runs it
            if args.batch or args.parallel:
                batch, parallel = (
                    args.batch or BATCH_ROWS,
                    args.parallel or PARALLEL_WRITES,
                )
                loader = TsvLoader(
                    LISTINGS,
                    ListingsPlan,
                    snapshot=True,
                    batch_rows=batch,
                    parallel=parallel,
                )
            target = LoadTarget(tenant, connection, report, (MARKETPLACE,), None, None)

            def uow() -> object:
                return unit_of_work(sessionmaker)

            before = psutil.Process().memory_info().rss
            cpu0 = time.process_time()
            loaded, elapsed, peak = await timed_load(loader, uow, target, document)
            cpu = time.process_time() - cpu0
            rate = loaded / elapsed
            print(
                f"B7 load: {loaded:,} rows in {elapsed:.2f}s = {rate:,.0f} rows/s "
                f"(batches of {loader.batch_rows:,}, {loader.parallel} written at once, each its own unit of work; this process's CPU {cpu:.1f}s, "
                "the rest is PostgreSQL)"
            )
            print(
                f"B7 loader process peak RSS: {peak / 1e6:,.0f} MB during the load "
                f"({before / 1e6:,.0f} MB before it; the document is {size / 1e6:,.0f} MB)"
            )
            async with sessionmaker() as s:
                stored = await ReportRowsRepository(s).count(
                    LISTINGS, tenant, connection
                )
            print(
                f"B7 rows in report_listings: {stored:,}; document's lines: {args.lines:,}: "
                f"{'EQUAL' if stored == args.lines == loaded else 'DIFFERENT'}"
            )

            again, elapsed2, peak2 = await timed_load(loader, uow, target, document)
            async with sessionmaker() as s:
                unchanged = (
                    await s.execute(
                        text(
                            "SELECT count(*) FROM report_listings WHERE updated_at > now() - :d * interval '1 s'"
                        ),
                        {"d": elapsed2},
                    )
                ).scalar_one()
            print(
                f"B7 same document again (a retried job): {again:,} rows in {elapsed2:.2f}s = "
                f"{again / elapsed2:,.0f} rows/s, rows rewritten: {unchanged:,}, peak RSS {peak2 / 1e6:,.0f} MB"
            )
            print(
                f"B7 targets: >= 50,000 rows/s: {'MET' if rate >= 50_000 else 'NOT MET'}; "
                f"peak < 300 MB: {'MET' if max(peak, peak2) < 300e6 else 'NOT MET'}"
            )
            await engine.dispose()
        finally:
            pg.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument(
        "--batch", type=int, default=0, help="rows per batch (default: the loader's)"
    )
    parser.add_argument(
        "--parallel",
        type=int,
        default=0,
        help="batches written at once (default: the loader's)",
    )
    asyncio.run(main(parser.parse_args()))
