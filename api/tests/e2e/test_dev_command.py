"""`spapi-saas dev` (what `make run` starts): the panel answers in Chromium, Ctrl-C leaves nothing behind,
and every line any of its processes wrote is in the product's log format (JSON here) and names its process."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from playwright.sync_api import Page

from app.kit.embedded import free_port
from tests.fixtures.app import REPO_ROOT, wait_for_http
from tests.fixtures.browser import screenshot
from tests.sync.procs import json_log


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _postmaster_pid(local: Path) -> int:
    return int((local / "postgres" / "pgdata" / "postmaster.pid").read_text().splitlines()[0])


@pytest.fixture
def dev_env() -> Iterator[dict[str, str]]:
    # Not under tmp_path: pytest-xdist makes that 10 characters longer ("popen-gw0/"), and the
    # PostgreSQL socket under LOCAL_DATA_DIR would pass the 107-byte limit of a Unix socket path.
    base = Path(tempfile.mkdtemp(prefix="spapi-dev-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "ENVIRONMENT"}}
    api_port = free_port()
    env.update(
        {
            "LOCAL_DATA_DIR": str(base / "local"),
            "API_PORT": str(api_port),
            "PUBLIC_URL": f"http://127.0.0.1:{api_port}",
            "WEB_DIST_DIR": str(REPO_ROOT / "web" / "dist"),
            "SCHEDULER_TICK_SECONDS": "2",
            "LOG_FORMAT": "json",
        }
    )
    env.pop("ENCRYPTION_KEY", None)
    env.pop("SESSION_SECRET", None)
    env.pop("SMTP_URL", None)  # dev's own mail catcher
    yield env
    shutil.rmtree(base, ignore_errors=True)


def test_dev_runs_the_product_and_stops_cleanly(dev_env: dict[str, str], page: Page) -> None:
    emulator_port = free_port()
    api = f"http://127.0.0.1:{dev_env['API_PORT']}"
    log_path = REPO_ROOT / "test-results" / "dev-command.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "dev", "--emulator-port", str(emulator_port)],
            env=dev_env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=REPO_ROOT,
        )
        try:
            wait_for_http(f"{api}/ready", timeout=90, proc=proc)
            assert httpx.get(f"{api}/ready").status_code == 200
            wait_for_http(f"http://127.0.0.1:{emulator_port}/health", timeout=30, proc=proc)

            page.goto(f"{api}/")
            page.wait_for_url("**/auth/signin**")
            page.get_by_role("button", name="Sign in").wait_for()
            screenshot(page, "dev-panel-shell")
            assert "sign in" in page.content().lower()
            # Sign-up's verification e-mail reaches dev's mail catcher, which prints its link.
            signup = httpx.post(
                f"{api}/api/auth/signup",
                json={"email": "dev-mail@example.com", "password": "correct-horse-battery"},
            )
            assert signup.status_code == 202, signup.text

            local = Path(dev_env["LOCAL_DATA_DIR"])
            assert (local / "secrets.env").exists()
            children = [p.pid for p in psutil.Process(proc.pid).children(recursive=True)]
            assert len(children) >= 4, "api, worker, scheduler and emulator should be running"
            servers = [_postmaster_pid(local)]
        finally:
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=60)
    assert code == 0, log_path.read_text()[-3000:]
    left = [pid for pid in [*children, *servers] if _alive(pid)]
    assert left == [], f"processes left behind: {left}"
    lines = json_log(log_path)
    said = {(line["process"], line["event"]) for line in lines}
    processes = {process for process, _ in said}
    assert {"dev", "api", "worker", "scheduler", "emulator", "notifications"} <= processes, processes
    assert ("dev", "stopped") in said
    # Every child stopped on its own, inside the grace period (nothing had to be killed).
    assert not any("did not stop" in event for _, event in said), lines[-20:]
    # Dramatiq's and uvicorn's own loggers write in the same format.
    assert ("worker", "Worker has been shut down.") in said
    assert any(process == "emulator" and "Uvicorn running on" in event for process, event in said)
    assert ("dev", "mail to dev-mail@example.com: Verify your e-mail address") in said
    assert any(
        process == "dev" and event.startswith(f"  link {api}/auth/verify#token=") for process, event in said
    )
