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
import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from _delta_regime import (
    CA,
    LAG_S,
    US,
    Activity,
    create_sellers,
    delta_runs,
    in_amazon_time,
    p95,
    rows_in_error,
    seed_delta_rows,
)
from _pace import pace_line
from _sync_harness import Harness, write_results


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
        started = time.monotonic()
        sellers = create_sellers(client, args.connections, [US, CA])
        print(f"B3: {args.connections} sellers created in {time.monotonic() - started:.0f} s")

        from app.db.session import create_sessionmaker
        from app.settings import get_settings
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(get_settings().db.sqlalchemy_url)
        sessionmaker = create_sessionmaker(engine)
        await seed_delta_rows(sessionmaker, sellers, [US, CA], interval_s, "B3")
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
        activity = Activity(client, sessionmaker, sellers)
        # Let the last changes through: the 2-minute rule, then one interval.
        await activity.run(args.intervals * interval_s, max(0.2, interval_s / 60), LAG_S + interval_s * 1.2)
        stop.set()
        sampler.join()
        fresh = await activity.freshness()
        runs = await delta_runs(sessionmaker, measure_from)
        errors = await rows_in_error(sessionmaker)
        await engine.dispose()
    finally:
        harness.stop()

    # Every change the activity made: a new order until its row exists, a status change until the
    # row carries it (or a later one). An order changed again before any delta could see it shows
    # up only with the later change: Amazon filters on the current LastUpdateDate.
    fresh_real = fresh.all_real
    p95_real = p95(fresh_real)
    p95_amazon = in_amazon_time(p95_real, scale)
    new_p95_amazon = in_amazon_time(p95(fresh.new_real), scale)
    gaps = runs.gaps()
    durations = runs.durations()
    late = [g for g in gaps if g > interval_s * 1.1 + 2]
    rows_run = len(runs.by_row())
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
            f"  deltas measured: {len(runs.runs):,} over {args.intervals} intervals; rows that ran: {rows_run:,} / "
            f"{2 * args.connections:,}; rows in error: {errors}"
        ),
        (
            f"  every delta inside its interval: {'yes' if inside else 'NO'} (gap between a row's deltas: max "
            f"{max(gaps, default=0) * scale / 60:.1f} min Amazon, {len(late)} over the interval; run duration p95 "
            f"{run_p95:.2f} s real)"
        ),
        (
            f"  freshness of {len(fresh_real):,} changes ({len(fresh.new_real)} new orders, "
            f"{len(fresh.status_real)} status changes; {fresh.missing} not arrived): p95 {p95_amazon / 60:.1f} min "
            f"Amazon (measured p50 {p50_real:.0f} s, p95 {p95_real:.0f} s, max {max(fresh_real, default=0):.0f} s "
            f"real) vs target 17 min -> {'ok' if p95_amazon <= 17 * 60 else 'MISSED'}; new orders alone: p95 "
            f"{new_p95_amazon / 60:.1f} min"
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
