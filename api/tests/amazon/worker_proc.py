"""A separate process for the cross-process tests: `python -m tests.amazon.worker_proc <mode>`.

Arguments come as JSON in AMAZON_TEST_ARGS; the result is one JSON line on stdout. Tokens are never
printed, only their hashes.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sys
import time
from typing import Any

from app.amazon_http import AmazonTransport, RateLimiter, RetryPolicy, Throttled, create_http_client
from app.kit.redis import create_redis
from app.spapi.primitives import Operation
from app.tokens.repository import ConnectionRef, MemoryTokenStore
from app.tokens.service import TokenManager
from tests.amazon.support import settings_for


async def main(mode: str, args: dict[str, Any]) -> dict[str, Any]:
    redis = create_redis(args["redis_url"])
    http = create_http_client()
    transport = AmazonTransport(
        http, limiter=RateLimiter(redis), retry=RetryPolicy(max_attempts=5, base_s=0.05, cap_s=0.5)
    )
    connection = ConnectionRef(args["connection_id"], None, "amazon_sp", "NA", args["seller"])
    manager = TokenManager(
        settings=settings_for(args["url"], application_id=args["application_id"]),
        store=MemoryTokenStore({connection.connection_id: args["refresh_token"]}),
        redis=redis,
        transport=transport,
    )
    # Start together: both processes are past their imports before the first call.
    await asyncio.sleep(max(0.0, args["start_at"] - time.time()))
    try:
        if mode == "tokens":
            tokens = await asyncio.gather(*[manager.access_token(connection) for _ in range(args["callers"])])
            return {"hashes": sorted({hashlib.sha256(t.encode()).hexdigest() for t in tokens})}
        if mode == "hammer":
            client = manager.spapi_client(connection, max_wait_s=args["max_wait_s"])
            op = Operation(
                "sellers", "getMarketplaceParticipations", "GET", "/sellers/v1/marketplaceParticipations"
            )
            done, deferred, finish = 0, 0, args["start_at"] + args["seconds"]
            while time.time() < finish:
                try:
                    await client.call(op)
                    done += 1
                except Throttled as again:
                    # What a worker does: give the slot time back to the scheduler instead of spinning.
                    deferred += 1
                    await asyncio.sleep(min(again.retry_after, max(0.0, finish - time.time())))
            return {"done": done, "deferred": deferred}
        raise SystemExit(f"unknown mode {mode}")
    finally:
        await http.aclose()
        await redis.aclose()


if __name__ == "__main__":
    result = asyncio.run(main(sys.argv[1], json.loads(os.environ["AMAZON_TEST_ARGS"])))
    print(json.dumps(result))
