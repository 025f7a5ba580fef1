"""`/metrics` of the processes that serve no HTTP otherwise (`app.kit.process_metrics`): a real
`spapi-saas worker` serves, from Dramatiq's main process, the series its forked worker process
counted (a job it ran); the production token rule; a port already taken is not fatal."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.kit.embedded import free_port
from app.kit.process_metrics import metrics_app, serve_process_metrics
from app.worker.broker import send_job, setup_broker
from tests.sync.procs import REPO_ROOT


def jobs_done(payload: str, actor: str) -> float:
    for family in text_string_to_metric_families(payload):
        for sample in family.samples:
            if sample.name == "jobs_total" and sample.labels == {"actor": actor, "outcome": "done"}:
                return sample.value
    return 0.0


def start_worker(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PROCESS_METRICS_PORT": str(port), "LOG_LEVEL": "INFO"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    (REPO_ROOT / "test-results").mkdir(exist_ok=True)
    with (REPO_ROOT / "test-results" / "process-metrics-worker.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", "--threads", "1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


# Its worker reads this test process's Redis: a job an earlier test left queued must not reach it.
@pytest.mark.usefixtures("clean_state")
async def test_a_worker_serves_what_its_worker_processes_counted() -> None:
    port = free_port()
    worker = start_worker(port)
    try:
        setup_broker()
        url = f"http://127.0.0.1:{port}/metrics"
        deadline = time.monotonic() + 120
        sent = False
        async with httpx.AsyncClient(timeout=5) as client:
            while True:
                try:
                    answer = await client.get(url)
                except httpx.HTTPError:
                    answer = None
                if answer is not None and answer.status_code == 200:
                    if not sent:
                        send_job("system.heartbeat", {"source": "process-metrics-test"})
                        sent = True
                    elif jobs_done(answer.text, "system.heartbeat") >= 1:
                        break
                assert worker.poll() is None, "the worker exited; see test-results/process-metrics-worker.log"
                assert time.monotonic() < deadline, "no heartbeat job counted on the worker's /metrics"
                await asyncio.sleep(0.5)
            assert (await client.get(f"http://127.0.0.1:{port}/other")).status_code == 404
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


def call(app: object, authorization: str | None = None) -> tuple[str, bytes]:
    environ = {"PATH_INFO": "/metrics", "REQUEST_METHOD": "GET"}
    if authorization is not None:
        environ["HTTP_AUTHORIZATION"] = authorization
    status: list[str] = []
    body = b"".join(app(environ, lambda s, headers: status.append(s)))  # type: ignore[operator]
    return status[0], body


def test_production_answers_only_the_metrics_token() -> None:
    guarded = metrics_app("s3cret-token")
    assert call(guarded)[0].startswith("404")
    assert call(guarded, "Bearer wrong")[0].startswith("404")
    status, body = call(guarded, "Bearer s3cret-token")
    assert status.startswith("200") and b"jobs_total" in body
    assert call(metrics_app(""), "Bearer ")[0].startswith("404")  # no token set: nothing is served
    assert call(metrics_app(None))[0].startswith("200")  # outside production


def test_a_taken_port_is_not_fatal() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert serve_process_metrics(taken.getsockname()[1], host="127.0.0.1") is None
    assert serve_process_metrics(0) is None
    server = serve_process_metrics(free_port(), host="127.0.0.1")
    assert server is not None
    answer = httpx.get(f"http://127.0.0.1:{server.server_port}/metrics", timeout=5)
    assert answer.status_code == 200 and "jobs_total" in answer.text
    server.shutdown()
    server.server_close()
