"""Browser tests never skip: without a Chromium they fail saying what to do; CHROMIUM_PATH is honoured."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.browser import chromium_path


def test_a_missing_chromium_fails_with_what_to_do(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "no-chromium"))
    with pytest.raises(pytest.fail.Exception, match=r"Chromium not found at .*no-chromium: .*CHROMIUM_PATH"):
        chromium_path()
    given = tmp_path / "my-chromium"
    given.write_text("#!/bin/sh\n")
    given.chmod(0o755)
    monkeypatch.setenv("CHROMIUM_PATH", str(given))
    assert chromium_path() == str(given)
