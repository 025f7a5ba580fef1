"""B1's anchor: python-amazon-sp-api's naive per-order loop (getOrders page by page, then
getOrderItems for every order), against the emulator, timed.

Runs in its own virtualenv (`bench/anchor-requirements.txt`, made by `make anchor-venv`), never in
the product's: the library is installed only for this benchmark and used unmodified. Two things
are pointed elsewhere through the library's own extension points: the endpoint (the client's
`endpoint` attribute, set after construction) and the token URL (an `AccessTokenClient` subclass
with the emulator's scheme and host, passed as `auth_token_client_class`).

One setting of the library's own is set by the caller: `SP_API_AUTH_CACHE_TTL` (how long it keeps
an access token, 3,200 s by default), to the token's real lifetime at the emulator's scale (B1:
3,200 / scale), since at x200 the emulator's token lives 18 real seconds.

The loop is the one the library's README shows (`load_all_pages` over getOrders, then one call per
order), paced as a careful user paces it: each page waits what the announced rate asks
(`use_rate_limit_header=True`), each getOrderItems goes at its announced rate, and a 429 waits one
announced interval and asks again. The emulator announces real rates at its scaled clock, so the
waits are right at any scale; the caller multiplies the wall time by the scale.

Prints one JSON object: orders, item lines, calls per operation, 429s, wall seconds.

Usage (B1 runs it): <venv>/bin/python bench/_anchor_naive.py --endpoint URL --refresh-token T
    --client-id ID --client-secret S --created-after ISO --created-before ISO
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit


def interval_s(headers: Any, default: float) -> float:
    """One announced interval (1 / x-amzn-RateLimit-Limit), in real seconds."""
    for name in ("x-amzn-RateLimit-Limit", "x-amzn-ratelimit-limit"):
        value = headers.get(name) if headers is not None else None
        if value:
            try:
                return 1.0 / float(value)
            except (ValueError, ZeroDivisionError):
                break
    return default


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("endpoint", "refresh-token", "client-id", "client-secret", "created-after", "created-before"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()

    from sp_api.api import OrdersV0
    from sp_api.auth import AccessTokenClient
    from sp_api.base import Marketplaces, SellingApiRequestThrottledException
    from sp_api.util import load_all_pages

    url = urlsplit(args.endpoint)

    class EmulatorTokenClient(AccessTokenClient):  # the token URL: Login with Amazon's, on the emulator
        scheme = f"{url.scheme}://"
        host = url.netloc

    credentials = {
        "refresh_token": args.refresh_token,
        "lwa_app_id": args.client_id,
        "lwa_client_secret": args.client_secret,
    }
    client = OrdersV0(
        Marketplaces.US,
        refresh_token=args.refresh_token,
        credentials=credentials,
        auth_token_client_class=EmulatorTokenClient,
    )
    client.endpoint = args.endpoint  # the endpoint: the emulator instead of sellingpartnerapi-na

    calls: Counter[str] = Counter()
    throttled: Counter[str] = Counter()

    def call(operation: str, fn: Any, *a: Any, **kw: Any) -> Any:
        while True:
            calls[operation] += 1
            try:
                return fn(*a, **kw)
            except SellingApiRequestThrottledException as exc:
                throttled[operation] += 1
                time.sleep(interval_s(getattr(exc, "headers", None), 1.0))

    @load_all_pages(use_rate_limit_header=True)
    def orders_pages(**kwargs: Any) -> Any:
        return call("getOrders", client.get_orders, **kwargs)

    began = time.monotonic()
    orders = lines = 0
    for page in orders_pages(
        MarketplaceIds=[Marketplaces.US.marketplace_id],
        CreatedAfter=args.created_after,
        CreatedBefore=args.created_before,
        MaxResultsPerPage=100,
    ):
        for order in page.payload.get("Orders", []):
            orders += 1
            started = time.monotonic()
            items = call("getOrderItems", client.get_order_items, order["AmazonOrderId"])
            lines += len(items.payload.get("OrderItems", []))
            # More items than one page hold are rare; the naive loop reads them the same way.
            while items.next_token:
                items = call(
                    "getOrderItems", client.get_order_items, order["AmazonOrderId"], NextToken=items.next_token
                )
                lines += len(items.payload.get("OrderItems", []))
            wait = interval_s(items.headers, 0.0) - (time.monotonic() - started)
            if wait > 0:
                time.sleep(wait)
    wall = time.monotonic() - began
    print(
        json.dumps(
            {
                "orders": orders,
                "lines": lines,
                "calls": dict(calls),
                "throttled": dict(throttled),
                "wall_s": wall,
            }
        )
    )


if __name__ == "__main__":
    main()
