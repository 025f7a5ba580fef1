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
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api" / "src"))

import httpx
import psutil
import psycopg
import uvloop
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app.auth import service as auth
from app.auth.models import User
from app import migrate
from app.kit.embedded import EmbeddedPostgres, EmbeddedRedis, free_port
from app.settings import to_psycopg_url
from _pace import pace_line

MARKETPLACES = ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8"]
STATUSES = ["SHIPPED", "UNSHIPPED", "PENDING", "CANCELLED"]
SECRET = "bench-session-secret-bench-session-secret-0123"


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


async def sign_in_user(url: str, tenant_ids: list[str]) -> str:
    """A user who is a member of every tenant, and a session token (through the auth domain)."""
    engine = create_async_engine(to_psycopg_url(url))
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    async with sessionmaker() as session, session.begin():
        user: User = await auth.sign_up(
            session,
            email=f"bench-{uuid.uuid4().hex[:6]}@example.com",
            password="correct-horse-battery",
            name="B4",
        )
        new = await auth.create_session(session, user, secret=SECRET, max_age_s=3600, user_agent="b4")
        await session.flush()
        from sqlalchemy import text

        await session.execute(
            text(
                "INSERT INTO memberships (id, tenant_id, user_id, role)"
                " SELECT gen_random_uuid(), id, :u, 'viewer' FROM tenants"
            ),
            {"u": user.id},
        )
    await engine.dispose()
    return new.token


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


class RawClient:
    """A minimal HTTP/1.1 keep-alive GET client on asyncio streams.

    The load generator shares the machine's two cores with the API and PostgreSQL; httpx costs
    about as much CPU per request as the endpoint itself, so a bare client keeps the measurement
    about the server."""

    def __init__(self, host: str, port: int, cookie: str) -> None:
        self.host, self.port, self.cookie = host, port, cookie
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, params: dict[str, Any]) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        target = f"{path}?{urlencode(params)}"
        self.writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nCookie: session={self.cookie}\r\n"
            "Accept: application/json\r\n\r\n".encode()
        )
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = next(
            int(v) for k, _, v in (ln.partition(":") for ln in lines[1:]) if k.lower() == "content-length"
        )
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def client_loop(
    base: str,
    token: str,
    tenants: list[str],
    seconds: float,
    seed: int,
    out: dict[str, list[float]],
    errors: list[str],
    rate: float = 0.0,
) -> None:
    rnd = random.Random(seed)
    # Paced clients start at a random point of their period: people do not click in step, and
    # clients that all fire at the same instant measure their own bursts, not the server.
    started_at = time.perf_counter() + (rnd.random() / rate if rate else 0.0)
    deadline = started_at + seconds
    sent = 0
    host, port = base.removeprefix("http://").split(":")
    http = RawClient(host, int(port), token)
    try:
        while time.perf_counter() < deadline:
            kind, params = request_params(rnd, rnd.choice(tenants))
            pages = rnd.randint(2, 6) if kind == "next pages" else 1
            cursor = None
            for page in range(pages):
                query = {**params, **({"cursor": cursor} if cursor else {})}
                if rate:
                    # Paced: this client's n-th request is due at n / rate seconds (no catch-up burst).
                    due = started_at + sent / rate
                    sent += 1
                    if due > time.perf_counter():
                        await asyncio.sleep(due - time.perf_counter())
                started = time.perf_counter()
                status, body = await http.get("/api/orders", query)
                elapsed = (time.perf_counter() - started) * 1000
                if status != 200:
                    errors.append(f"{status} {body[:200]!r}")
                    break
                out[kind if page == 0 else "next pages"].append(elapsed)
                cursor = json.loads(body)["next_cursor"] if kind == "next pages" else None
                if not cursor:
                    break
    finally:
        await http.close()


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def cpu_by_process(processes: list[psutil.Process]) -> dict[int, float]:
    times: dict[int, float] = {}
    for proc in processes:
        try:
            cpu = proc.cpu_times()
            times[proc.pid] = cpu.user + cpu.system
        except psutil.NoSuchProcess:
            pass
    return times


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two readings; a process that started in between counts from zero
    (PostgreSQL starts a backend for each new pool connection during the run)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


