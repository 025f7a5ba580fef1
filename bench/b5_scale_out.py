"""B5: scale out. The product's processes as an operator starts them (one API with 2 processes, N
worker processes, one scheduler) on one PostgreSQL and one Redis, against the emulator at a scaled
clock, with `--connections` sellers x 2 marketplaces in the delta regime (as B3: backfills taken as
done, last deltas spread over one interval) plus `--backfills` sellers onboarded from scratch (their
24-month backfill runs beside the deltas), and emulator activity at random sellers.

For each N of `--workers` (1, 2, 4): deltas per second, whether every delta stayed inside its
interval (max gap), p95 freshness, the 429s the emulator answered (of all SP-API calls), the calls
to Login with Amazon against connections x token lifetimes elapsed, duplicated work (a run of a
sync row starting before its previous run ended: must be 0), and each process's CPU seconds and
peak memory. The emulator counts every call it answers (its request log, read every few seconds).

Targets (issue "Scale out and operate"): zero overlap; 429s under 0.1% of calls in steady state;
LWA calls one per connection per token lifetime; deltas per second growing with N up to the
machine's cores.

Usage: .venv/bin/python bench/b5_scale_out.py [--connections 2000] [--backfills 5] [--workers 1,2,4]
       [--time-scale 10] [--intervals 2] [--slots 8]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import psutil
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
from _sync_harness import Harness, onboard, write_results

from app.kit.embedded import free_port
from app.tokens.cache import cache_ttl_s

AMAZON_TOKEN_LIFETIME_S = 3600  # what LWA announces (expires_in), in Amazon seconds


@dataclass
class CallCounts:
    """Every call the emulator answered (its request log, read every few seconds, each entry once)."""

    seen: set[str] = field(default_factory=set)
    by_status: dict[tuple[str, int], int] = field(default_factory=dict)

    def read(self, client: httpx.Client) -> None:
        for entry in client.get("/_emulator/requests").json():
            key = entry["request_id"] or f"{entry['time']}{entry['path']}{entry['query']}"
            if key in self.seen:
                continue
            self.seen.add(key)
            name = (entry["operation"] or entry["path"], entry["status"])
            self.by_status[name] = self.by_status.get(name, 0) + 1

    def count(self, *, operation: str | None = None, status: int | None = None, lwa: bool | None = None) -> int:
        return sum(
            n
            for (op, st), n in self.by_status.items()
            if (operation is None or op == operation)
            and (status is None or st == status)
            and (lwa is None or (op == "lwa.token") == lwa)
        )


@dataclass
class ProcessUsage:
    """CPU seconds and peak memory of a process tree, sampled: PSS (each page shared by n processes
    counted 1/n in each), so PostgreSQL's shared buffers are not counted once per backend."""

    name: str
    process: psutil.Process
    peak_pss: int = 0
    cpu_s: float = 0.0

    def sample(self) -> None:
        try:
            tree = [self.process, *self.process.children(recursive=True)]
            pss, cpu = 0, 0.0
            for p in tree:
                with p.oneshot():
                    pss += p.memory_full_info().pss
                    times = p.cpu_times()
                    cpu += times.user + times.system
            self.peak_pss = max(self.peak_pss, pss)
            self.cpu_s = max(self.cpu_s, cpu)
        except psutil.Error:
            pass


