"""B9: Ads advertised-product rows from Amazon's GZIP JSON report to committed rows (target: >= 50,000
rows/s; the loading process's peak memory printed).

Starts an embedded PostgreSQL in a temporary folder, migrates it, then:
  1. writes an spAdvertisedProduct report of `--rows` rows (default 300,000: 31 local days of
     ~9,700 ads) as Amazon sends it: one GZIP-compressed JSON array on one line, ids as numbers,
     exactly the columns the dataset asks for (`adsapi.reports.ADVERTISED_PRODUCT_COLUMNS`);
  2. serves it over HTTP (an in-process transport) and reads it the way a sync run does: the
     download streamed and decoded into typed rows a block at a time
     (`amazon_http.documents.fresh_document_blocks`, as `AdsClient.report_blocks` does), the
     dataset's `document_batches`, each batch upserted by
     `AdsRepository` in its own unit of work while the next one is read, the dataset's
     `batches_at_once` at a time (`sync.run_documents.write_batches`), as the engine's document
     step does; prints
     rows/s and the process's peak RSS (sampled every 20 ms) against the RSS before;
  3. checks that the table holds exactly the report's rows;
  4. reads the same report again (a re-run window: nothing may change) and prints rows/s.

Usage: .venv/bin/python bench/b9_ads_ingest.py [--rows 300000]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import random
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api" / "src"))

import httpx
import psutil
from _pace import pace_line
from _rss import peak_rss
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app import migrate
from app.ads.sync import ADS_ADVERTISED_PRODUCT
from app.adsapi.reports import ADVERTISED_PRODUCT_COLUMNS, AdvertisedProductRow
from app.amazon_http.documents import fresh_document_blocks
from app.db.session import create_sessionmaker, unit_of_work
from app.kit.embedded import EmbeddedPostgres
from app.settings import to_psycopg_url
from app.sync.dataset import Counts, Scope
from app.sync.run_documents import write_batches

PROFILE = "3141592653589793"
DAYS = 31
URL = "https://offline-report-storage.test/report.json.gz"


def report_row(rng: random.Random, day: date, ad: int) -> dict[str, Any]:
    clicks = rng.randint(0, 40)
    purchases = rng.randint(0, max(1, clicks // 8))
    price = 9.99 + ad % 40
    values: dict[str, Any] = {
        "date": day.isoformat(),
        "campaignId": 280_000_000_000_000 + ad // 200,
        "adGroupId": 390_000_000_000_000 + ad // 20,
        "adId": 510_000_000_000_000 + ad,
        "advertisedAsin": f"B0{ad % 5000:08d}",
        "advertisedSku": f"SKU-{ad % 5000:06d}",
        "campaignBudgetCurrencyCode": "USD",
        "impressions": clicks * rng.randint(150, 420) + rng.randint(0, 99),
        "clicks": clicks,
        "cost": round(clicks * rng.uniform(0.5, 1.6), 2),
    }
    for w, share in ((1, 0.72), (7, 0.9), (14, 0.97), (30, 1.0)):
        n = round(purchases * share)
        values[f"purchases{w}d"] = n
        values[f"unitsSoldClicks{w}d"] = n
        values[f"sales{w}d"] = round(n * price, 2)
    for w in (7, 14):
        same = values[f"purchases{w}d"] * 4 // 5
        values[f"purchasesSameSku{w}d"] = same
        values[f"unitsSoldSameSku{w}d"] = same
        values[f"attributedSalesSameSku{w}d"] = round(same * price, 2)
    return {column: values[column] for column in ADVERTISED_PRODUCT_COLUMNS}


def write_report(path: Path, rows: int) -> int:
    """One JSON array on one line, gzip-compressed, written a block at a time (bounded memory)."""
    import json

    rng = random.Random(9)
    ads = -(-rows // DAYS)
    first = date(2026, 11, 1)
    encode = json.JSONEncoder(separators=(",", ":")).encode
    written = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=6) as out:
        out.write("[")
        block: list[str] = []
        for d in range(DAYS):
            for ad in range(ads):
                if written == rows:
                    break
                block.append(encode(report_row(rng, first + timedelta(days=d), ad)))
                written += 1
                if len(block) == 10_000:
                    out.write(("," if written > len(block) else "") + ",".join(block))
                    block = []
        if block:
            out.write(("," if written > len(block) else "") + ",".join(block))
        out.write("]")
    return path.stat().st_size


def http_serving(path: Path) -> httpx.AsyncClient:
    """Amazon's pre-signed URL: the file in 64 kB chunks, as S3 streams it."""

    async def chunks() -> AsyncIterator[bytes]:
        with path.open("rb") as source:
            while data := source.read(64 * 1024):
                yield data

    async def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks(), headers={"content-type": "application/octet-stream"})

    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def report_blocks(http: httpx.AsyncClient) -> AsyncIterator[list[AdvertisedProductRow]]:
    """What `AdsClient.report_blocks` yields: the download's rows, typed, a block at a time."""

    async def fresh_url() -> str:
        return URL

    return fresh_document_blocks(http, fresh_url, AdvertisedProductRow)