async def load(
    base: str,
    token: str,
    tenants: list[str],
    clients: int,
    seconds: float,
    api_pid: int,
    pg_pid: int,
    rate: float = 0.0,
) -> None:
    out: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    # Warm-up is not measured: as many clients as the run, so that every pooled connection the run
    # will use is open and has its statements prepared (a server that has been up a while has).
    await asyncio.gather(
        *(client_loop(base, token, tenants, 3, 1000 + i, defaultdict(list), []) for i in range(clients))
    )
    def groups() -> list[list[psutil.Process]]:
        return [
            [psutil.Process(api_pid), *psutil.Process(api_pid).children(recursive=True)],
            psutil.Process(pg_pid).children(recursive=True),
            [psutil.Process()],
        ]

    cpu_before = [cpu_by_process(g) for g in groups()]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    await asyncio.gather(
        *(client_loop(base, token, tenants, seconds, i, out, errors, rate) for i in range(clients))
    )
    wall = time.perf_counter() - started
    cpu = [cpu_used(before, cpu_by_process(g)) for g, before in zip(groups(), cpu_before, strict=True)]
    every = [v for values in out.values() for v in values]
    mode = (
        f"each paced at {rate:g} req/s" if rate else "closed loop (next request as soon as the last answers)"
    )
    print(
        f"B4 {clients} clients {mode}, {wall:.1f}s: {len(every):,} requests ({len(every) / wall:,.0f} req/s), "
        f"{len(errors)} errors"
    )
    print(
        f"B4 GET /api/orders latency ms: p50 {pct(every, 50):.1f}  p95 {pct(every, 95):.1f}  "
        f"p99 {pct(every, 99):.1f}  mean {statistics.fmean(every):.1f}  max {max(every):.1f}"
    )
    for kind, values in sorted(out.items()):
        print(
            f"B4   {kind:<12} n={len(values):>6,}  p50 {pct(values, 50):6.1f}  p95 {pct(values, 95):6.1f}  "
            f"p99 {pct(values, 99):6.1f}"
        )
    n = max(1, len(every))
    print(
        f"B4 CPU per request: API {cpu[0] * 1000 / n:.2f} ms, PostgreSQL {cpu[1] * 1000 / n:.2f} ms, "
        f"load generator {cpu[2] * 1000 / n:.2f} ms; machine load average {load_before:.1f} -> "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"B4 target p95 < 50 ms: {'MET' if pct(every, 95) < 50 else 'NOT MET'}")
    for error in errors[:3]:
        print("B4 error:", error)


def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="b4-") as tmp:
        pg = EmbeddedPostgres(Path(args.data_dir) if args.data_dir else Path(tmp) / "pg").start()
        redis = EmbeddedRedis(Path(tmp) / "redis").start()
        proc: subprocess.Popen[bytes] | None = None
        try:
            migrate.upgrade(pg.url)
            with psycopg.connect(pg.url) as conn:
                existing = [str(r[0]) for r in conn.execute("SELECT id FROM tenants ORDER BY id").fetchall()]
            if existing:
                print(f"B4 data: reusing {args.data_dir} ({len(existing)} tenants)")
            tenants = existing or generate(pg.url, args.orders, args.tenants)
            token = asyncio.run(sign_in_user(pg.url, tenants))
            port = free_port()
            env = {
                **os.environ,
                "ENVIRONMENT": "test",
                "DATABASE_URL": pg.url,
                "REDIS_URL": redis.url,
                "API_PORT": str(port),
                "SESSION_SECRET": SECRET,
                "ENCRYPTION_KEY": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=",
                "LOG_LEVEL": "WARNING",
                "DB_POOL_SIZE": "20",
            }
            exe = Path(sys.executable).with_name("spapi-saas")
            proc = subprocess.Popen(
                [str(exe), "api", "--workers", str(args.workers)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=open(Path(tmp) / "api.log", "wb"),
            )
            base = f"http://127.0.0.1:{port}"
            print(
                f"B4 API: `spapi-saas api --workers {args.workers}` on {os.cpu_count()} CPUs; {pace_line()}"
            )
            for _ in range(300):
                try:
                    if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            pg_pid = int((pg.pgdata / "postmaster.pid").read_text().splitlines()[0])
            # The clients run on uvloop, as the API does: they share the two cores with what they
            # measure, so every millisecond they spend is one the API and PostgreSQL do not get.
            uvloop.run(load(base, token, tenants, args.clients, args.seconds, proc.pid, pg_pid))
            # The machine's speed drifts within minutes: its pace after the run bounds the drift.
            print(f"B4 after the closed loop, {pace_line()}")
            if args.rate:
                uvloop.run(
                    load(base, token, tenants, args.clients, args.seconds, proc.pid, pg_pid, args.rate)
                )
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=15)
            redis.stop()
            pg.stop()


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
