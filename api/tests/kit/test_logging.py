"""Logs are JSON lines (or console lines) with the process and the request id, whoever logs them
(the product, uvicorn, Dramatiq, the emulator), and secrets are masked even when code slips."""

from __future__ import annotations

import json
import logging
import logging.config
import re
from collections.abc import Iterator

import pytest
import structlog

from app.kit.logging import REDACTED, configure_logging, dict_config
from app.settings import RuntimeSettings


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


def _console_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.strip()]


# time, process, [level], event, [logger], key=value...
_CONSOLE_LINE = re.compile(
    r"^(?P<time>\d\d:\d\d:\d\d) (?P<process>\S+) +\[(?P<level>\w+) *\] "
    r"(?P<event>.+?) +\[(?P<logger>[\w.()]+)\]"
)


def test_console_lines_of_uvicorn_dramatiq_and_the_product_share_one_format(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("INFO", "console", process="worker", exclusive=True)
    structlog.contextvars.bind_contextvars(job_id="job-1")
    try:
        structlog.get_logger("app.sync").info("sync.delta_done", entity="orders")
        logging.getLogger("dramatiq.worker.Worker").info("Worker has been shut down.")
        logging.getLogger("uvicorn.error").warning("Shutting down")
    finally:
        structlog.contextvars.clear_contextvars()
    lines = _console_lines(capsys.readouterr().err)
    assert len(lines) == 3, lines
    parsed = [_CONSOLE_LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m["process"], m["level"], m["event"], m["logger"]) for m in parsed if m] == [
        ("worker", "info", "sync.delta_done", "app.sync"),
        ("worker", "info", "Worker has been shut down.", "dramatiq.worker.Worker"),
        ("worker", "warning", "Shutting down", "uvicorn.error"),
    ]
    # The context reaches the standard library's records too, and nothing is coloured off a terminal.
    assert all("job_id=job-1" in line for line in lines), lines
    assert not any("\x1b[" in line for line in lines)


def test_json_lines_of_the_standard_library_name_the_process(capsys: pytest.CaptureFixture[str]) -> None:
    # As a uvicorn started earlier in the process (with its own log level) leaves its logger.
    logging.getLogger("uvicorn.error").setLevel(logging.WARNING)
    configure_logging("INFO", "json", process="api", exclusive=True)
    logging.getLogger("uvicorn.error").info("Started server process [%d]", 42)
    line = _last_json_line(capsys.readouterr().err)
    assert line["event"] == "Started server process [42]"
    assert (line["process"], line["level"], line["logger"]) == ("api", "info", "uvicorn.error")


def test_the_dict_config_gives_a_stdlib_only_program_the_same_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What `spapi-saas dev` hands the emulator (`--log-config`)."""
    root = logging.getLogger()
    before = list(root.handlers)
    logging.config.dictConfig(dict_config("INFO", "json", "emulator"))
    try:
        logging.getLogger("amazon_emulator").info("Amazon emulator on %s", "http://127.0.0.1:8100")
    finally:
        root.handlers = before
    line = _last_json_line(capsys.readouterr().err)
    assert line["event"] == "Amazon emulator on http://127.0.0.1:8100"
    assert (line["process"], line["level"], line["logger"]) == ("emulator", "info", "amazon_emulator")
    assert "timestamp" in line


def test_the_log_format_defaults_to_console_in_development_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    defaults = {}
    for environment in ("development", "test", "production"):
        monkeypatch.setenv("ENVIRONMENT", environment)
        defaults[environment] = RuntimeSettings().log_format
    assert defaults == {"development": "console", "test": "json", "production": "json"}
    monkeypatch.setenv("LOG_FORMAT", "console")
    assert RuntimeSettings().log_format == "console"
