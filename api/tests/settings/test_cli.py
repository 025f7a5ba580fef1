"""Every `spapi-saas` subcommand answers --help (the compose services call them)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from app.cli import cli

COMMANDS = ["dev", "api", "worker", "scheduler", "migrate", "create-user", "openapi"]


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