async def run_once(args: argparse.Namespace, workers: int) -> list[str]:
    scale = args.time_scale
    interval_min = 15.0 / scale
    interval_s = interval_min * 60
    harness = Harness(
        time_scale=scale,
        workers=args.slots,
        extra_env={"DELTA_SYNC_INTERVAL_MINUTES": f"{interval_min:.6f}", "DB_POOL_SIZE": "10"},
    ).start()
    usage: list[ProcessUsage] = []
    try:
        client = httpx.Client(base_url=harness.emulator_url, timeout=60)
        sellers = create_sellers(client, args.connections, [US, CA])
        from sqlalchemy.ext.asyncio import create_async_engine

        from app.db.session import create_sessionmaker
        from app.settings import get_settings

        engine = create_async_engine(get_settings().db.sqlalchemy_url)
        sessionmaker = create_sessionmaker(engine)
        await seed_delta_rows(sessionmaker, sellers, [US, CA], interval_s, "B5")
        backfilling = [
            (seller, harness.refresh_token(seller), [US])
            for seller in (harness.create_seller(2000, [US], seed=100 + n) for n in range(args.backfills))
        ]
        client.delete("/_emulator/requests")

        api_port = free_port()
        procs = {
            "api (2 processes)": harness._spawn(
                "api", [sys.executable, "-m", "app.cli", "api", "--port", str(api_port), "--workers", "2"]
            ),
            "scheduler": harness._spawn("scheduler", [sys.executable, "-m", "app.cli", "scheduler", "--tick-seconds", "0.5"]),
        }
        for n in range(workers):
            procs[f"worker {n + 1}"] = harness._spawn(
                f"worker-{n + 1}", [sys.executable, "-m", "app.cli", "worker", "--threads", str(args.slots)]
            )
        await onboard(sessionmaker, backfilling)
        usage = [ProcessUsage(name, psutil.Process(p.pid)) for name, p in procs.items()]
        assert harness.pg is not None
        postmaster = int((harness.pg.pgdata / "postmaster.pid").read_text().split()[0])
        usage.append(ProcessUsage("postgresql", psutil.Process(postmaster)))
        calls = CallCounts()
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                for u in usage:
                    u.sample()
                time.sleep(2.0)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.monotonic()

        async def read_calls() -> None:
            while not stop.is_set():
                await asyncio.to_thread(calls.read, client)
                await asyncio.sleep(3.0)

        reader = asyncio.create_task(read_calls())
        # One interval to settle (the first deltas read 40 days of history), then activity.
        await asyncio.sleep(interval_s)
        measure_from = datetime.now(UTC)
        measured = time.monotonic()
        activity = Activity(client, sessionmaker, sellers)
        await activity.run(args.intervals * interval_s, max(0.2, interval_s / 60), LAG_S + interval_s * 1.2)
        measured_s = time.monotonic() - measured
        elapsed_s = time.monotonic() - started
        stop.set()
        await reader
        sampler.join()
        calls.read(client)
        fresh = await activity.freshness()
        runs = await delta_runs(sessionmaker, measure_from)
        errors = await rows_in_error(sessionmaker)
        await engine.dispose()
    finally:
        harness.stop()

    gaps = runs.gaps()
    late = [g for g in gaps if g > interval_s * 1.1 + 2]
    rows = 2 * args.connections
    p95_real = p95(fresh.all_real)
    sp_calls = calls.count(lwa=False)
    throttled = calls.count(status=429, lwa=False)
    token_calls = calls.count(operation="lwa.token")
    # Tokens are handed out until `cache_ttl_s` of their lifetime: at most one call per connection per
    # such period (the first included) over the run.
    lifetime_s = cache_ttl_s(AMAZON_TOKEN_LIFETIME_S / scale)
    connections = args.connections + args.backfills
    token_bound = connections * math.ceil(elapsed_s / lifetime_s)
    durations = runs.durations()
    lines = [
        f"B5 N={workers} worker process(es) x {args.slots} slots, 1 scheduler, 1 API (2 processes); "
        f"{args.connections:,} connections x 2 marketplaces in deltas + {args.backfills} backfilling; "
        f"emulator clock x{scale:g}, interval {interval_s:.0f} s real",
        f"  deltas: {len(runs.runs):,} in {measured_s:.0f} s measured = {len(runs.runs) / measured_s:.1f}/s; "
        f"rows that ran {len(runs.by_row()):,} / {rows:,}; rows in error {errors}; run duration p50 "
        f"{statistics.median(durations) if durations else 0:.2f} s",
        f"  every delta inside its interval: {'yes' if not late and len(runs.by_row()) >= rows else 'NO'} "
        f"(max gap {max(gaps, default=0) * scale / 60:.1f} min Amazon, {len(late)} late)",
        f"  duplicated work (a run of a row starting before its previous run ended): {runs.overlaps()} "
        f"-> {'ok' if runs.overlaps() == 0 else 'MISSED'}",
        f"  freshness of {len(fresh.all_real):,} changes ({fresh.missing} not arrived): p95 "
        f"{in_amazon_time(p95_real, scale) / 60:.1f} min Amazon ({p95_real:.0f} s real)",
        f"  SP-API calls {sp_calls:,}, 429 answered {throttled:,} = {100 * throttled / max(1, sp_calls):.3f}% "
        f"(target < 0.1%) -> {'ok' if throttled <= sp_calls / 1000 else 'MISSED'}",
        f"  LWA token calls {token_calls:,} for {connections:,} connections over {elapsed_s:.0f} s "
        f"({lifetime_s:.0f} s per token): at most {token_bound:,} allowed -> "
        f"{'ok' if token_calls <= token_bound else 'MISSED'}",
        "  processes (CPU s, peak PSS MB): "
        + ", ".join(f"{u.name} {u.cpu_s:.0f} s {u.peak_pss / 1e6:.0f} MB" for u in usage),
    ]
    print("\n".join(lines), flush=True)
    return lines


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--backfills", type=int, default=5)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--time-scale", type=float, default=10.0)
    parser.add_argument("--intervals", type=int, default=2)
    parser.add_argument("--slots", type=int, default=8)
    args = parser.parse_args()
    lines = [f"B5 {pace_line()}; {os.cpu_count()} CPUs"]
    print(lines[0], flush=True)
    for n in (int(w) for w in args.workers.split(",")):
        lines += await run_once(args, n)
    when = datetime.now().strftime("%Y-%m-%d %H:%M")
    write_results("b5", f"## B5 scale out ({when})\n\n```\n" + "\n".join(lines) + "\n```")


if __name__ == "__main__":
    asyncio.run(main())
