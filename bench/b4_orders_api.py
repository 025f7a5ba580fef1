"""B4: GET /api/orders under load (target p95 < 50 ms).

2,000,000 orders across 200 tenants (generated in SQL with generate_series), an embedded
PostgreSQL and Redis in a temporary folder, the API as a real `spapi-saas api` process, and 20
concurrent clients (signed-in sessions) for ~20 s hitting the list with a mix of filters and keyset
pages: first pages (with totals), marketplace / status / date-range filters, and next pages
following `next_cursor`. Prints p50/p95/p99 overall and per kind of request.

Usage: .venv/bin/python bench/b4_orders_api.py [--orders 2000000] [--tenants 200] [--clients 20]
       [--seconds 20] [--workers 2] [--rate 5] [--data-dir DIR (generate once, reuse after)]

Two runs: closed loop (each client sends its next request as soon as the previous one answers: a
saturation test, latency = clients / throughput), then paced (each client sends `--rate` requests
per second, like people paging through the panel): latency = service time under that load.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api" / "src"))

import psycopg
import uvloop
from _api_load import Request, api_process, pct, run_clients, servers, sign_in_user
from _pace import pace_line

MARKETPLACES = ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"]
STATUSES = ["SHIPPED", "UNSHIPPED", "PENDING", "CANCELLED"]


def generate(url: str, n_orders: int, n_tenants: int) -> list[str]:
    """Tenants, one connection each, and `n_orders` orders spread over them and over 2 years."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            """
            INSERT INTO tenants (id, name, slug)
            SELECT gen_random_uuid(), 'Seller ' || g, 'seller-' || g FROM generate_series(1, %s) g
            """,
            (n_tenants,),
        )
        conn.execute(
            """
            INSERT INTO connections (id, tenant_id, provider, region, account_id)
            SELECT gen_random_uuid(), id, 'amazon_sp', 'NA', 'A' || md5(id::text) FROM tenants
            """
        )
        started = time.perf_counter()
        conn.execute(
            """
            CREATE TEMP TABLE t AS
            SELECT row_number() OVER (ORDER BY c.tenant_id) - 1 AS n, c.tenant_id, c.id AS connection_id
            FROM connections c
            """
        )
        # Tenants get unequal shares (a few big sellers, many small ones), like real life.
        conn.execute(
            """
            INSERT INTO orders (tenant_id, connection_id, marketplace_id, amazon_order_id, purchase_date,
                last_update_date, order_status, fulfillment_channel, sales_channel, currency, order_total,
                ship_city, ship_country_code, source, raw)
            SELECT t.tenant_id, t.connection_id,
                   (ARRAY['ATVPDKIKX0DER','ATVPDKIKX0DER','A2EUQ1WTGCTBG2','A1AM78C64UM0Y8'])[1 + g %% 4],
                   lpad((100 + g %% 900)::text, 3, '0') || '-' || lpad(g::text, 7, '0') || '-'
                     || lpad((g * 7919 %% 10000000)::text, 7, '0'),
                   p.purchased, p.purchased + interval '6 hours',
                   (ARRAY['SHIPPED','SHIPPED','SHIPPED','SHIPPED','SHIPPED','UNSHIPPED','PENDING','CANCELLED'])
                     [1 + (g / 7) %% 8],
                   CASE WHEN g %% 3 = 0 THEN 'AFN' ELSE 'MFN' END, 'Amazon.com',
                   CASE WHEN g %% 4 = 2 THEN 'CAD' WHEN g %% 4 = 3 THEN 'MXN' ELSE 'USD' END,
                   CASE WHEN (g / 7) %% 8 = 6 THEN NULL
                        ELSE round((5 + (g * 37 %% 20000) / 100.0)::numeric, 2) END,
                   'Seattle', 'US', 'report',
                   jsonb_build_object('amazon-order-id', g, 'order-status', 'Shipped')
            FROM generate_series(1::bigint, %s::bigint) g
            JOIN t ON t.n = floor(%s * power((g * 0.6180339887) - floor(g * 0.6180339887), 2))::int
            CROSS JOIN LATERAL (
                SELECT now() - interval '730 days'
                       * ((g * 0.7548776662) - floor(g * 0.7548776662)) AS purchased
            ) p
            """,
            (n_orders, n_tenants),
        )
        # What the orders upsert keeps for the list's totals (the data here is written in SQL).
        conn.execute(
            """
            INSERT INTO order_day_totals (tenant_id, connection_id, marketplace_id, order_status, day,
                                          currency, orders, priced_orders, order_total)
            SELECT tenant_id, connection_id, marketplace_id, order_status,
                   (purchase_date AT TIME ZONE 'UTC')::date, coalesce(currency, ''),
                   count(*), count(order_total), coalesce(sum(order_total), 0)
            FROM orders GROUP BY 1, 2, 3, 4, 5, 6
            """
        )
        conn.execute(
            """
            INSERT INTO order_month_totals (tenant_id, connection_id, marketplace_id, order_status, month,
                                            currency, orders, priced_orders, order_total)
            SELECT tenant_id, connection_id, marketplace_id, order_status, date_trunc('month', day)::date,
                   currency, sum(orders), sum(priced_orders), sum(order_total)
            FROM order_day_totals GROUP BY 1, 2, 3, 4, 5, 6
            """
        )
        conn.execute("VACUUM ANALYZE orders")
        conn.execute("VACUUM ANALYZE order_day_totals")
        conn.execute("VACUUM ANALYZE order_month_totals")
        count = conn.execute("SELECT count(*) FROM orders").fetchone()
        print(f"B4 data: {count[0] if count else 0:,} orders in {time.perf_counter() - started:.1f}s")
        biggest = conn.execute(
            "SELECT count(*) FROM orders GROUP BY tenant_id ORDER BY 1 DESC LIMIT 1"
        ).fetchone()
        smallest = conn.execute(
            "SELECT count(*) FROM orders GROUP BY tenant_id ORDER BY 1 LIMIT 1"
        ).fetchone()
        print(
            f"B4 orders per tenant: largest {biggest[0] if biggest else 0:,}, "
            f"smallest {smallest[0] if smallest else 0:,}"
        )
        return [str(r[0]) for r in conn.execute("SELECT id FROM tenants ORDER BY id").fetchall()]


def request_params(rnd: random.Random, tenant: str) -> tuple[str, dict[str, Any]]:
    roll = rnd.random()
    params: dict[str, Any] = {"tenant_id": tenant, "limit": 50}
    if roll < 0.35:
        return "first page", params
    if roll < 0.55:
        return "marketplace", {**params, "marketplace": rnd.choice(MARKETPLACES)}
    if roll < 0.70:
        return "status", {**params, "status": rnd.choice(STATUSES)}
    if roll < 0.85:
        days = rnd.randrange(0, 700)
        start = time.time() - days * 86400
        return "date range", {
            **params,
            "created_after": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start - 30 * 86400)),
            "created_before": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
        }
    return "next pages", params


def plan_for(tenants: list[str]) -> Callable[[random.Random], Request]:
    def plan(rnd: random.Random) -> Request:
        kind, params = request_params(rnd, rnd.choice(tenants))
        return Request(kind, "/api/orders", params, rnd.randint(2, 6) if kind == "next pages" else 1)

    return plan


async def load(
    base: str,
    token: str,
    tenants: list[str],
    clients: int,
    seconds: float,
    pids: tuple[int, int],
    rate: float = 0.0,
) -> None:
    run = await run_clients(base, token, plan_for(tenants), clients, seconds, pids, rate)
    every = run.every
    print(run.header("B4", clients, "raw HTTP/1.1", rate))
    print(
        f"B4 GET /api/orders latency ms: p50 {pct(every, 50):.1f}  p95 {pct(every, 95):.1f}  "
        f"p99 {pct(every, 99):.1f}  mean {statistics.fmean(every):.1f}  max {max(every):.1f}"
    )
    run.report_tail("B4", 12, f"p95 < 50 ms: {'MET' if pct(every, 95) < 50 else 'NOT MET'}")


def main(args: argparse.Namespace) -> None:
    with servers("b4-", args.data_dir) as (pg, redis, tmp):
        with psycopg.connect(pg.url) as conn:
            existing = [str(r[0]) for r in conn.execute("SELECT id FROM tenants ORDER BY id").fetchall()]
        if existing:
            print(f"B4 data: reusing {args.data_dir} ({len(existing)} tenants)")
        tenants = existing or generate(pg.url, args.orders, args.tenants)
        token = asyncio.run(sign_in_user(pg.url, "B4"))
        with api_process(pg, redis.url, args.workers, tmp / "api.log", "B4") as (base, pids):
            # The clients run on uvloop, as the API does: they share the two cores with what they
            # measure, so every millisecond they spend is one the API and PostgreSQL do not get.
            uvloop.run(load(base, token, tenants, args.clients, args.seconds, pids))
            # The machine's speed drifts within minutes: its pace after the run bounds the drift.
            print(f"B4 after the closed loop, {pace_line()}")
            if args.rate:
                uvloop.run(load(base, token, tenants, args.clients, args.seconds, pids, args.rate))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=2_000_000)
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--workers", type=int, default=2, help="API worker processes (API_WORKERS; one per core here)"
    )
    parser.add_argument(
        "--rate", type=float, default=5.0, help="then a paced run: requests/s per client (0: skip it)"
    )
    parser.add_argument("--data-dir", help="keep the generated database here and reuse it on the next run")
    main(parser.parse_args())
