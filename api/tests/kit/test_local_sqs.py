"""The local SQS of `spapi-saas dev` and the benchmarks: its queue once moto answers, and a clear
error when the server process ended instead."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.kit.embedded import free_port
from app.kit.local_sqs import create_queue_when_up, local_sqs_env, sqs_client

MOTO = str(Path(sys.executable).with_name("moto_server"))


def test_the_queue_once_the_server_answers() -> None:
    port = free_port()
    server = subprocess.Popen(
        [MOTO, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        env = local_sqs_env(port)
        url = create_queue_when_up(env, "kit-test", within_s=30, alive=lambda: server.poll() is None)
        assert url.endswith("/kit-test")
        client = sqs_client(env)
        client.send_message(QueueUrl=url, MessageBody="hello")
        got = client.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
        assert [m["Body"] for m in got] == ["hello"]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_server_that_ended_is_an_error_not_a_wait() -> None:
    env = local_sqs_env(free_port())  # nothing listens there
    with pytest.raises(RuntimeError, match="ended before it answered"):
        create_queue_when_up(env, "kit-test", within_s=30, alive=lambda: False)
