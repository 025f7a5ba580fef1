"""Shared set-up of the sync benchmarks (B1, B3): embedded PostgreSQL + Redis, the
emulator as a process with a scaled clock (it announces real rates and lifetimes, so the
product is not told the scale), the product's worker and scheduler as processes, and
sellers onboarded the way the OAuth callback leaves them (connection, encrypted refresh
token, sync rows, `sync.connection_onboarded` enqueued)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "api" / "src"))

from app.kit.embedded import EmbeddedPostgres, EmbeddedRedis, free_port  # noqa: E402

KEY = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC0="
CLIENT_ID = "amzn1.application-oa2-client.bench"
CLIENT_SECRET = "bench-secret"
APP_ID = "amzn1.sp.solution.bench"


def _bin(name: str) -> str:
    local = Path(sys.executable).with_name(name)
    return str(local) if local.exists() else (shutil.which(name) or name)


@dataclass
class Harness:
    time_scale: float
    workers: int = 4
    extra_env: dict[str, str] = field(default_factory=dict)
    base: Path = field(
        default_factory=lambda: Path(tempfile.mkdtemp(prefix="sync-bench-"))
    )
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    pg: EmbeddedPostgres | None = None
    redis: EmbeddedRedis | None = None
    emulator_url: str = ""
    database_url: str = ""

    def start(self) -> Harness:
        self.pg = EmbeddedPostgres(self.base / "pg", fast_unsafe=True).start()
        self.redis = EmbeddedRedis(self.base / "redis", persistent=False).start()
        import psycopg

        with psycopg.connect(self.pg.admin_url(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench")
        self.database_url = self.pg.admin_url("bench")
        from app import migrate

        migrate.upgrade(self.database_url)
        port = free_port()
        self.emulator_url = f"http://127.0.0.1:{port}"
        self._spawn(
            "emulator",
            [
                _bin("amazon-emulator"),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--time-scale",
                str(self.time_scale),
                "--log-level",
                "warning",
            ],
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if (
                    httpx.get(
                        f"{self.emulator_url}/_emulator/health", timeout=2
                    ).status_code
                    == 200
                ):
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the emulator did not start")
            time.sleep(0.2)
        answer = httpx.post(
            f"{self.emulator_url}/_emulator/apps",
            json={
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "application_id": APP_ID,
                "redirect_uris": ["http://127.0.0.1/cb"],
            },
            timeout=10,
        )
        answer.raise_for_status()
        os.environ.update(self.env())
        from app.settings import reset_settings_cache

        reset_settings_cache()
        return self

    def env(self) -> dict[str, str]:
        assert self.redis is not None
        env = {
            "ENVIRONMENT": "test",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis.url,
            "ENCRYPTION_KEY": KEY,
            "SESSION_SECRET": "bench-session-secret-bench-session-secret-01",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
            "LWA_TOKEN_URL": f"{self.emulator_url}/auth/o2/token",
            "LWA_CLIENT_ID": CLIENT_ID,
            "LWA_CLIENT_SECRET": CLIENT_SECRET,
            "SPAPI_APPLICATION_ID": APP_ID,
            "SPAPI_BASE_NA": self.emulator_url,
            "SPAPI_BASE_EU": self.emulator_url,
            "SPAPI_BASE_FE": self.emulator_url,
            "SYNC_MAX_WORKERS": str(self.workers),
            "REDIS_LOCK_TTL_SEC": "120",
        }
        env.update(self.extra_env)
        return env

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = (self.base / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            args,
            env={**os.environ, **(self.env() if self.redis else {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def start_product(
        self, tick_seconds: float = 0.5
    ) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]:
        worker = self._spawn(
            "worker",
            [sys.executable, "-m", "app.cli", "worker", "--threads", str(self.workers)],
        )
        scheduler = self._spawn(
            "scheduler",
            [
                sys.executable,
                "-m",
                "app.cli",
                "scheduler",
                "--tick-seconds",
                str(tick_seconds),
            ],
        )
        return worker, scheduler

    def create_seller(
        self,
        orders: int,
        marketplaces: list[str],
        seed: int = 1,
        selling_partner_id: str | None = None,
    ) -> str:
        """A seller made by the emulator, with a new random id unless one is given (its
        orders are seeded by `seed` and the id: the same id, seed and size give the same
        seller)."""
        seller = selling_partner_id or f"A{uuid.uuid4().hex[:12].upper()}"
        answer = httpx.post(
            f"{self.emulator_url}/_emulator/sellers",
            json={
                "selling_partner_id": seller,
                "marketplaces": marketplaces,
                "orders": orders,
                "months": 24,
                "seed": seed,
            },
            timeout=600,
        )
        answer.raise_for_status()
        return seller

    def refresh_token(self, seller: str) -> str:
        answer = httpx.post(
            f"{self.emulator_url}/_emulator/self-authorize",
            json={
                "client_id": CLIENT_ID,
                "selling_partner_id": seller,
                "kind": "spapi",
            },
            timeout=60,
        )
        answer.raise_for_status()
        token: str = answer.json()["refresh_token"]
        return token

    def summary(self, seller: str, as_of: str | None = None) -> dict[str, Any]:
        answer = httpx.get(
            f"{self.emulator_url}/_emulator/sellers/{seller}/summary",
            params={"as_of": as_of} if as_of else {},
            timeout=120,
        )
        answer.raise_for_status()
        body: dict[str, Any] = answer.json()
        return body

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if self.redis:
            self.redis.stop()
        if self.pg:
            self.pg.stop()


async def onboard(
    sessionmaker: Any, sellers: list[tuple[str, str, list[str]]]
) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """Connections as the OAuth callback leaves them, then `sync.connection_onboarded`
    for each."""
    import app.tasks  # noqa: F401  (the actor registry, before the broker is set up)
    from app.connections.models import Connection
    from app.db.session import unit_of_work
    from app.sync.repository import SyncRepository
    from app.tenants.models import Tenant
    from app.tokens.repository import SqlTokenStore
    from app.worker.broker import setup_broker
    from app.worker.enqueue import enqueue_job

    setup_broker()
    out: list[tuple[uuid.UUID, uuid.UUID]] = []
    store = SqlTokenStore(sessionmaker, [KEY])
    async with unit_of_work(sessionmaker) as session:
        for seller, refresh, marketplaces in sellers:
            tenant = Tenant(
                name=f"Bench {seller}", slug=f"bench-{uuid.uuid4().hex[:12]}"
            )
            session.add(tenant)
            await session.flush()
            connection = Connection(
                tenant_id=tenant.id,
                provider="amazon_sp",
                region="NA",
                account_id=seller,
                marketplaces=marketplaces,
                status="active",
            )
            session.add(connection)
            await session.flush()
            await store.store_refresh_token(
                session, str(tenant.id), str(connection.id), refresh
            )
            await SyncRepository(session).ensure_rows(
                tenant.id, connection.id, marketplaces, "orders", datetime.now(UTC)
            )
            enqueue_job(
                session,
                "sync.connection_onboarded",
                connection_id=str(connection.id),
                tenant_id=str(tenant.id),
            )
            out.append((tenant.id, connection.id))
    return out


def write_results(section: str, body: str) -> None:
    """Replace (or add) `section` in bench/RESULTS.md."""
    path = ROOT / "bench" / "RESULTS.md"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    block = f"{start}\n{body.rstrip()}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
