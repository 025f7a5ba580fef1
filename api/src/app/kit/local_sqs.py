"""A local SQS (moto in server mode, on loopback) for `spapi-saas dev` and the benchmarks: the
environment that points the emulator and the product at it, and its queue once it answers."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def local_sqs_env(port: int) -> dict[str, str]:
    """Endpoint, region and local credentials for a moto server on `port`."""
    return {
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
    }


def sqs_client(env: dict[str, str]) -> Any:
    """A boto3 SQS client on the local server that `env` (`local_sqs_env`) names."""
    import boto3

    return boto3.client(
        "sqs",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def create_queue_when_up(
    env: dict[str, str], name: str, *, within_s: float, alive: Callable[[], bool] = lambda: True
) -> str:
    """The URL of queue `name`, asked for until the server answers (it takes a moment to start):
    the last error when it has not within `within_s`, a RuntimeError when `alive` says the server
    process ended."""
    client = sqs_client(env)
    deadline = time.monotonic() + within_s
    while True:
        try:
            url: str = client.create_queue(QueueName=name)["QueueUrl"]
            return url
        except Exception:
            if not alive():
                raise RuntimeError("the local SQS (moto_server) ended before it answered") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
