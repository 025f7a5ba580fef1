"""`make audit` (scripts/audit.py): real findings fail, an unreachable audit service never does but
is reported as not audited, and an auditor's own failure is an error."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "audit.py"


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


audit = _module()

PIP_VULNERABLE = json.dumps(
    {
        "dependencies": [
            {
                "name": "jinja2",
                "version": "2.10",
                "vulns": [{"id": "PYSEC-2019-217", "fix_versions": ["2.10.1"]}],
            },
            {"name": "fastapi", "version": "0.165.0", "vulns": []},
        ]
    }
)
# What this machine's package mirror answers: it knows none of the packages.
PIP_NOTHING_KNOWN = json.dumps(
    {
        "dependencies": [
            {"name": "alembic", "skip_reason": "Dependency not found on PyPI and could not be audited"}
        ]
    }
)
PIP_CLEAN = json.dumps({"dependencies": [{"name": "fastapi", "version": "0.165.0", "vulns": []}]})
NPM_405 = json.dumps(
    {
        "message": "405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk",
        "statusCode": 405,
        "error": {"summary": "", "detail": ""},
    }
)
NPM_VULNERABLE = json.dumps({"vulnerabilities": {"react-router": {"severity": "high"}}, "metadata": {}})
NPM_CLEAN = json.dumps({"vulnerabilities": {}, "metadata": {"dependencies": {"prod": 42}}})


@pytest.mark.parametrize(
    ("code", "report", "stderr", "state"),
    [
        (1, PIP_VULNERABLE, "", "findings"),
        (0, PIP_NOTHING_KNOWN, "", "unreachable"),
        (0, PIP_CLEAN, "", "clean"),
        (1, "", "requests.exceptions.ConnectionError: Max retries exceeded with url", "unreachable"),
        (2, "", "error: invalid requirement", "error"),
    ],
)
def test_pip_audit_outcomes(code: int, report: str, stderr: str, state: str) -> None:
    assert audit.classify_pip_audit(code, report, stderr).state == state


@pytest.mark.parametrize(
    ("code", "report", "stderr", "state"),
    [
        (1, NPM_405, "npm error audit endpoint returned an error", "unreachable"),
        (1, "", "npm error code ENOTFOUND", "unreachable"),
        (1, NPM_VULNERABLE, "", "findings"),
        (0, NPM_CLEAN, "", "clean"),
        (1, "", "npm error something else entirely", "error"),
    ],
)
def test_npm_audit_outcomes(code: int, report: str, stderr: str, state: str) -> None:
    assert audit.classify_npm_audit(code, report, stderr).state == state


@pytest.mark.parametrize(
    ("states", "exit_code"),
    [
        (("unreachable", "unreachable"), 0),
        (("clean", "unreachable"), 0),
        (("findings", "unreachable"), 1),
        (("clean", "error"), 2),
    ],
)
def test_exit_status(
    states: tuple[str, str],
    exit_code: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    python, web = (
        audit.Outcome(tool, state, "m")
        for tool, state in zip(("pip-audit", "npm audit"), states, strict=True)
    )
    monkeypatch.setattr(audit, "audit_python", lambda: python)
    monkeypatch.setattr(audit, "audit_web", lambda: web)
    assert audit.main() == exit_code
    out = capsys.readouterr().out
    assert f"pip-audit: {states[0].upper()}" in out and f"npm audit: {states[1].upper()}" in out
