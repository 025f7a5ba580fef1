"""What the API load benchmarks (B4, B10) share: a user who is a member of every tenant, the API as
a real `spapi-saas api` process, keep-alive clients sending a mix of requests for some seconds
(closed loop, or paced from a random phase), and the CPU each request cost the API, PostgreSQL and
the load generator."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api" / "src"))

import httpx
import psutil
from _pace import pace_line
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app import migrate
from app.auth import service as auth
from app.auth.models import User
from app.auth.passwords import hash_password
from app.kit.embedded import EmbeddedPostgres, EmbeddedRedis, free_port
from app.settings import to_psycopg_url

SECRET = "bench-session-secret-bench-session-secret-0123"


async def sign_in_user(url: str, label: str) -> str:
    """A user who is a viewer of every tenant, and a session token (through the auth domain)."""
    engine = create_async_engine(to_psycopg_url(url))
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    async with sessionmaker() as session, session.begin():
        # A verified account, as sign-up and the e-mailed link leave it.
        user = User(
            email=f"bench-{uuid.uuid4().hex[:6]}@example.com",
            password_hash=await hash_password("correct-horse-battery"),
            name=label,
            email_verified_at=datetime.now(UTC),
        )
        session.add(user)
        await session.flush()
        new = await auth.create_session(
            session, user, secret=SECRET, max_age_s=3600, user_agent=label.lower()
        )
        await session.flush()
        await session.execute(
            text(
                "INSERT INTO memberships (id, tenant_id, user_id, role)"
                " SELECT gen_random_uuid(), id, :u, 'viewer' FROM tenants"
            ),
            {"u": user.id},
        )
    await engine.dispose()
    return new.token


@contextmanager
def servers(prefix: str, data_dir: str | None) -> Iterator[tuple[EmbeddedPostgres, EmbeddedRedis, Path]]:
    """An embedded PostgreSQL (in `data_dir` when given, kept for the next run) migrated to head, an
    embedded Redis, and a temporary folder for logs."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        pg = EmbeddedPostgres(Path(data_dir) if data_dir else Path(tmp) / "pg").start()
        redis = EmbeddedRedis(Path(tmp) / "redis").start()
        try:
            migrate.upgrade(pg.url)
            yield pg, redis, Path(tmp)
        finally:
            redis.stop()
            pg.stop()


