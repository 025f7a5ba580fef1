"""The whole product as processes for the chaos soak (`bench/chaos.py`), and the means to hurt it.

Embedded PostgreSQL and Redis, the emulator with a scaled clock (through `_sync_harness.Harness`), a
local SQS (moto) the emulator publishes ORDER_CHANGE notifications to, then the product as
`spapi-saas` starts it: the API, two workers, the scheduler and the notifications consumer, each in its
own process group so that a SIGKILL takes the Dramatiq parent and its forked worker together.

A role that exits without being killed here is restarted by `restart_exited` (as a supervisor such as
systemd would), and the exit is reported. `stop` ends every process this module started, by group.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from _sqs import start_sqs
from _sync_harness import APP_ID, CLIENT_ID, CLIENT_SECRET, Harness

from app.kit.embedded import free_port

WORKERS = ("worker-1", "worker-2")
ROLES = ("api", *WORKERS, "scheduler", "notifications")
START_TIMEOUT_S = 90.0


@dataclass
class UnexpectedExit:
    at: float  # seconds since the chaos started
    role: str
    code: int


@dataclass
class ChaosProduct:
    base: Path
    time_scale: float
    threads: int = 4
    harness: Harness | None = None
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # Roles taken down on purpose (a fault in progress): not restarted by `restart_exited`.
    down: set[str] = field(default_factory=set)
    spawned_at: dict[str, float] = field(default_factory=dict)
    exits: list[UnexpectedExit] = field(default_factory=list)
    moto: subprocess.Popen[bytes] | None = None
    api_url: str = ""
    emulator_url: str = ""
    stopping: bool = False

    # -- start ---------------------------------------------------------------------------------

    def start(self) -> ChaosProduct:
        self.base.mkdir(parents=True, exist_ok=True)
        sqs_env = self._start_sqs()
        api_port = free_port()
        self.api_url = f"http://127.0.0.1:{api_port}"
        # One Amazon interval of 15 minutes in 15/S real minutes; a killed worker's claim is free
        # after 30 s (the lock is extended after every page of a live run).
        extra = {
            **sqs_env,
            "DELTA_SYNC_INTERVAL_MINUTES": f"{15.0 / self.time_scale:.6f}",
            "REDIS_LOCK_TTL_SEC": "30",
            "SYNC_MAX_WORKERS": str(self.threads),
            "API_HOST": "127.0.0.1",
            "API_PORT": str(api_port),
            "PUBLIC_URL": self.api_url,
            "OAUTH_REDIRECT_URI": f"{self.api_url}/api/oauth/callback",
            "LWA_REDIRECT_URI": f"{self.api_url}/api/ads/oauth/callback",
            "DOCUMENT_STORAGE_URL": f"file://{self.base / 'documents'}",
            "LOG_LEVEL": "INFO",
        }
        self.harness = Harness(
            time_scale=self.time_scale, workers=self.threads, extra_env=extra, base=self.base
        )
        self.harness.start()
        self.emulator_url = self.harness.emulator_url
        # The consent page sends the seller back to our API (the harness registered a placeholder).
        self.harness.extra_env["SELLER_CENTRAL_URL_OVERRIDE"] = self.emulator_url
        os.environ["SELLER_CENTRAL_URL_OVERRIDE"] = self.emulator_url
        httpx.post(
            f"{self.emulator_url}/_emulator/apps",
            json={
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "application_id": APP_ID,
                "redirect_uris": [f"{self.api_url}/api/oauth/callback"],
                "name": "spapi-saas chaos soak",
            },
            timeout=10,
        ).raise_for_status()
        for role in ROLES:
            self.spawn(role)
        self._wait_http(f"{self.api_url}/health", "the API")
        return self

    def _start_sqs(self) -> dict[str, str]:
        self.moto, env = start_sqs(self.base, "chaos-notifications")
        os.environ.update(env)  # the emulator (spawned by the harness) publishes there
        return env

    def _wait_http(self, url: str, what: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"{what} did not answer {url} within {START_TIMEOUT_S:.0f} s (logs: {self.base})")

    # -- processes -----------------------------------------------------------------------------

    def _args(self, role: str) -> list[str]:
        cli = [sys.executable, "-m", "app.cli"]
        if role == "api":
            return [*cli, "api", "--workers", "1"]
        if role in WORKERS:
            return [*cli, "worker", "--threads", str(self.threads)]
        if role == "scheduler":
            return [*cli, "scheduler", "--tick-seconds", "1"]
        return [*cli, "notifications"]

    def spawn(self, role: str) -> None:
        assert self.harness is not None
        if self.stopping:
            return
        log = (self.base / f"{role}.log").open("ab")
        proc = subprocess.Popen(
            self._args(role),
            env={**os.environ, **self.harness.env()},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.procs[role] = proc
        self.harness.procs.append(proc)  # stopped by the harness too, whatever happens here
        self.spawned_at[role] = time.monotonic()
        self.down.discard(role)

    def kill(self, role: str) -> bool:
        """SIGKILL the role's process group; False when it had already exited (the kill found nothing)."""
        self.down.add(role)
        proc = self.procs[role]
        alive = proc.poll() is None
        _signal_group(proc, signal.SIGKILL)
        proc.wait(timeout=15)
        return alive

    def restart_exited(self, since: float) -> list[UnexpectedExit]:
        """Restart every role that exited by itself (not taken down here); returns those exits."""
        found: list[UnexpectedExit] = []
        if self.stopping:
            return found
        for role, proc in list(self.procs.items()):
            if role in self.down or proc.poll() is None:
                continue
            # A role that crashes at once (its database is down) is not restarted in a tight loop.
            if time.monotonic() - self.spawned_at.get(role, 0.0) < 2.0:
                continue
            _signal_group(proc, signal.SIGKILL)  # Dramatiq's forked worker must not outlive its parent
            exit_ = UnexpectedExit(time.monotonic() - since, role, proc.returncode)
            self.exits.append(exit_)
            found.append(exit_)
            self.spawn(role)
        return found

    def all_running(self) -> bool:
        return all(proc.poll() is None for proc in self.procs.values())

    # -- servers -------------------------------------------------------------------------------

    def restart_postgres(self, down_s: float) -> None:
        assert self.harness is not None and self.harness.pg is not None
        self.harness.pg.stop()
        time.sleep(down_s)
        self.harness.pg.start()  # same port, same data

    def restart_redis(self, down_s: float) -> None:
        """Redis without persistence: the queues, delayed messages, locks and buckets are gone."""
        assert self.harness is not None and self.harness.redis is not None
        self.harness.redis.stop()
        time.sleep(down_s)
        self.harness.redis.start()  # same port

    def stop(self) -> None:
        self.stopping = True
        try:
            if self.harness is not None:
                self.harness.stop()  # every process group (product and emulator), then Redis, PostgreSQL
        finally:
            if self.moto is not None and self.moto.poll() is None:
                _signal_group(self.moto, signal.SIGTERM)
                try:
                    self.moto.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    _signal_group(self.moto, signal.SIGKILL)
                    self.moto.wait(timeout=10)


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


LATELY_S = 20.0  # a burst targets operations called this recently


def called_lately(entries: list[dict[str, Any]], now: datetime) -> list[str]:
    """The operations of the request log's entries of the last LATELY_S seconds, once per call (so a
    busy operation is drawn more often)."""
    out = []
    for entry in entries:
        when = datetime.fromisoformat(entry["time"])
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        if entry.get("operation") and (now - when).total_seconds() <= LATELY_S:
            out.append(str(entry["operation"]))
    return out
