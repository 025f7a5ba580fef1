"""B6: notification-driven freshness. The product's processes (worker, scheduler, notifications
consumer; no API) against the emulator at its real clock (time scale 1), with a local SQS (moto
server) the emulator publishes ORDER_CHANGE to as it changes orders. `--sellers` sellers are
onboarded in the delta regime (backfill done, their 15-minute deltas running as the safety net)
and subscribed to ORDER_CHANGE by the product itself (the consumer asks for the missing
subscriptions when it starts).

Phases, each a stream of changes (`POST /_emulator/sellers/{id}/activity`: a new order or a status
change of an open one, in turn):
  1. trickle: `--trickle-rate` changes a second for `--trickle-seconds`, at random sellers;
  2. burst: `--changes` changes in `--burst-seconds` across every seller;
  3. concentrated burst: as many changes in as long at `--hot-sellers` sellers only (large ones:
     twice as many open orders as changes among them), far beyond
     getOrder's plan (a burst of 30, then one call every 2 s per seller): the product coalesces
     them into targeted deltas (`app.orders.coalesce`).

For each: p50/p95/max seconds from the change (the moment the bench asked the emulator for it:
the order's LastUpdateDate is stamped during that call) to the write of the row in PostgreSQL that
carries it (its `updated_at`, watched every 0.25 s), the changes that never arrived, and, once no
change waits for a coalesced delta any more, the getOrder
calls and the 429s the emulator answered (its request log), and the changes served by coalesced
deltas (the scheduler's `orders.coalesced_served` lines) or left to them by waiting refresh jobs
(the workers' `orders.refresh_left_to_delta` lines). Target (issue "Scale out and operate"): p95
under 10 s. A coalesced change cannot meet it: Amazon's order searches show nothing changed in the
last 2 minutes, so a delta reads it 2 minutes after it happened at the soonest (2 to 2.5 minutes:
one delta reads the changes of 30 s, `app.orders.coalesce.COALESCE_WINDOW`).

Usage: .venv/bin/python bench/b6_notification_freshness.py [--sellers 200] [--changes 1000]
       [--burst-seconds 60] [--trickle-rate 3] [--trickle-seconds 60] [--hot-sellers 5] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis
from _delta_regime import US, create_sellers, seed_delta_rows
from _pace import pace_line
from _sqs import start_sqs
from _sync_harness import Harness

from app.orders.coalesce import INDEX_KEY as COALESCING_INDEX

TARGET_P95_S = 10.0
DELTA_INTERVAL_S = 900.0  # the product's default: 15 minutes
# After the last change of a phase: long enough for a coalesced change (Amazon's 2-minute rule,
# then the next tick and the delta run).
SETTLE_S = 240.0


@dataclass
class Changes:
    """Status changes asked of the emulator and when PostgreSQL first carried each."""

    sessionmaker: Any
    # (order id, the whole second before the change, when the bench asked for it)
    asked: list[tuple[str, float, float]] = field(default_factory=list)
    reflected: dict[tuple[str, float], float] = field(default_factory=dict)

    async def make(
        self, client: httpx.AsyncClient, sellers: list[str], count: int, seconds: float, rng: random.Random
    ) -> None:
        """`count` changes evenly over `seconds`, each at a random one of `sellers`."""
        started = time.monotonic()
        calls = []
        for n in range(count):
            delay = started + n * seconds / max(count, 1) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            kind = "new_orders" if n % 2 else "updates"
            calls.append(asyncio.create_task(self._one(client, rng.choice(sellers), kind)))
        await asyncio.gather(*calls)

    async def _one(self, client: httpx.AsyncClient, seller: str, kind: str) -> None:
        sent = time.time()
        answer = await client.post(f"/_emulator/sellers/{seller}/activity", json={kind: 1})
        answer.raise_for_status()
        for order_id in answer.json()["created"] + answer.json()["updated"]:
            self.asked.append((order_id, float(int(sent)), sent))

    async def watch(self, stop: asyncio.Event) -> None:
        """When the stored row first carries each change (its LastUpdateDate reaches the change's
        second), from the row's own `updated_at` (the time of that write)."""
        from sqlalchemy import select

        from app.orders.models import Order

        while not stop.is_set():
            pending = [(o, floor) for o, floor, _ in self.asked if (o, floor) not in self.reflected]
            if pending:
                async with self.sessionmaker() as session:
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
                        self.reflected[(order_id, floor)] = stored[order_id][1]
            await asyncio.sleep(0.25)

    def arrived(self) -> bool:
        return len(self.reflected) >= len({(o, f) for o, f, _ in self.asked})

    def freshness(self) -> tuple[list[float], int]:
        seen: set[tuple[str, float]] = set()
        values = []
        for order_id, floor, sent in self.asked:
            if (order_id, floor) in seen:
                continue
            seen.add((order_id, floor))
            if (order_id, floor) in self.reflected:
                values.append(max(0.0, self.reflected[(order_id, floor)] - sent))
        return sorted(values), len(seen) - len(values)