@contextmanager
def api_process(
    pg: EmbeddedPostgres, redis_url: str, workers: int, log: Path, label: str
) -> Iterator[tuple[str, tuple[int, int]]]:
    """`spapi-saas api --workers N` on a free loopback port, answering /health: its base URL and the
    pids of the API's and PostgreSQL's main processes (whose CPU the runs count)."""
    port = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": pg.url,
        "REDIS_URL": redis_url,
        "API_PORT": str(port),
        "SESSION_SECRET": SECRET,
        "ENCRYPTION_KEY": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0=",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_SIZE": "20",
    }
    exe = Path(sys.executable).with_name("spapi-saas")
    with log.open("wb") as stderr:
        proc = subprocess.Popen(
            [str(exe), "api", "--workers", str(workers)], env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
    try:
        base = f"http://127.0.0.1:{port}"
        print(f"{label} API: `spapi-saas api --workers {workers}` on {os.cpu_count()} CPUs; {pace_line()}")
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        postmaster = int((pg.pgdata / "postmaster.pid").read_text().splitlines()[0])
        yield base, (proc.pid, postmaster)
    finally:
        proc.terminate()
        proc.wait(timeout=15)


class Client(Protocol):
    async def get(self, path: str, params: dict[str, Any]) -> tuple[int, bytes]: ...

    async def close(self) -> None: ...


class RawClient:
    """A minimal HTTP/1.1 keep-alive GET client on asyncio streams.

    The load generator shares the machine's two cores with the API and PostgreSQL; httpx costs
    about as much CPU per request as the endpoint itself, so a bare client keeps the measurement
    about the server."""

    def __init__(self, base: str, cookie: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port, self.cookie = host, int(port), cookie
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


class HttpxClient:
    """One keep-alive connection per simulated user, through httpx (as most API clients are)."""

    def __init__(self, base: str, cookie: str) -> None:
        self.http = httpx.AsyncClient(base_url=base, cookies={"session": cookie}, timeout=30)

    async def get(self, path: str, params: dict[str, Any]) -> tuple[int, bytes]:
        response = await self.http.get(path, params=params)
        return response.status_code, response.content

    async def close(self) -> None:
        await self.http.aclose()


@dataclass(frozen=True)
class Request:
    """One request of the mix; with `pages` > 1 the next pages follow `next_cursor`, counted under
    the same kind."""

    kind: str
    path: str
    params: dict[str, Any]
    pages: int = 1


Plan = Callable[[random.Random], Request]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _cpu_by_process(processes: list[psutil.Process]) -> dict[int, float]:
    times: dict[int, float] = {}
    for proc in processes:
        try:
            cpu = proc.cpu_times()
            times[proc.pid] = cpu.user + cpu.system
        except psutil.NoSuchProcess:
            pass
    return times


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds between two readings; a process that started in between counts from zero
    (PostgreSQL starts a backend for each new pool connection during the run)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


async def _client_loop(
    client: Client, plan: Plan, seconds: float, seed: int, run: Run, rate: float = 0.0
) -> None:
    rnd = random.Random(seed)
    # Paced clients start at a random point of their period: people do not click in step, and
    # clients that all fire at the same instant measure their own bursts, not the server.
    started_at = time.perf_counter() + (rnd.random() / rate if rate else 0.0)
    deadline = started_at + seconds
    sent = 0
    try:
        while time.perf_counter() < deadline:
            request = plan(rnd)
            cursor = None
            for _ in range(request.pages):
                query = {**request.params, **({"cursor": cursor} if cursor else {})}
                if rate:
                    # Paced: this client's n-th request is due at n / rate seconds (no catch-up burst).
                    due = started_at + sent / rate
                    sent += 1
                    if due > time.perf_counter():
                        await asyncio.sleep(due - time.perf_counter())
                started = time.perf_counter()
                status, body = await client.get(request.path, query)
                elapsed = (time.perf_counter() - started) * 1000
                if status != 200:
                    run.errors.append(f"{status} {request.path} {body[:200]!r}")
                    break
                run.latencies[request.kind].append(elapsed)
                cursor = json.loads(body).get("next_cursor") if request.pages > 1 else None
                if not cursor:
                    break
    finally:
        await client.close()


@dataclass
class Run:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    # CPU seconds of the API's processes, PostgreSQL's and the load generator's.
    cpu: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_average: tuple[float, float] = (0.0, 0.0)

    @property
    def every(self) -> list[float]:
        return [v for values in self.latencies.values() for v in values]

    def header(self, label: str, clients: int, client: str, rate: float) -> str:
        every = self.every
        mode = (
            f"each paced at {rate:g} req/s"
            if rate
            else "closed loop (next request as soon as the last answers)"
        )
        return (
            f"{label} {clients} {client} clients {mode}, {self.wall:.1f}s: {len(every):,} requests "
            f"({len(every) / self.wall:,.0f} req/s), {len(self.errors)} errors"
        )

    def kinds(self, label: str, width: int) -> list[str]:
        return [
            f"{label}   {kind:<{width}} n={len(values):>6,}  p50 {pct(values, 50):6.1f}  "
            f"p95 {pct(values, 95):6.1f}  p99 {pct(values, 99):6.1f}"
            for kind, values in sorted(self.latencies.items())
        ]

    def report_tail(self, label: str, width: int, target: str) -> None:
        """The latencies per kind, the CPU per request, whether `target` was met, the first errors."""
        for line in self.kinds(label, width):
            print(line)
        print(self.cpu_line(label))
        print(f"{label} target {target}")
        for error in self.errors[:3]:
            print(f"{label} error:", error)

    def cpu_line(self, label: str) -> str:
        n = max(1, len(self.every))
        api, postgres, generator = (seconds * 1000 / n for seconds in self.cpu)
        return (
            f"{label} CPU per request: API {api:.2f} ms, PostgreSQL {postgres:.2f} ms, load generator "
            f"{generator:.2f} ms; machine load average {self.load_average[0]:.1f} -> "
            f"{self.load_average[1]:.1f} on {os.cpu_count()} CPUs"
        )


async def run_clients(
    base: str,
    token: str,
    plan: Plan,
    clients: int,
    seconds: float,
    pids: tuple[int, int],
    rate: float = 0.0,
    raw: bool = True,
) -> Run:
    """`clients` clients sending `plan`'s requests for `seconds` (after an unmeasured warm-up with
    as many clients, so that every pooled connection is open and has its statements prepared, as
    on a server that has been up a while); `pids` are the API's and PostgreSQL's main processes."""

    def client() -> Client:
        return RawClient(base, token) if raw else HttpxClient(base, token)

    await asyncio.gather(*(_client_loop(client(), plan, 3, 1000 + i, Run()) for i in range(clients)))
    api_pid, pg_pid = pids

    def groups() -> list[list[psutil.Process]]:
        return [
            [psutil.Process(api_pid), *psutil.Process(api_pid).children(recursive=True)],
            psutil.Process(pg_pid).children(recursive=True),
            [psutil.Process()],
        ]

    run = Run()
    cpu_before = [_cpu_by_process(g) for g in groups()]
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    await asyncio.gather(*(_client_loop(client(), plan, seconds, i, run, rate) for i in range(clients)))
    run.wall = time.perf_counter() - started
    api, postgres, generator = (
        _cpu_used(before, _cpu_by_process(g)) for g, before in zip(groups(), cpu_before, strict=True)
    )
    run.cpu = (api, postgres, generator)
    run.load_average = (load_before, os.getloadavg()[0])
    return run
