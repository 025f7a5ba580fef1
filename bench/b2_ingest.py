"""B2: bulk upsert of orders and items into PostgreSQL (target >= 50,000 rows/s).

Starts an embedded PostgreSQL in a temporary folder, migrates it, then:
  1. upserts 200,000 orders with 500,000 items through `OrderRepository` in `--workers` concurrent
     sessions (batches of 5,000, one commit per `--chunk` orders, as a sync run commits per
     window) and prints rows/s;
  2. re-runs the same rows (an overlapping window: nothing may change) and prints rows/s;
  3. inserts a sample through the ORM row by row (add + flush per order, the naive sync loop),
     extrapolates, and prints the ratio.

Usage: .venv/bin/python bench/b2_ingest.py [--orders 200000] [--items-per-order 2.5] [--waits]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api" / "src"))

import psycopg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from app import migrate
from app.kit.embedded import EmbeddedPostgres
from app.orders.models import Order, OrderItem, item_line_key
from app.orders.repository import OrderRepository, UpsertCounts
from app.orders.rows import ItemRow, MappedOrders, OrderRow
from app.settings import to_psycopg_url
from _pace import pace_line

STATUSES = ["SHIPPED"] * 7 + ["UNSHIPPED", "PENDING", "CANCELLED"]
MARKETPLACES = ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"]


def synthetic(
    n_orders: int, items_per_order: float, tenant: uuid.UUID, conn: uuid.UUID, seed: int = 7
) -> MappedOrders:
    """Rows shaped like the mapping's output (report-sized raw payloads)."""
    rnd = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    out = MappedOrders()
    remaining_items = int(n_orders * items_per_order)
    for n in range(n_orders):
        # In purchase order, as a backfill writes them: one window (report) after another.
        purchased = start + timedelta(seconds=n * 700 * 86400 // n_orders + rnd.randrange(0, 600))
        updated = purchased + timedelta(hours=rnd.randrange(1, 96))
        status = rnd.choice(STATUSES)
        order_id = f"{100 + n % 900:03d}-{n:07d}-{rnd.randrange(10**7):07d}"
        lines = min(remaining_items, 2 if n % 2 == 0 else 3) if n < n_orders - 1 else remaining_items
        remaining_items -= lines
        total = Decimal(0)
        order: OrderRow = {
            "tenant_id": tenant,
            "connection_id": conn,
            "marketplace_id": rnd.choice(MARKETPLACES),
            "amazon_order_id": order_id,
            "purchase_date": purchased,
            "last_update_date": updated,
            "order_status": status,
            "fulfillment_channel": rnd.choice(["AFN", "MFN"]),
            "sales_channel": "Amazon.com",
            "order_type": None,
            "is_business_order": False,
            "is_prime": None,
            "is_replacement_order": None,
            "currency": "USD",
            "order_total": None,
            "number_of_items_shipped": None,
            "number_of_items_unshipped": None,
            "ship_service_level": "Standard",
            "ship_city": "Seattle",
            "ship_state_or_region": "WA",
            "ship_postal_code": "98101",
            "ship_country_code": "US",
            "source": "report",
            "raw": {"amazon-order-id": order_id, "order-status": "Shipped", "sales-channel": "Amazon.com"},
        }
        for line in range(lines):
            price = Decimal(rnd.randrange(500, 9000)) / 100
            total += price
            sku = f"SKU-{rnd.randrange(5000)}-{line}"
            item: ItemRow = {
                "tenant_id": tenant,
                "connection_id": conn,
                "amazon_order_id": order_id,
                "order_last_update_date": updated,
                "source": "report",
                "line_key": item_line_key(sku, None, None),
                "order_item_id": None,
                "asin": f"B0{rnd.randrange(10**8):08d}",
                "seller_sku": sku,
                "title": "Stainless steel water bottle, 750 ml",
                "quantity_ordered": 1,
                "quantity_shipped": None,
                "item_price": price,
                "item_tax": (price * Decimal("0.08")).quantize(Decimal("0.01")),
                "shipping_price": Decimal("0"),
                "shipping_tax": None,
                "promotion_discount": None,
                "currency": "USD",
                "raw": {"sku": sku, "quantity": "1", "item-price": str(price), "item-status": "Shipped"},
            }
            out.items.append(item)
        order["order_total"] = total if status != "PENDING" else None
        out.orders.append(order)
    return out


async def seed_owner(
    sessionmaker: async_sessionmaker[AsyncSession], name: str
) -> tuple[uuid.UUID, uuid.UUID]:
    tenant, conn = uuid.uuid4(), uuid.uuid4()
    async with sessionmaker() as s, s.begin():
        await s.execute(
            text("INSERT INTO tenants (id, name, slug) VALUES (:id, :n, :n)"), {"id": tenant, "n": name}
        )
        await s.execute(
            text(
                "INSERT INTO connections (id, tenant_id, provider, region, account_id) "
                "VALUES (:id, :t, 'amazon_sp', 'NA', :a)"
            ),
            {"id": conn, "t": tenant, "a": name.upper()},
        )
    return tenant, conn


def chunks(data: MappedOrders, size: int) -> list[MappedOrders]:
    """Consecutive chunks of orders, each with its own items (items follow their orders)."""
    out: list[MappedOrders] = []
    item_index = 0
    for start in range(0, len(data.orders), size):
        orders = data.orders[start : start + size]
        ids = {o["amazon_order_id"] for o in orders}
        end = item_index
        while end < len(data.items) and data.items[end]["amazon_order_id"] in ids:
            end += 1
        out.append(MappedOrders(orders=orders, items=data.items[item_index:end]))
        item_index = end
    return out


async def bulk(
    sessionmaker: async_sessionmaker[AsyncSession], parts: list[MappedOrders], workers: int
) -> tuple[float, UpsertCounts, UpsertCounts]:
    """`workers` concurrent units of work (like sync workers), each committing its chunk."""
    totals = [UpsertCounts(), UpsertCounts()]
    queue = list(reversed(parts))

    async def worker() -> None:
        while queue:
            part = queue.pop()
            async with sessionmaker() as s, s.begin():
                written = await OrderRepository(s).upsert(part)
            totals[0] += written.orders
            totals[1] += written.items

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(workers)))
    return time.perf_counter() - started, totals[0], totals[1]


