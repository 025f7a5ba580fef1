"""B10: GET /api/ads/products and GET /api/ads/timeseries under load (target p95 < 100 ms).

200 advertiser profiles with 95 days of Sponsored Products data each (20-60 product ads per profile
in campaigns and ad groups, one spAdvertisedProduct row per ad and day, halo rows from
spPurchasedProduct), each linked to its seller, whose orders (190 days: a 90-day range's previous
period too) make total sales and TACOS real work; generated in SQL. An embedded PostgreSQL and
Redis in a temporary folder, the API as a real `spapi-saas api` process (uvicorn) on 127.0.0.1,
and 20 concurrent clients (signed-in sessions, httpx) for ~20 s over varied profiles, ranges (7 to
90 days) and queries: the per-product table with every sort, drill-downs into campaigns and ad
groups, next pages; daily series of a profile, a product or a campaign. Prints p50/p95/p99 per
route and per kind of request.

Usage: .venv/bin/python bench/b10_ads_read.py [--profiles 200] [--days 95] [--clients 20]
       [--seconds 20] [--workers 2] [--rate 5] [--raw] [--data-dir DIR (generate once, reuse after)]

Two runs, as B4: closed loop (each client sends its next request as soon as the previous one
answers: saturation, latency = clients / throughput), then paced (each client `--rate` requests per
second from a random phase, like people using the panel).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api" / "src"))

import psycopg
import uvloop
from _api_load import Request, api_process, pct, run_clients, servers, sign_in_user
from _pace import pace_line

from app.connections.amazon import reporting_time_zone

# (country, marketplace, currency, time zone) of the profiles, in turn: Amazon gives every profile
# of a country its marketplace's reporting time zone.
MARKETS = [
    ("US", "ATVPDKIKX0DER", "USD", "America/Los_Angeles"),
    ("CA", "A2EUQ1WTGCTBG2", "CAD", "America/Los_Angeles"),
    ("US", "ATVPDKIKX0DER", "USD", "America/Los_Angeles"),
    ("UK", "A1F83G8C2ARO7P", "GBP", "Europe/London"),
    ("US", "ATVPDKIKX0DER", "USD", "America/Los_Angeles"),
    ("DE", "A1PA6795UKMFR9", "EUR", "Europe/Paris"),
]
# Where the other tenth of a seller's orders are (not the profile's marketplace).
ELSEWHERE = "A1VC38T7YXB528"
RANGES = [(7, 0.25), (14, 0.1), (30, 0.4), (90, 0.25)]
COUNTED = (
    "ads_sp_advertised_product_daily",
    "ads_sp_purchased_product_daily",
    "orders",
    "order_items",
    "order_asin_day_totals",
)
SORTS = ["spend", "spend", "spend", "ad_sales", "acos", "roas", "tacos", "total_sales", "clicks", "units"]


def generate(url: str, n_profiles: int, days: int, last_day: date) -> None:
    """Sellers, each with one SP-API connection, one Ads connection and one linked profile."""
    first_day = last_day - timedelta(days=days - 1)
    markets = ", ".join(f"({i}, '{c}', '{m}', '{cur}', '{tz}')" for i, (c, m, cur, tz) in enumerate(MARKETS))
    with psycopg.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        conn.execute("SELECT setseed(0.18)")
        conn.execute(
            f"""
            CREATE TABLE bench_sellers AS
            SELECT n, gen_random_uuid() AS tenant_id, gen_random_uuid() AS sp_id, gen_random_uuid() AS ads_id,
                   (1000000000 + n)::text AS profile_id, m.country, m.marketplace_id, m.currency, m.timezone,
                   20 + floor(random() * 41)::int AS n_ads,
                   12 + floor(random() * 29)::int AS n_asins,
                   -- A few big sellers, many small ones.
                   (4 + floor(power(random(), 2) * 80))::int AS orders_per_day
            FROM generate_series(1, %s) n
            JOIN (VALUES {markets}) AS m(i, country, marketplace_id, currency, timezone)
              ON m.i = n %% {len(MARKETS)}
            """,
            (n_profiles,),
        )
        conn.execute(
            "INSERT INTO tenants (id, name, slug)"
            " SELECT tenant_id, 'Seller ' || n, 'seller-' || n FROM bench_sellers"
        )
        conn.execute(
            """
            INSERT INTO connections (id, tenant_id, provider, region, account_id, display_name, marketplaces)
            SELECT sp_id, tenant_id, 'amazon_sp', 'NA', 'A' || md5(n::text), 'Seller ' || n,
                   jsonb_build_array(marketplace_id) FROM bench_sellers
            """
        )
        conn.execute(
            """
            INSERT INTO connections (id, tenant_id, provider, region, account_id, marketplaces,
                parent_connection_id)
            SELECT ads_id, tenant_id, 'amazon_ads', 'NA', 'ADS' || n, jsonb_build_array(marketplace_id), sp_id
            FROM bench_sellers
            """
        )
        conn.execute(
            """
            INSERT INTO ads_profiles (id, tenant_id, connection_id, profile_id, country_code, currency_code,
                timezone, marketplace_id, account_type, account_name, account_id, linked_sp_connection_id)
            SELECT gen_random_uuid(), tenant_id, ads_id, profile_id, country, currency, timezone,
                   marketplace_id, 'seller', 'Seller ' || n, 'A' || md5(n::text), sp_id
            FROM bench_sellers
            """
        )
        # Product ads: 8 per campaign, 4 per ad group; an ASIN is advertised in several of them.
        conn.execute(
            """
            CREATE TABLE bench_ads AS
            SELECT s.n, s.tenant_id, s.profile_id, s.currency, k,
                   (s.profile_id::bigint * 1000 + k)::text AS ad_id,
                   (s.profile_id::bigint * 100 + (k - 1) / 8)::text AS campaign_id,
                   (s.profile_id::bigint * 100 + 50 + (k - 1) / 4)::text AS ad_group_id,
                   1 + (k * 7919) % s.n_asins AS asin_no,
                   -- Each product's price, and how well its ads do.
                   10 + ((1 + (k * 7919) % s.n_asins) * 37) % 50 AS price, 0.04 + random() * 0.1 AS conversion
            FROM bench_sellers s CROSS JOIN LATERAL generate_series(1, s.n_ads) k
            """
        )
        conn.execute(
            """
            INSERT INTO ads_campaigns (id, tenant_id, profile_id, campaign_id, name, state, targeting_type,
                budget, budget_type)
            SELECT gen_random_uuid(), tenant_id, profile_id, campaign_id, 'Campaign ' || campaign_id,
                   'ENABLED', CASE WHEN campaign_id::bigint % 2 = 0 THEN 'AUTO' ELSE 'MANUAL' END, 50, 'DAILY'
            FROM bench_ads GROUP BY tenant_id, profile_id, campaign_id
            """
        )
        conn.execute(
            """
            INSERT INTO ads_ad_groups (id, tenant_id, profile_id, ad_group_id, campaign_id, name, state,
                default_bid)
            SELECT gen_random_uuid(), tenant_id, profile_id, ad_group_id, min(campaign_id),
                   'Ad group ' || ad_group_id, 'ENABLED', 0.75
            FROM bench_ads GROUP BY tenant_id, profile_id, ad_group_id
            """
        )
        conn.execute(
            """
            INSERT INTO ads_ads (id, tenant_id, profile_id, ad_id, ad_group_id, campaign_id, asin, sku, state)
            SELECT gen_random_uuid(), tenant_id, profile_id, ad_id, ad_group_id, campaign_id,
                   'B0' || lpad(n::text, 4, '0') || lpad(asin_no::text, 4, '0'),
                   'SKU-' || n || '-' || asin_no, 'ENABLED'
            FROM bench_ads
            """
        )
        conn.execute(
            """
            INSERT INTO ads_sp_advertised_product_daily (tenant_id, profile_id, date, campaign_id,
                ad_group_id, ad_id, advertised_asin, advertised_sku, currency, impressions, clicks, cost,
                sales_1d, sales_7d, sales_14d, sales_30d,
                purchases_1d, purchases_7d, purchases_14d, purchases_30d,
                units_sold_1d, units_sold_7d, units_sold_14d, units_sold_30d,
                sales_same_sku_7d, sales_same_sku_14d, purchases_same_sku_7d, purchases_same_sku_14d,
                units_same_sku_7d, units_same_sku_14d)
            SELECT tenant_id, profile_id, day, campaign_id, ad_group_id, ad_id,
                   'B0' || lpad(n::text, 4, '0') || lpad(asin_no::text, 4, '0'),
                   'SKU-' || n || '-' || asin_no, currency,
                   clicks * 180 + impressions_extra, clicks, round(clicks * cpc, 2),
                   p7 * price * 0.8, p7 * price, p14 * price, p14 * price, p7, p7, p14, p14,
                   p7, p7, p14, p14, round(p7 * price * 0.85, 2), round(p14 * price * 0.85, 2),
                   p7, p14, p7, p14
            FROM (
                SELECT a.*, d::date AS day, c.clicks, c.cpc, c.impressions_extra,
                       floor(c.clicks * a.conversion + c.luck)::int AS p7,
                       floor(c.clicks * a.conversion * 1.1 + c.luck)::int AS p14
                FROM bench_ads a
                CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d
                CROSS JOIN LATERAL (
                    SELECT floor(random() * random() * 40 + (a.k %% 3))::int AS clicks,
                           (0.4 + random() * 1.2 + 0 * a.k)::numeric AS cpc,
                           floor(random() * 400)::int AS impressions_extra, random() AS luck
                ) c
            ) x
            -- As the sync writes them: a profile's report windows of 31 days one after the other.
            ORDER BY (day - %s::date) / 31, profile_id, day, ad_id
            """,
            (first_day, last_day, first_day),
        )
        # Halo: about a third of the ad days sold another of the seller's products.
        conn.execute(
            """
            INSERT INTO ads_sp_purchased_product_daily (tenant_id, profile_id, date, campaign_id, ad_group_id,
                advertised_asin, advertised_sku, purchased_asin, currency, sales_7d, sales_14d, purchases_7d,
                purchases_14d, units_7d, units_14d)
            SELECT tenant_id, profile_id, date, campaign_id, ad_group_id, advertised_asin, advertised_sku,
                   advertised_asin || 'H', currency, 15 * count(*), 18 * count(*),
                   count(*), count(*), count(*), count(*)
            FROM ads_sp_advertised_product_daily WHERE clicks > 0 AND random() < 0.33
            GROUP BY tenant_id, profile_id, date, campaign_id, ad_group_id, advertised_asin, advertised_sku,
                     currency
            ORDER BY (date - %s::date) / 31, profile_id, date
            """,
            (first_day,),
        )
        print(f"B10 ads data in {time.perf_counter() - started:.1f}s")
        started = time.perf_counter()
        # The sellers' orders: 90% in the profile's marketplace, 4% canceled, 1-2 lines each.
        conn.execute(
            """
            INSERT INTO orders (tenant_id, connection_id, marketplace_id, amazon_order_id, purchase_date,
                last_update_date, order_status, currency, order_total, source, raw)
            SELECT s.tenant_id, s.sp_id,
                   CASE WHEN random() < 0.9 THEN s.marketplace_id ELSE %s END,
                   '111-' || lpad(s.n::text, 7, '0') || '-' || lpad(g::text, 7, '0'),
                   p.purchased, p.purchased + interval '6 hours',
                   CASE WHEN random() < 0.04 THEN 'CANCELLED' ELSE 'SHIPPED' END, s.currency, 30, 'report',
                   '{}'
            FROM bench_sellers s
            CROSS JOIN LATERAL generate_series(1, s.orders_per_day * %s) g
            CROSS JOIN LATERAL (SELECT now() - (random() * %s + 0 * g) * interval '1 day' AS purchased) p
            """,
            (ELSEWHERE, days * 2, days * 2),
        )
        conn.execute(
            """
            INSERT INTO order_items (tenant_id, order_id, connection_id, amazon_order_id, line_key, asin,
                seller_sku, quantity_ordered, item_price, currency)
            SELECT o.tenant_id, o.id, o.connection_id, o.amazon_order_id, 'item:' || k,
                   'B0' || lpad(s.n::text, 4, '0') || lpad(x.asin_no::text, 4, '0'),
                   'SKU-' || s.n || '-' || x.asin_no, x.quantity,
                   x.quantity * (10 + (x.asin_no * 37) % 50), o.currency
            FROM orders o JOIN bench_sellers s ON s.sp_id = o.connection_id
            CROSS JOIN LATERAL generate_series(1, 1 + (o.id % 3 = 0)::int) k
            CROSS JOIN LATERAL (
                SELECT 1 + floor(random() * s.n_asins)::int + 0 * k AS asin_no,
                       1 + (random() < 0.2)::int AS quantity
            ) x
            """
        )
        # What the orders upsert keeps for the Ads figures (the data here is written in SQL).
        zones = ", ".join(f"('{m}', '{reporting_time_zone(m)}')" for m in sorted({m[1] for m in MARKETS}))
        conn.execute(
            f"""
            INSERT INTO order_asin_day_totals (tenant_id, connection_id, marketplace_id, day, asin, currency,
                                               sales, units)
            SELECT o.tenant_id, o.connection_id, o.marketplace_id,
                   (o.purchase_date AT TIME ZONE z.zone)::date, oi.asin, oi.currency, sum(oi.item_price),
                   sum(oi.quantity_ordered)
            FROM orders o
            JOIN (VALUES {zones}) AS z(marketplace_id, zone) ON z.marketplace_id = o.marketplace_id
            JOIN order_items oi ON oi.tenant_id = o.tenant_id AND oi.order_id = o.id
            WHERE o.order_status <> 'CANCELLED'
            GROUP BY 1, 2, 3, 4, 5, 6
            """
        )
        print(f"B10 orders in {time.perf_counter() - started:.1f}s")
        for table in (*COUNTED, "ads_campaigns", "ads_ad_groups", "ads_ads", "ads_profiles", "connections"):
            conn.execute(f"VACUUM ANALYZE {table}")
        for table in COUNTED:
            row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
            print(f"B10 {table}: {row[0] if row else 0:,} rows")


@dataclass(frozen=True)
class Profile:
    tenant_id: str
    profile_id: str
    asins: list[str]
    campaigns: list[str]
    last_day: date


def profiles_of(url: str) -> list[Profile]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """
            SELECT p.tenant_id::text, p.profile_id, array_agg(DISTINCT a.asin),
                   array_agg(DISTINCT a.campaign_id),
                   (SELECT max(date) FROM ads_sp_advertised_product_daily d
                     WHERE d.tenant_id = p.tenant_id AND d.profile_id = p.profile_id)
            FROM ads_profiles p JOIN ads_ads a ON a.tenant_id = p.tenant_id AND a.profile_id = p.profile_id
            GROUP BY p.tenant_id, p.profile_id ORDER BY p.profile_id
            """
        ).fetchall()
    return [Profile(r[0], r[1], list(r[2]), list(r[3]), r[4]) for r in rows]


def request_for(rnd: random.Random, profile: Profile) -> Request:
    """One request of the mix."""
    days = rnd.choices([d for d, _ in RANGES], [w for _, w in RANGES])[0]
    end = profile.last_day - timedelta(days=rnd.randrange(0, 4))
    params: dict[str, Any] = {
        "tenant_id": profile.tenant_id,
        "profile_id": profile.profile_id,
        "start": (end - timedelta(days=days - 1)).isoformat(),
        "end": end.isoformat(),
    }
    products, series = "/api/ads/products", "/api/ads/timeseries"
    roll = rnd.random()
    if roll < 0.28:
        order = rnd.choice(["desc", "desc", "asc"])
        return Request("products by asin", products, {**params, "sort": rnd.choice(SORTS), "order": order})
    if roll < 0.38:
        drill = {**params, "asin": rnd.choice(profile.asins), "group": "ad_group"}
        return Request("products drill-down", products, drill)
    if roll < 0.43:
        return Request("products by campaign", products, {**params, "group": "campaign", "sort": "acos"})
    if roll < 0.50:
        pages = {**params, "limit": 10, "sort": rnd.choice(SORTS)}
        return Request("products next pages", products, pages, rnd.randint(2, 4))
    if roll < 0.78:
        return Request("series of a profile", series, params)
    if roll < 0.92:
        return Request("series of a product", series, {**params, "asin": rnd.choice(profile.asins)})
    return Request("series of a campaign", series, {**params, "campaign_id": rnd.choice(profile.campaigns)})


async def load(
    base: str,
    token: str,
    profiles: list[Profile],
    args: argparse.Namespace,
    pids: tuple[int, int],
    rate: float,
) -> None:
    def plan(rnd: random.Random) -> Request:
        return request_for(rnd, rnd.choice(profiles))

    run = await run_clients(base, token, plan, args.clients, args.seconds, pids, rate, raw=args.raw)
    print(run.header("B10", args.clients, "raw HTTP/1.1" if args.raw else "httpx", rate))
    routes = {
        "/api/ads/products": [v for k, vs in run.latencies.items() if k.startswith("products") for v in vs],
        "/api/ads/timeseries": [v for k, vs in run.latencies.items() if k.startswith("series") for v in vs],
    }
    for route, values in routes.items():
        print(
            f"B10 GET {route:<20} n={len(values):>6,}  p50 {pct(values, 50):6.1f}  "
            f"p95 {pct(values, 95):6.1f}  p99 {pct(values, 99):6.1f}  mean {statistics.fmean(values):6.1f}  "
            f"max {max(values):6.1f} ms"
        )
    met = all(pct(values, 95) < 100 for values in routes.values())
    run.report_tail("B10", 22, f"p95 < 100 ms on both routes: {'MET' if met else 'NOT MET'}")


def main(args: argparse.Namespace) -> None:
    with servers("b10-", args.data_dir) as (pg, redis, tmp):
        with psycopg.connect(pg.url) as conn:
            # Order lines are written last: a folder with them holds a whole data set.
            row = conn.execute("SELECT count(*) FROM order_items").fetchone()
        if row and row[0]:
            print(f"B10 data: reusing {args.data_dir}")
        else:
            generate(pg.url, args.profiles, args.days, date.today() - timedelta(days=1))
        profiles = profiles_of(pg.url)
        token = asyncio.run(sign_in_user(pg.url, "B10"))
        with api_process(pg, redis.url, args.workers, tmp / "api.log", "B10") as (base, pids):
            uvloop.run(load(base, token, profiles, args, pids, 0.0))
            print(f"B10 after the closed loop, {pace_line()}")
            if args.rate:
                uvloop.run(load(base, token, profiles, args, pids, args.rate))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--profiles", type=int, default=200)
    parser.add_argument(
        "--days", type=int, default=95, help="days of ads data per profile (orders: twice that)"
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2, help="API worker processes (one per core here)")
    parser.add_argument(
        "--rate", type=float, default=5.0, help="then a paced run: requests/s per client (0: skip)"
    )
    parser.add_argument(
        "--raw",
        action="store_true",
        help="B4's bare HTTP/1.1 client instead of httpx (less load-generator CPU)",
    )
    parser.add_argument("--data-dir", help="keep the generated database here and reuse it on the next run")
    main(parser.parse_args())