def percentile(values: list[float], share: float) -> float:
    return values[int(share * (len(values) - 1))] if values else float("inf")


class LogTail:
    """The JSON lines a process wrote since the last `read`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def read(self) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as f:
            f.seek(self.offset)
            data = f.read()
        self.offset += len(data)
        lines = []
        for text in data.decode(errors="replace").splitlines():
            try:
                line = json.loads(text)
            except ValueError:
                continue
            if isinstance(line, dict):
                lines.append(line)
        return lines


def create_hot_sellers(client: httpx.Client, count: int, orders: int) -> list[tuple[str, str]]:
    """`count` sellers with `orders` orders in the last month, and a refresh token for each."""
    from _sync_harness import CLIENT_ID

    out = []
    for n in range(count):
        seller = f"AHOT{n:03d}{random.Random(n).randrange(16**8):08X}"
        client.post(
            "/_emulator/sellers",
            json={"selling_partner_id": seller, "marketplaces": [US], "orders": orders, "months": 1, "seed": 900 + n},
        ).raise_for_status()
        answer = client.post("/_emulator/self-authorize", json={"client_id": CLIENT_ID, "selling_partner_id": seller})
        answer.raise_for_status()
        out.append((seller, answer.json()["refresh_token"]))
    return out


async def subscribed(sessionmaker: Any) -> int:
    from sqlalchemy import func, select

    from app.notifications.models import NotificationSubscription

    async with sessionmaker() as session:
        return int(
            (
                await session.execute(
                    select(func.count()).where(
                        NotificationSubscription.notification_type == "ORDER_CHANGE",
                        NotificationSubscription.status == "active",
                    )
                )
            ).scalar_one()
        )


async def run_phase(
    name: str,
    client: httpx.AsyncClient,
    sessionmaker: Any,
    sellers: list[str],
    count: int,
    seconds: float,
    logs: dict[str, list[LogTail]],
    rng: random.Random,
    redis: Any,
) -> list[str]:
    await client.delete("/_emulator/requests")
    for tails in logs.values():
        for tail in tails:
            tail.read()  # start after what earlier phases wrote
    changes = Changes(sessionmaker)
    stop = asyncio.Event()
    watcher = asyncio.create_task(changes.watch(stop))
    started = time.monotonic()
    await changes.make(client, sellers, count, seconds, rng)
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline and not changes.arrived():
        await asyncio.sleep(1.0)
    # The counts below are complete once no change waits for a coalesced delta any more (a change
    # can arrive sooner, by the getOrder of an earlier change of the same order).
    while time.monotonic() < deadline and await redis.scard(COALESCING_INDEX):
        await asyncio.sleep(1.0)
    stop.set()
    await watcher
    elapsed = time.monotonic() - started
    requests = (await client.get("/_emulator/requests")).json()
    amazon = [e for e in requests if not e["path"].startswith("/_emulator")]
    get_order = [e for e in amazon if (e["operation"] or "").endswith(".getOrder")]
    throttled = [e for e in amazon if e["status"] == 429]
    searches = [e for e in amazon if (e["operation"] or "").endswith(("searchOrders", "getOrders"))]
    served = sum(int(line.get("served", 0)) for t in logs["scheduler"] for line in t.read() if line.get("event") == "orders.coalesced_served")
    worker_lines = [line for t in logs["workers"] for line in t.read()]
    left = sum(line.get("event") == "orders.refresh_left_to_delta" for line in worker_lines)
    consumer_lines = [line for t in logs["notifications"] for line in t.read()]
    notified = sum(line.get("event") == "notification.order_change" for line in consumer_lines)
    values, missing = changes.freshness()
    p95 = percentile(values, 0.95)
    by_operation = Counter(e["operation"] or e["path"] for e in amazon).most_common(6)
    return [
        f"  {name}: {len(changes.asked):,} changes at {len(sellers)} seller(s) in {seconds:.0f} s "
        f"({len(changes.asked) / max(seconds, 1e-9):.1f}/s), phase {elapsed:.0f} s, {notified:,} ORDER_CHANGE consumed",
        f"    freshness p50 {percentile(values, 0.5):.1f} s, p95 {p95:.1f} s, max {max(values, default=float('inf')):.1f} s; "
        f"{missing} not arrived within {SETTLE_S:.0f} s -> p95 < {TARGET_P95_S:.0f} s "
        f"{'MET' if p95 < TARGET_P95_S and missing == 0 else 'NOT MET'}",
        f"    getOrder calls {len(get_order):,}, order searches {len(searches):,}, 429 answered {len(throttled):,} "
        f"(of {len(amazon):,} SP-API calls); changes served by coalesced deltas {served:,} "
        f"({left:,} of them from refresh jobs that had not called getOrder yet)",
        "    SP-API calls by operation: " + ", ".join(f"{name} {n:,}" for name, n in by_operation),
    ]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sellers", type=int, default=200)
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--burst-seconds", type=float, default=60.0)
    parser.add_argument("--trickle-rate", type=float, default=3.0)
    parser.add_argument("--trickle-seconds", type=float, default=60.0)
    parser.add_argument("--hot-sellers", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--slots", type=int, default=8)
    parser.add_argument("--phases", default="trickle,burst,concentrated", help="which phases to run, in order")
    args = parser.parse_args()
    print(f"B6 {pace_line()}; {os.cpu_count()} CPUs", flush=True)

    import tempfile

    base = Path(tempfile.mkdtemp(prefix="b6-bench-"))
    moto, sqs_env = start_sqs(base, "b6-notifications")
    os.environ.update(sqs_env)  # the emulator (spawned by the harness) publishes there
    harness = Harness(
        time_scale=1.0,
        workers=args.slots,
        base=base,
        extra_env={
            **sqs_env,
            "DELTA_SYNC_INTERVAL_MINUTES": f"{DELTA_INTERVAL_S / 60:g}",
            "LOG_LEVEL": "INFO",
            "DB_POOL_SIZE": "10",
        },
    )
    try:
        harness.start()
        client = httpx.Client(base_url=harness.emulator_url, timeout=60)
        hot_count = max(1, min(args.hot_sellers, args.sellers))
        # The concentrated burst's sellers are large (a seller shipping many orders at once): its
        # changes fall on different orders, as Amazon's would.
        pairs = create_hot_sellers(client, hot_count, 2 * args.changes // hot_count)
        pairs += create_sellers(client, args.sellers - hot_count, [US])
        sellers = [seller for seller, _ in pairs]
        from sqlalchemy.ext.asyncio import create_async_engine

        from app.db.session import create_sessionmaker
        from app.settings import get_settings

        engine = create_async_engine(get_settings().db.sqlalchemy_url)
        sessionmaker = create_sessionmaker(engine)
        await seed_delta_rows(sessionmaker, pairs, [US], DELTA_INTERVAL_S, "B6")
        cli = [sys.executable, "-m", "app.cli"]
        for n in range(args.workers):
            harness._spawn(f"worker-{n + 1}", [*cli, "worker", "--threads", str(args.slots)])
        harness._spawn("scheduler", [*cli, "scheduler", "--tick-seconds", "1"])
        harness._spawn("notifications", [*cli, "notifications"])
        deadline = time.monotonic() + 120 + args.sellers
        while await subscribed(sessionmaker) < args.sellers:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the sellers were not subscribed to ORDER_CHANGE in time (logs: {base})")
            await asyncio.sleep(1.0)
        print(
            f"B6 {args.sellers} sellers subscribed to ORDER_CHANGE (local SQS), their deltas every "
            f"{DELTA_INTERVAL_S / 60:g} min as the safety net; {args.workers} worker process(es) x {args.slots} slots, "
            f"scheduler, notifications consumer; emulator clock x1",
            flush=True,
        )
        logs = {
            "scheduler": [LogTail(base / "scheduler.log")],
            "workers": [LogTail(base / f"worker-{n + 1}.log") for n in range(args.workers)],
            "notifications": [LogTail(base / "notifications.log")],
        }
        rng = random.Random(6)
        assert harness.redis is not None
        redis = aioredis.Redis.from_url(harness.redis.url)
        hot = sellers[:hot_count]
        trickle = max(1, round(args.trickle_rate * args.trickle_seconds))
        async with httpx.AsyncClient(base_url=harness.emulator_url, timeout=60) as amazon:
            phases = {
                "trickle": ("trickle", sellers, trickle, args.trickle_seconds),
                "burst": ("burst", sellers, args.changes, args.burst_seconds),
                "concentrated": ("concentrated burst", hot, args.changes, args.burst_seconds),
            }
            for name, who, count, seconds in (phases[p.strip()] for p in args.phases.split(",")):
                for line in await run_phase(name, amazon, sessionmaker, who, count, seconds, logs, rng, redis):
                    print(line, flush=True)
        await engine.dispose()
    finally:
        harness.stop()
        if moto.poll() is None:
            moto.terminate()
            try:
                moto.wait(timeout=10)
            except subprocess.TimeoutExpired:
                moto.kill()


if __name__ == "__main__":
    asyncio.run(main())