def postgres_cpu(pgdata: Path) -> float:
    """CPU seconds of the PostgreSQL server (postmaster and its processes) so far."""
    postmaster = psutil.Process(int((pgdata / "postmaster.pid").read_text().split()[0]))
    total = 0.0
    for process in [postmaster, *postmaster.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


async def ingest(
    sessionmaker: async_sessionmaker[Any], scope: Scope, path: Path
) -> tuple[Counts, float, int]:
    """One window's report through the dataset, each batch committed (the engine's document step)."""
    total = Counts()
    async with peak_rss() as peak, http_serving(path) as http:
        started = time.perf_counter()
        batches = ADS_ADVERTISED_PRODUCT.document_batches(scope, lambda: report_blocks(http))

        async def write(batch: Any) -> None:
            nonlocal total
            async with unit_of_work(sessionmaker) as session:
                counts = await ADS_ADVERTISED_PRODUCT.upsert(session, batch)
            total += counts  # after the await: two writes run at once

        await write_batches(batches, write, ADS_ADVERTISED_PRODUCT.batches_at_once)
        elapsed = time.perf_counter() - started
    return total, elapsed, peak[0]


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="b9-") as tmp:
        pg = EmbeddedPostgres(Path(tmp)).start()
        try:
            migrate.upgrade(pg.url)
            engine = create_async_engine(to_psycopg_url(pg.url), pool_size=2)
            sessionmaker = create_sessionmaker(engine)
            tenant, connection = uuid.uuid4(), uuid.uuid4()
            async with sessionmaker() as s, s.begin():
                await s.execute(
                    text("INSERT INTO tenants (id, name, slug) VALUES (:id, 'b9', 'b9')"), {"id": tenant}
                )
                await s.execute(
                    text(
                        "INSERT INTO connections (id, tenant_id, provider, region, account_id) "
                        "VALUES (:id, :t, 'amazon_ads', 'NA', 'A1B9ADVERTISER')"
                    ),
                    {"id": connection, "t": tenant},
                )
                await s.execute(
                    text(
                        "INSERT INTO ads_profiles (id, tenant_id, connection_id, profile_id, country_code, "
                        "currency_code, timezone, marketplace_id, account_type) "
                        "VALUES (:id, :t, :c, :p, 'US', 'USD', 'America/Los_Angeles', 'ATVPDKIKX0DER', "
                        "'seller')"
                    ),
                    {"id": uuid.uuid4(), "t": tenant, "c": connection, "p": PROFILE},
                )
            report = Path(tmp) / "report.json.gz"
            t0 = time.perf_counter()
            size = write_report(report, args.rows)
            print(
                f"B9 report: spAdvertisedProduct, {args.rows:,} rows x {len(ADVERTISED_PRODUCT_COLUMNS)} "
                f"columns, one GZIP JSON array of {size / 1e6:,.1f} MB "
                f"(generated in {time.perf_counter() - t0:.1f}s)"
            )
            print(f"B9 {pace_line()}")
            scope = Scope(tenant, connection, PROFILE, "America/Los_Angeles")
            before = psutil.Process().memory_info().rss
            cpu0, pg0 = time.process_time(), postgres_cpu(pg.pgdata)
            counts, elapsed, peak = await ingest(sessionmaker, scope, report)
            cpu, pg_cpu = time.process_time() - cpu0, postgres_cpu(pg.pgdata) - pg0
            rate = counts.seen / elapsed
            print(
                f"B9 ingest: {counts.seen:,} rows in {elapsed:.2f}s = {rate:,.0f} rows/s "
                f"({counts.inserted:,} inserted; batches of 10,000, each its own unit of work, "
                f"{ADS_ADVERTISED_PRODUCT.batches_at_once} at once)"
            )
            # Reading and writing overlap, and PostgreSQL writes `batches_at_once` batches at once
            # (write_batches): the two cores can at best share the two CPU times; on a shared
            # machine the ingest also waits for a core.
            cores = min(2, psutil.cpu_count() or 1)
            bound = counts.seen / ((cpu + pg_cpu) / cores)
            print(
                f"B9 CPU: this process {cpu:.1f}s ({cpu / counts.seen * 1e6:.1f} us/row), PostgreSQL "
                f"{pg_cpu:.1f}s ({pg_cpu / counts.seen * 1e6:.1f} us/row): at most "
                f"{bound:,.0f} rows/s on {cores} idle cores"
            )
            print(f"B9 peak RSS: {peak / 1e6:,.0f} MB while ingesting ({before / 1e6:,.0f} MB before)")
            async with sessionmaker() as s:
                stored = (
                    await s.execute(text("SELECT count(*) FROM ads_sp_advertised_product_daily"))
                ).scalar_one()
            print(
                f"B9 rows in ads_sp_advertised_product_daily: {stored:,}; report's rows: {args.rows:,}: "
                f"{'EQUAL' if stored == args.rows == counts.inserted else 'DIFFERENT'}"
            )
            again, elapsed2, peak2 = await ingest(sessionmaker, scope, report)
            print(
                f"B9 same report again (a re-run window): {again.seen:,} rows in {elapsed2:.2f}s = "
                f"{again.seen / elapsed2:,.0f} rows/s, rows rewritten: {again.inserted + again.updated:,}, "
                f"peak RSS {peak2 / 1e6:,.0f} MB"
            )
            print(f"B9 target: >= 50,000 rows/s: {'MET' if rate >= 50_000 else 'NOT MET'}")
            await engine.dispose()
        finally:
            pg.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=300_000)
    asyncio.run(main(parser.parse_args()))
