"""`spapi-saas api --workers N`: the supervisor hands the connections to the workers in turn (an
even split), a dead worker is replaced, a busy port is refused, SIGTERM stops everything."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil

from app.kit.embedded import free_port

API_DIR = Path(__file__).resolve().parents[2]


def start(port: int, app: str = "tests.kit.pid_app:app") -> subprocess.Popen[bytes]:
    code = (
        "import sys; from app.kit.serve import serve; "
        f"sys.exit(serve({{'app': '{app}', 'host': '127.0.0.1', 'port': {port}, "
        "'log_level': 'warning', 'timeout_graceful_shutdown': 2}, workers=2))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=API_DIR, env={**os.environ, "PYTHONPATH": str(API_DIR)}
    )


def pids_answering(port: int, connections: int) -> list[int]:
    """One request on each of `connections` fresh keep-alive connections, all open at once."""
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) for _ in range(connections)]
    try:
        return [int(client.get("/").text) for client in clients]
    finally:
        for client in clients:
            client.close()


def wait_until_serving(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the server exited"
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("the server did not start")


def test_workers_share_the_connections_and_stop_together() -> None:
    port = free_port()
    proc = start(port)
    try:
        wait_until_serving(port, proc)
        time.sleep(1)  # both workers listening
        workers = {
            p.pid
            for p in psutil.Process(proc.pid).children()
            if "resource_tracker" not in " ".join(p.cmdline())
        }
        seen = pids_answering(port, 40)
        # 40 keep-alive connections open at once: exactly 20 on each worker.
        assert len(workers) == 2 and sorted(Counter(seen).items()) == [(pid, 20) for pid in sorted(workers)]

        # A second copy on the same address refuses to start instead of joining silently.
        second = start(port)
        assert second.wait(timeout=30) == 1

        # A worker that dies is replaced; the other keeps serving meanwhile.
        victim = seen[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            answering = set(pids_answering(port, 40))
            if len(answering) == 2 and victim not in answering:
                break
            time.sleep(0.3)
        assert victim not in answering and len(answering) == 2

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert not [
            pid for pid in answering if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"
        ]
    finally:
        if proc.poll() is None:
            proc.kill()


def test_an_app_that_cannot_start_stops_the_server() -> None:
    """No restart loop for a broken app (import error, failed startup): the exit code says so."""
    proc = start(free_port(), app="tests.kit.no_such_module:app")
    try:
        assert proc.wait(timeout=60) == 3
    finally:
        if proc.poll() is None:
            proc.kill()
