"""B3: deltas at scale: 1,000 connections x 2 marketplaces, a 15-minute interval, ONE worker process
and the scheduler.

The emulator's clock is scaled by S (rates x S); the product's interval is 15/S minutes so one
Amazon interval passes in 15/S real minutes. The backfills are taken as done (rows start in the
delta regime, their last delta spread over one interval, as in a steady state). During the run,
emulator activity (a new order and a status change) is posted at random sellers. Freshness is
measured for every change: a new order's from its creation in the emulator to its row in
Postgres (`first_seen_at`); a status change's from the change to the write that gave the row that
LastUpdateDate or a later one (`updated_at`, watched every 0.25 s). An order changed again before
any delta could see it arrives only with the later change (Amazon filters on the current
LastUpdateDate), so its creation waits longer: B3 prints new orders alone too.

Amazon hides the last 2 minutes from every query (`lastUpdatedBefore <= now - 2 min`) on the wall
clock, unscaled: the freshness in Amazon time is therefore 2 min + (measured - 2 min) x S.

Printed: whether every delta finished inside its interval (gaps between a row's deltas), the p95
freshness against interval + 2 minutes, and the worker process's peak memory (RSS of the process
tree) against 1 GB.

Usage: .venv/bin/python bench/b3_delta_scale.py [--connections 1000] [--time-scale 10] [--intervals 3]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from _pace import pace_line
from _sync_harness import KEY, Harness, write_results

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
LAG_S = 125.0  # the 2-minute rule plus our 5 s margin (wall clock, not scaled)


def rss_tree_kb(pid: int) -> int:
    """RSS of a process and its descendants (kB), from /proc."""
    total = 0
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
        stack.extend(children.get(current, []))
    return total


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--time-scale", type=float, default=10.0)
    parser.add_argument("--intervals", type=int, default=3)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    scale = args.time_scale
    interval_min = 15.0 / scale
    interval_s = interval_min * 60
    # Measured before the product starts, so that nothing else competes for the CPU.
    pace = pace_line()

    harness = Harness(
        time_scale=scale,
        workers=args.workers,
        extra_env={
            "DELTA_SYNC_INTERVAL_MINUTES": f"{interval_min:.6f}",
            "DB_POOL_SIZE": "20",
        },
    ).start()
    peak_kb = 0
    try:
        client = httpx.Client(base_url=harness.emulator_url, timeout=60)
        sellers: list[tuple[str, str]] = []
        started = time.monotonic()
        for n in range(args.connections):
            seller = f"A{n:05d}{uuid.uuid4().hex[:7].upper()}"
            client.post(
                "/_emulator/sellers",
                json={
                    "selling_partner_id": seller,
                    "marketplaces": [US, CA],
                    "orders": 6,
                    "months": 1,
                    "seed": n,
                },
            ).raise_for_status()
            refresh = client.post(
                "/_emulator/self-authorize",
                json={
                    "client_id": "amzn1.application-oa2-client.bench",
                    "selling_partner_id": seller,
                },
            ).json()["refresh_token"]
            sellers.append((seller, refresh))
        print(
            f"B3: {args.connections} sellers created in {time.monotonic() - started:.0f} s"
        )

        from app.connections.models import Connection
        from app.db.session import create_sessionmaker, unit_of_work
        from app.orders.models import Order
        from app.settings import get_settings
        from app.sync.models import Job, SyncState
        from app.tenants.models import Tenant
        from app.tokens.repository import SqlTokenStore
        from sqlalchemy import func, select, text
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(get_settings().db.sqlalchemy_url)
        sessionmaker = create_sessionmaker(engine)
        now = datetime.now(UTC)
        rng = random.Random(3)
        store = SqlTokenStore(sessionmaker, [KEY])
        async with unit_of_work(sessionmaker) as session:
            for seller, refresh in sellers:
                tenant = Tenant(name=f"B3 {seller}", slug=f"b3-{uuid.uuid4().hex[:12]}")
                session.add(tenant)
                await session.flush()
                connection = Connection(
                    tenant_id=tenant.id,
                    provider="amazon_sp",
                    region="NA",
                    account_id=seller,
                    marketplaces=[US, CA],
                )
                session.add(connection)
                await session.flush()
                await store.store_refresh_token(
                    session, str(tenant.id), str(connection.id), refresh
                )
                for marketplace in (US, CA):
                    last = now - timedelta(seconds=rng.uniform(0, interval_s))
                    session.add(
                        SyncState(
                            tenant_id=tenant.id,
                            connection_id=connection.id,
                            marketplace_id=marketplace,
                            entity="orders",
                            backfill_from=now - timedelta(days=730),
                            backfill_to=now - timedelta(days=40),
                            backfill_done_until=now - timedelta(days=40),
                            backfill_started_at=now,
                            backfill_completed_at=now,
                            last_updated_after=now - timedelta(days=40),
                            next_run_at=last + timedelta(seconds=interval_s),
                            extra={"last_delta_at": last.isoformat()},
                        )
                    )
        worker, _ = harness.start_product()

        stop = threading.Event()

        def sample() -> None:
            nonlocal peak_kb
            while not stop.is_set():
                peak_kb = max(peak_kb, rss_tree_kb(worker.pid))
                time.sleep(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        # One interval to settle (the first deltas read 40 days of history), then activity.
        await asyncio.sleep(interval_s)
        measure_from = datetime.now(UTC)
        created: dict[str, float] = {}
        # Status changes: (order id, the whole second before the change, when the call returned).
        changed: list[tuple[str, float, float]] = []
        reflected: dict[tuple[str, float], float] = {}
        watching = asyncio.Event()

        async def watch_changes() -> None:
            """When the stored row first carries each status change (its LastUpdateDate reaches the
            change's second), taken from the row's own `updated_at` (the time of that write)."""
            while not watching.is_set():
                pending = [(o, floor) for o, floor, _ in changed if (o, floor) not in reflected]
                if pending:
                    async with sessionmaker() as session:
                        rows = (
                            await session.execute(
                                select(Order.amazon_order_id, Order.last_update_date, Order.updated_at).where(
                                    Order.amazon_order_id.in_({o for o, _ in pending})
                                )
                            )
                        ).all()
                    stored = {r[0]: (r[1].timestamp(), r[2].timestamp()) for r in rows}
                    for order_id, floor in pending:
                        if order_id in stored and stored[order_id][0] >= floor:
                            reflected[(order_id, floor)] = stored[order_id][1]
                await asyncio.sleep(0.25)

        watcher = asyncio.create_task(watch_changes())
        deadline = time.monotonic() + args.intervals * interval_s
        while time.monotonic() < deadline:
            seller, _ = rng.choice(sellers)
            before = float(int(time.time()))
            answer = client.post(
                f"/_emulator/sellers/{seller}/activity",
                json={"new_orders": 1, "updates": 1},
            ).json()
            returned = time.time()
            for order_id in answer["created"]:
                created[order_id] = returned
            for order_id in answer["updated"]:
                changed.append((order_id, before, returned))
            await asyncio.sleep(max(0.2, interval_s / 60))
        # Let the last changes through: the 2-minute rule, then one interval.
        await asyncio.sleep(LAG_S + interval_s * 1.2)
        watching.set()
        await watcher
        stop.set()
        sampler.join()

        async with sessionmaker() as session:
            seen = dict(
                (
                    await session.execute(
                        select(Order.amazon_order_id, Order.first_seen_at).where(
                            Order.amazon_order_id.in_(list(created))
                        )
                    )
                ).all()
            )
            deltas = list(
                (
                    await session.execute(
                        select(
                            Job.connection_id,
                            Job.marketplace_id,
                            Job.started_at,
                            Job.finished_at,
                            Job.status,
                        )
                        .where(Job.kind == "delta", Job.started_at >= measure_from)
                        .order_by(Job.started_at)
                    )
                ).all()
            )
            errors = (
                await session.execute(
                    select(func.count())
                    .select_from(SyncState)
                    .where(SyncState.status == "error")
                )
            ).scalar_one()
            await session.execute(text("SELECT 1"))
        await engine.dispose()
    finally:
        harness.stop()

    def p95(values: list[float]) -> float:
        return values[int(0.95 * (len(values) - 1))] if values else float("inf")

    def in_amazon_time(real_s: float) -> float:
        return LAG_S + max(0.0, real_s - LAG_S) * scale

    # Every change the activity made: a new order until its row exists, a status change until the
    # row carries it (or a later one). An order changed again before any delta could see it shows
    # up only with the later change: Amazon filters on the current LastUpdateDate.
    new_real = sorted(seen[o].timestamp() - t for o, t in created.items() if o in seen)
    status_real = sorted(reflected[(o, f)] - t for o, f, t in changed if (o, f) in reflected)
    fresh_real = sorted(new_real + status_real)
    missing = len(created) + len(changed) - len(fresh_real)
    p95_real = p95(fresh_real)
    p95_amazon = in_amazon_time(p95_real)
    new_p95_amazon = in_amazon_time(p95(new_real))
    by_row: dict[tuple[object, object], list[datetime]] = {}
    durations = []
    for connection_id, marketplace, started_at, finished_at, _status in deltas:
        by_row.setdefault((connection_id, marketplace), []).append(
            finished_at or started_at
        )
        if finished_at and started_at:
            durations.append((finished_at - started_at).total_seconds())
    gaps = [
        (b - a).total_seconds()
        for runs in by_row.values()
        for a, b in itertools.pairwise(runs)
    ]
    late = [g for g in gaps if g > interval_s * 1.1 + 2]
    rows_run = len(by_row)
    run_p95 = statistics.quantiles(durations, n=20)[-1] if len(durations) > 20 else 0.0
    inside = not late and rows_run == 2 * args.connections
    p50_real = fresh_real[len(fresh_real) // 2] if fresh_real else 0.0
    lines = [
        (
            f"B3 delta at scale: {args.connections:,} connections x 2 marketplaces, interval 15 min "
            f"(emulator clock x{scale:g}: {interval_s:.0f} s real), one worker process ({args.workers} slots)"
            " + scheduler"
        ),
        f"  {pace}",
        (
            f"  deltas measured: {len(deltas):,} over {args.intervals} intervals; rows that ran: {rows_run:,} / "
            f"{2 * args.connections:,}; rows in error: {errors}"
        ),
        (
            f"  every delta inside its interval: {'yes' if inside else 'NO'} (gap between a row's deltas: max "
            f"{max(gaps, default=0) * scale / 60:.1f} min Amazon, {len(late)} over the interval; run duration p95 "
            f"{run_p95:.2f} s real)"
        ),
        (
            f"  freshness of {len(fresh_real):,} changes ({len(new_real)} new orders, {len(status_real)} status "
            f"changes; {missing} not arrived): p95 {p95_amazon / 60:.1f} min Amazon (measured p50 {p50_real:.0f} s, "
            f"p95 {p95_real:.0f} s, max {max(fresh_real, default=0):.0f} s real) vs target 17 min -> "
            f"{'ok' if p95_amazon <= 17 * 60 else 'MISSED'}; new orders alone: p95 {new_p95_amazon / 60:.1f} min"
        ),
        (
            f"  peak worker memory (RSS, process tree): {peak_kb / 1024:.0f} MB vs target < 1024 MB -> "
            f"{'ok' if peak_kb < 1024 * 1024 else 'MISSED'}"
        ),
    ]
    print("\n".join(lines))
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    write_results(
        "b3", f"## B3 delta at scale ({when})\n\n```\n" + "\n".join(lines) + "\n```"
    )


if __name__ == "__main__":
    asyncio.run(main())
