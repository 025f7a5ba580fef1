"""Logs are JSON lines with the request id, and secrets are masked even when code slips."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import structlog

from app.kit.logging import REDACTED, configure_logging


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    yield
    # The handler captured pytest's temporary stderr: point logging back at the real one.
    configure_logging("INFO", "json")


def _last_json_line(err: str) -> dict[str, object]:
    lines = [line for line in err.strip().splitlines() if line.startswith("{")]
    return dict(json.loads(lines[-1]))


def test_secret_keys_and_token_values_are_masked(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json", exclusive=True)
    log = structlog.get_logger("test")
    log.info(
        "token_refreshed",
        access_token="Atza|IwEBIExample",
        refresh_token="Atzr|IwEBIOther",
        client_secret="amzn1.oa2-cs.v1.abcdef",
        note="got Atza|IwEBIinline in a message",
        operation="getOrders",
    )
    line = _last_json_line(capsys.readouterr().err)
    assert line["access_token"] == REDACTED
    assert line["refresh_token"] == REDACTED
    assert line["client_secret"] == REDACTED
    assert "Atza|" not in json.dumps(line)
    assert line["operation"] == "getOrders"


def test_request_id_is_on_every_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("INFO", "json", exclusive=True)
    structlog.contextvars.bind_contextvars(request_id="rid-log")
    try:
        structlog.get_logger("test").info("something_happened")
    finally:
        structlog.contextvars.clear_contextvars()
    line = _last_json_line(capsys.readouterr().err)
    assert line["request_id"] == "rid-log"
    assert line["event"] == "something_happened"
    assert "timestamp" in line
