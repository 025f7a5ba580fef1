"""`spapi-saas rotate-encryption-key` and `rotate-client-secret` from the command line."""

from __future__ import annotations

import asyncio
import re

import pytest
from typer.testing import CliRunner

from app.cli import cli


@pytest.mark.parametrize("command", ["rotate-encryption-key", "rotate-client-secret", "create-user"])
def test_help(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


async def test_rotate_encryption_key_runs(clean_state: None) -> None:
    # In a thread: the command runs its own event loop, as it does from a shell.
    result = await asyncio.to_thread(CliRunner().invoke, cli, ["rotate-encryption-key"])
    assert result.exit_code == 0, result.output
    assert re.search(
        r"re-encrypted \d+ refresh tokens, \d+ client secrets and \d+ TOTP secrets;"
        r" re-wrapped \d+ tenant data keys",
        result.output,
    )
