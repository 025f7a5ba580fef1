"""The product as processes for end-to-end sync tests: a real worker and the scheduler, talking to
an emulator served from this test process (so tests can stamp emulator activity in the past:
Amazon hides the last 2 minutes from every query)."""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from amazon_emulator.config import DEMO_APPLICATION_ID, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

REPO_ROOT = Path(__file__).resolve().parents[3]


def product_env(emulator_url: str, **extra: str) -> dict[str, str]:
    """The product's environment against the emulator at `emulator_url`. Nothing says how fast the
    emulator's clock runs: it announces real rates and lifetimes, as a faster Amazon would."""
    env = dict(os.environ)
    env.update(
        {
            "LWA_TOKEN_URL": f"{emulator_url}/auth/o2/token",
            "LWA_CLIENT_ID": DEMO_CLIENT_ID,
            "LWA_CLIENT_SECRET": DEMO_CLIENT_SECRET,
            "SPAPI_APPLICATION_ID": f"{DEMO_APPLICATION_ID}.{uuid.uuid4().hex[:8]}",
            "SPAPI_BASE_NA": emulator_url,
            "SPAPI_BASE_EU": emulator_url,
            "SPAPI_BASE_FE": emulator_url,
            "DELTA_SYNC_INTERVAL_MINUTES": "0.05",
            "REDIS_LOCK_TTL_SEC": "8",
            "SYNC_MAX_WORKERS": "4",
            "LOG_LEVEL": "INFO",
        }
    )
    env.update(extra)
    return env


def json_log(path: Path, process: str | None = None) -> list[dict[str, Any]]:
    """Every line of a process's output (LOG_FORMAT=json), each asserted to be a JSON object with a
    timestamp, a level, an event and its process's name (`process`, when given, for every line)."""
    lines = []
    for number, text in enumerate(path.read_text(errors="replace").splitlines(), 1):
        try:
            line = json.loads(text)
        except ValueError:
            raise AssertionError(f"{path.name}:{number} is not JSON: {text[:300]!r}") from None
        assert isinstance(line, dict), f"{path.name}:{number}: {text[:300]}"
        keys = {"timestamp", "level", "event", "process"}
        assert keys <= line.keys(), f"{path.name}:{number} lacks {keys - line.keys()}: {text[:300]}"
        assert process is None or line["process"] == process, f"{path.name}:{number}: {text[:300]}"
        lines.append(line)
    assert lines, f"{path.name} is empty"
    return lines


class Product:
    """`spapi-saas worker`, `scheduler` and `notifications` as child processes (own process groups)."""

    def __init__(self, env: dict[str, str], name: str) -> None:
        self.env = env
        self.name = name
        self.worker: subprocess.Popen[bytes] | None = None
        self.scheduler: subprocess.Popen[bytes] | None = None
        self.notifications: subprocess.Popen[bytes] | None = None
        self._logs: list[Any] = []
        (REPO_ROOT / "test-results").mkdir(exist_ok=True)

    def log_path(self, role: str) -> Path:
        return REPO_ROOT / "test-results" / f"{self.name}-{role}.log"

    def _spawn(self, role: str, *args: str) -> subprocess.Popen[bytes]:
        log = self.log_path(role).open("ab")
        self._logs.append(log)
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", role, *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_worker(self) -> None:
        self.worker = self._spawn("worker", "--threads", self.env.get("SYNC_MAX_WORKERS", "4"))

    def start_scheduler(self) -> None:
        self.scheduler = self._spawn("scheduler", "--tick-seconds", "0.5")

    def start_notifications(self) -> None:
        self.notifications = self._spawn("notifications")

    def kill_worker(self) -> None:
        """SIGKILL the worker's whole process group (the dramatiq parent and its worker process).

        A worker that is not running any more fails the test: a kill that finds nothing to kill
        proves nothing (and a worker that died by itself is a failure of its own)."""
        worker, self.worker = self.worker, None
        if worker is None:
            raise AssertionError(f"{self.name}: kill_worker without a started worker")
        code = worker.poll()
        if code is not None:
            raise AssertionError(
                f"{self.name}: the worker had already exited (code {code}) when it was to be killed;"
                f" see test-results/{self.name}-worker.log"
            )
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def stop_worker(self) -> None:
        """Stop the worker as an operator would (SIGTERM, running jobs finish); `start_worker`
        starts a new one."""
        worker, self.worker = self.worker, None
        if worker is None:
            raise AssertionError(f"{self.name}: stop_worker without a started worker")
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        _kill_group(worker.pid)

    def stop(self) -> None:
        for proc in (self.worker, self.scheduler, self.notifications):
            if proc is not None and proc.poll() is None:
                # The leader only (as `spapi-saas dev` does): Dramatiq's main process forwards SIGTERM
                # to its worker process, which takes a second one from the group as "kill now" and
                # then leaves the main process waiting for it until the timeout below.
                proc.send_signal(signal.SIGTERM)
        for proc in (self.worker, self.scheduler, self.notifications):
            if proc is not None:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
                else:
                    _kill_group(proc.pid)  # nothing of it left behind
        for log in self._logs:
            log.close()


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