async def sample_waits(url: str, stop: asyncio.Event) -> collections.Counter[str]:
    """What PostgreSQL's busy sessions wait on (or CPU), sampled every 20 ms until `stop`."""
    seen: collections.Counter[str] = collections.Counter()
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        while not stop.is_set():
            rows = await (
                await conn.execute(
                    "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity "
                    "WHERE backend_type = 'client backend' AND state = 'active' AND pid <> pg_backend_pid()"
                )
            ).fetchall()
            seen.update(r[0] for r in rows)
            await asyncio.sleep(0.02)
    return seen


async def orm_row_by_row(sessionmaker: async_sessionmaker[AsyncSession], data: MappedOrders) -> float:
    items_by_order: dict[str, list[ItemRow]] = {}
    for item in data.items:
        items_by_order.setdefault(item["amazon_order_id"], []).append(item)
    started = time.perf_counter()
    async with sessionmaker() as s, s.begin():
        for row in data.orders:
            order = Order(**row)
            s.add(order)
            await s.flush()
            for item in items_by_order.get(row["amazon_order_id"], []):
                values: dict[str, Any] = {
                    k: v for k, v in item.items() if k not in ("order_last_update_date", "source")
                }
                s.add(OrderItem(order_id=order.id, **values))
                await s.flush()
    return time.perf_counter() - started


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="b2-") as tmp:
        pg = EmbeddedPostgres(Path(tmp)).start()
        try:
            migrate.upgrade(pg.url)
            engine = create_async_engine(to_psycopg_url(pg.url), pool_size=2)
            sessionmaker = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
            tenant, conn = await seed_owner(sessionmaker, "bench-bulk")
            t0 = time.perf_counter()
            data = synthetic(args.orders, args.items_per_order, tenant, conn)
            gen_s = time.perf_counter() - t0
            # The input (700,000 row dicts) stays alive for the whole run, which a sync worker never
            # holds (it writes one window at a time): keep the garbage collector from re-scanning it
            # on every collection, so the figures are about the upsert.
            gc.freeze()
            rows = len(data.orders) + len(data.items)
            print(
                f"B2 data: {len(data.orders):,} orders + {len(data.items):,} items = {rows:,} rows "
                f"(generated in {gen_s:.1f}s)"
            )
            print(f"B2 {pace_line()}")

            parts = chunks(data, args.chunk)
            # `--workers` sessions, as that many sync jobs run side by side on the worker's threads.
            stop = asyncio.Event()
            waits = asyncio.create_task(sample_waits(pg.url, stop)) if args.waits else None
            cpu0 = time.process_time()
            elapsed, oc1, ic1 = await bulk(sessionmaker, parts, args.workers)
            client_cpu = time.process_time() - cpu0
            stop.set()
            bulk_rate = rows / elapsed
            print(
                f"B2 bulk upsert, {args.workers} sessions, all {rows:,} rows: {elapsed:.2f}s = "
                f"{bulk_rate:,.0f} rows/s (orders {oc1}, items {ic1}; this process's CPU "
                f"{client_cpu:.1f}s, the rest is PostgreSQL)"
            )

            if waits is not None:
                seen = await waits
                samples = sum(seen.values())
                top = ", ".join(f"{k} {n / samples:.0%}" for k, n in seen.most_common(6))
                print(f"B2 PostgreSQL sessions' samples during the bulk upsert ({samples:,}): {top}")

            elapsed3, oc3, ic3 = await bulk(sessionmaker, parts, args.workers)
            print(
                f"B2 re-run of every window ({args.workers} sessions, must change nothing): "
                f"{elapsed3:.2f}s = "
                f"{rows / elapsed3:,.0f} rows/s (orders {oc3}, items {ic3})"
            )

            tenant2, conn2 = await seed_owner(sessionmaker, "bench-orm")
            sample = synthetic(args.orm_orders, args.items_per_order, tenant2, conn2, seed=11)
            sample_rows = len(sample.orders) + len(sample.items)
            orm_s = await orm_row_by_row(sessionmaker, sample)
            orm_rate = sample_rows / orm_s
            print(
                f"B2 ORM row by row: {sample_rows:,} rows in {orm_s:.2f}s = {orm_rate:,.0f} rows/s; "
                f"{rows:,} rows would take {rows / orm_rate:,.0f}s"
            )
            print(
                f"B2 ratio bulk / ORM: {bulk_rate / orm_rate:.1f}x; target >= 50,000 rows/s: "
                f"{'MET' if bulk_rate >= 50_000 else 'NOT MET'}"
            )
            await engine.dispose()
        finally:
            pg.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--items-per-order", type=float, default=2.5)
    parser.add_argument("--chunk", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--orm-orders", type=int, default=2_000)
    parser.add_argument(
        "--waits", action="store_true", help="sample what PostgreSQL waits on during the bulk upsert"
    )
    asyncio.run(main(parser.parse_args()))
