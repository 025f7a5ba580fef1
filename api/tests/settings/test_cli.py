"""Every `spapi-saas` subcommand answers --help (the compose services call them)."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import cli

COMMANDS = ["dev", "api", "worker", "scheduler", "notifications", "migrate", "create-user", "openapi"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_top_level_help_lists_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output


@pytest.mark.parametrize(
    ("env", "args", "expected"), [("3", [], 3), ("3", ["--workers", "2"], 2), (None, [], 1)]
)
def test_api_workers_come_from_api_workers_or_the_option(
    monkeypatch: pytest.MonkeyPatch, env: str | None, args: list[str], expected: int
) -> None:
    from app.kit import serve
    from app.settings import get_settings

    calls: list[dict[str, Any]] = []

    def record(options: dict[str, Any], *, workers: int) -> int:
        calls.append({**options, "workers": workers})
        return 0

    monkeypatch.setattr(serve, "serve", record)
    if env is None:
        monkeypatch.delenv("API_WORKERS", raising=False)
    else:
        monkeypatch.setenv("API_WORKERS", env)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["api", *args])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert calls[0]["workers"] == expected
