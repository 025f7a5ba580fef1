"""Two worker processes hammer one operation of one seller through the shared Redis limiter, against
the emulator's bucket: after the first burst, no 429s, and throughput within 10% of the usage plan.

The seller's plan is raised in the emulator (5 rps, burst 5) and the client is *not* told: it starts
from the published default (0.016 rps, burst 15) and learns the rate from `x-amzn-RateLimit-Limit`,
as it must when Amazon raises a seller's plan. That keeps the test to about 20 seconds.
"""

from __future__ import annotations

import asyncio
import calendar
import os
import time
import uuid
from typing import Any

import httpx

from tests.amazon.support import DEMO_SELLER_ID, request_log, run_processes, self_authorize

RATE, BURST, SECONDS, WARMUP = 5.0, 5, 14, 4


def epoch(iso: str) -> float:
    """The request log's time (with or without milliseconds) as epoch seconds."""
    whole, _, fraction = iso.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) + float(f"0.{fraction or 0}")


async def test_two_processes_stay_under_the_bucket(
    loopback_emulator: Any, emulator_http: httpx.AsyncClient
) -> None:
    plan = {"operation": "sellers.getMarketplaceParticipations", "rate": RATE, "burst": BURST}
    assert (
        await emulator_http.post(f"/_emulator/sellers/{DEMO_SELLER_ID}/usage-plans", json=plan)
    ).status_code == 200
    start_at = time.time() + 4
    args = {
        "url": loopback_emulator.url,
        "redis_url": os.environ["REDIS_URL"],
        "connection_id": str(uuid.uuid4()),
        "seller": DEMO_SELLER_ID,
        "refresh_token": await self_authorize(emulator_http),
        "application_id": f"app-{uuid.uuid4().hex[:8]}",
        "start_at": start_at,
        "seconds": SECONDS,
        "max_wait_s": 0.1,
    }
    results = await asyncio.to_thread(run_processes, "hammer", 2, args)
    assert all(r["done"] > 0 for r in results), results

    log = await request_log(emulator_http, operation="sellers.getMarketplaceParticipations")
    steady_from, steady_to = int(start_at) + WARMUP, int(start_at) + SECONDS - 1
    steady = [e for e in log if steady_from <= epoch(e["time"]) < steady_to]
    throttled = [e for e in steady if e["status"] == 429]
    ok = [e for e in steady if e["status"] == 200]
    assert throttled == [], f"{len(throttled)} 429s in steady state"
    throughput = len(ok) / (steady_to - steady_from)
    assert abs(throughput - RATE) / RATE <= 0.10, f"{throughput:.2f} rps against a plan of {RATE}"
