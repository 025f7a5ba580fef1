"""A local SQS (moto_server on a free loopback port) with one queue, for the benchmarks whose
emulator publishes notifications: the environment that points the emulator and the product at it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from _sync_harness import _bin

from app.kit.embedded import free_port
from app.kit.local_sqs import create_queue_when_up, local_sqs_env


def start_sqs(base: Path, queue: str) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    """moto_server (its log in `base`/sqs.log) and the queue `queue`; the process and the
    environment (endpoint, local credentials, `NOTIFICATIONS_SQS_QUEUE_URL`)."""
    port = free_port()
    log = (base / "sqs.log").open("ab")
    moto = subprocess.Popen(
        [_bin("moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    env = local_sqs_env(port)
    env["NOTIFICATIONS_SQS_QUEUE_URL"] = create_queue_when_up(
        env, queue, within_s=30, alive=lambda: moto.poll() is None
    )
    return moto, env
