"""The client libraries stay libraries: no web framework, no ORM (the sync and API layers own those)."""

from __future__ import annotations

import ast
from pathlib import Path

import app

ROOT = Path(app.__file__).parent
LIBRARIES = [ROOT / "spapi", ROOT / "ads" / "client"]
FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "app.db", "app.tokens", "app.connections")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_framework_or_orm_imports() -> None:
    offenders = []
    for library in LIBRARIES:
        for path in library.rglob("*.py"):
            for name in imported_modules(path):
                if any(name == f or name.startswith(f + ".") for f in FORBIDDEN):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_files_stay_small() -> None:
    for library in [*LIBRARIES, ROOT / "tokens"]:
        for path in library.rglob("*.py"):
            assert len(path.read_text(encoding="utf-8").splitlines()) < 500, path
