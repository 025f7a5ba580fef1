"""`make audit`: known vulnerabilities of the pinned Python packages (pip-audit over constraints.txt)
and of the panel's production npm packages (`npm audit --omit=dev`).

Exit status: 1 when an audit found a vulnerability, 2 when an auditor failed for another reason,
0 otherwise. An audit service that cannot be reached (no network, a registry mirror without the
audit endpoint, a proxy that knows none of the packages) is NOT a failure, so CI never breaks on
it, but the report says plainly that nothing was audited.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
UNREACHABLE_HINTS = (
    "connectionerror",
    "connection refused",
    "name or service not known",
    "temporary failure in name resolution",
    "timed out",
    "max retries exceeded",
    "enotfound",
    "econnrefused",
    "etimedout",
    "eai_again",
    "audit endpoint returned an error",
    "network",
)


@dataclass(frozen=True)
class Outcome:
    tool: str
    state: str  # "clean" | "findings" | "unreachable" | "error"
    message: str


def _unreachable(text: str) -> bool:
    lowered = text.lower()
    return any(hint in lowered for hint in UNREACHABLE_HINTS)


def classify_pip_audit(returncode: int, report: str, stderr: str) -> Outcome:
    """pip-audit's JSON report: findings are dependencies with `vulns`; a dependency the service
    does not know is skipped, and a service that knows none of them audited nothing."""
    try:
        data = json.loads(report) if report.strip() else None
    except json.JSONDecodeError:
        data = None
    if data is None:
        if _unreachable(stderr):
            return Outcome(
                "pip-audit",
                "unreachable",
                "the vulnerability service is unreachable: NOT audited",
            )
        return Outcome(
            "pip-audit",
            "error",
            f"pip-audit failed (exit {returncode}): {stderr.strip()[-500:]}",
        )
    dependencies = data.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    audited = [d for d in dependencies if "skip_reason" not in d]
    if vulnerable:
        lines = [
            f"{d['name']} {d.get('version', '')}: " + ", ".join(v.get("id", "?") for v in d["vulns"])
            for d in vulnerable
        ]
        return Outcome("pip-audit", "findings", "vulnerable packages:\n  " + "\n  ".join(lines))
    if not audited:
        return Outcome(
            "pip-audit",
            "unreachable",
            f"the vulnerability service answered for none of the {len(dependencies)} packages"
            " (no network, or a mirror that is not PyPI): NOT audited",
        )
    skipped = len(dependencies) - len(audited)
    note = f" ({skipped} not known to the service, not audited)" if skipped else ""
    return Outcome(
        "pip-audit",
        "clean",
        f"{len(audited)} packages audited, no known vulnerability{note}",
    )


def classify_npm_audit(returncode: int, report: str, stderr: str) -> Outcome:
    try:
        data = json.loads(report) if report.strip() else {}
    except json.JSONDecodeError:
        data = {}
    if "vulnerabilities" in data:
        found = {name: v.get("severity", "?") for name, v in data["vulnerabilities"].items()}
        if found:
            lines = [f"{name}: {severity}" for name, severity in sorted(found.items())]
            return Outcome("npm audit", "findings", "vulnerable packages:\n  " + "\n  ".join(lines))
        total = data.get("metadata", {}).get("dependencies", {}).get("prod", "?")
        return Outcome(
            "npm audit",
            "clean",
            f"{total} production packages audited, no known vulnerability",
        )
    if "error" in data or "statusCode" in data or _unreachable(stderr):
        detail = data.get("message") or stderr.strip().splitlines()[-1:] or ["no answer"]
        return Outcome(
            "npm audit",
            "unreachable",
            f"the audit endpoint is unreachable ({detail}): NOT audited",
        )
    return Outcome(
        "npm audit",
        "error",
        f"npm audit failed (exit {returncode}): {stderr.strip()[-500:]}",
    )


def _run(command: list[str], cwd: Path) -> tuple[int, str, str]:
    try:
        done = subprocess.run(command, check=False, cwd=cwd, capture_output=True, text=True, timeout=300)
    except FileNotFoundError as exc:
        return 127, "", str(exc)
    except subprocess.TimeoutExpired:
        return 124, "", "timed out"
    return done.returncode, done.stdout, done.stderr


def audit_python() -> Outcome:
    report = ROOT / "test-results" / "pip-audit.json"
    report.parent.mkdir(exist_ok=True)
    report.unlink(missing_ok=True)
    code, _, stderr = _run(
        [
            str(BIN / "pip-audit"),
            "-r",
            "constraints.txt",
            "--no-deps",  # every package is pinned in constraints.txt: nothing to resolve
            "--disable-pip",
            "--progress-spinner",
            "off",
            "-f",
            "json",
            "-o",
            str(report),
        ],
        ROOT,
    )
    return classify_pip_audit(code, report.read_text() if report.exists() else "", stderr)


def audit_web() -> Outcome:
    code, stdout, stderr = _run(["npm", "audit", "--omit=dev", "--json"], ROOT / "web")
    return classify_npm_audit(code, stdout, stderr)


def main() -> int:
    outcomes = [audit_python(), audit_web()]
    for outcome in outcomes:
        print(f"{outcome.tool}: {outcome.state.upper()}: {outcome.message}")
    if any(o.state == "findings" for o in outcomes):
        return 1
    if any(o.state == "error" for o in outcomes):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