# Orders also change by themselves as wall-clock time passes (their status timelines are real
# time, whatever the emulator's scale). A delta asks only up to two minutes and five seconds ago, as
# Amazon requires (`app.sync.planner.BEFORE_MARGIN`), while the truth is "as of now": equality can
# take that long plus a delta interval after such a change. The timeout failed CI otherwise.
CHANGE_VISIBLE_WITHIN_S = 125 + 25


async def eventually(
    check: Callable[[], Awaitable[bool]], seconds: float, what: str, every: float = 0.5
) -> None:
    deadline = time.monotonic() + seconds
    while True:
        if await check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(every)


def backdated_activity(
    app: Any, seller: str, new_orders: int, updates: int, seconds_ago: float
) -> dict[str, list[str]]:
    """Emulator activity stamped `seconds_ago` (Amazon hides the last 2 minutes from every query),
    on orders that did not change since (their later changes may already be synced)."""
    from amazon_emulator.data.activity import add_activity
    from amazon_emulator.seeding import factories

    state = app.state.emulator
    now = time.time()
    return add_activity(
        state.seller(seller),
        factories(state)[seller],
        new_orders,
        updates,
        now - seconds_ago,
        None,
        visible_until=now,
    )


def hold_still(app: Any, seller_id: str, seconds: float = 86400.0) -> None:
    """Nothing of the seller changes for `seconds` from now: every later status change, touch and
    order moves that much later. At Amazon's pace an order may ship while the backfill runs, and only a
    delta two minutes later would see it; the comparison with the truth is about the backfill."""
    state = app.state.emulator
    now = state.clock.time()
    seller = state.seller(seller_id)
    with seller.lock:
        held = []
        for order in seller.orders:
            if order.purchase_ts > now:
                shift = seconds
                order = replace(order, purchase_ts=order.purchase_ts + shift)
            else:
                shift = 0.0
            held.append(
                replace(
                    order,
                    timeline=tuple(
                        (when + (seconds if when > now else shift), status) for when, status in order.timeline
                    ),
                    touches=tuple(when + (seconds if when > now else shift) for when in order.touches),
                )
            )
        seller.orders[:] = sorted(held, key=lambda o: o.purchase_ts)
        seller.orders_by_id.clear()
        seller.orders_by_id.update({o.amazon_order_id: o for o in seller.orders})


def emulator_client(url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, timeout=30)


@contextmanager
def chaos(name: str) -> Iterator[random.Random]:
    """The random source of one fault test's fault points: seeded from `CHAOS_SEED` when set (to
    replay a run), else at random; the seed is printed and added to any failure's message."""
    seed = int(os.environ.get("CHAOS_SEED") or random.SystemRandom().randrange(2**32))
    print(f"{name}: CHAOS_SEED={seed}")
    try:
        yield random.Random(seed)
    except BaseException as exc:
        exc.add_note(f"{name}: CHAOS_SEED={seed} replays this run's fault points")
        raise


async def connect_onboarded(tenant_id: str, seller: str, refresh: str, marketplaces: list[str]) -> str:
    """What the OAuth callback leaves behind, committed: the connection, its encrypted refresh token,
    its sync rows, and `sync.connection_onboarded` enqueued (for the product's worker to run)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from app.db.session import create_sessionmaker, unit_of_work
    from app.settings import get_settings
    from app.worker.broker import setup_broker
    from app.worker.enqueue import enqueue_job
    from tests.factories.connections import make_synced_connection

    engine = create_async_engine(get_settings().db.sqlalchemy_url)
    try:
        sessionmaker = create_sessionmaker(engine)
        setup_broker()
        async with unit_of_work(sessionmaker) as session:
            connection = await make_synced_connection(
                session,
                sessionmaker,
                uuid.UUID(tenant_id),
                account_id=seller,
                marketplaces=marketplaces,
                refresh_token=refresh,
                encryption_keys=get_settings().security.encryption_keys,
            )
            enqueue_job(
                session, "sync.connection_onboarded", connection_id=str(connection.id), tenant_id=tenant_id
            )
            return str(connection.id)
    finally:
        await engine.dispose()
