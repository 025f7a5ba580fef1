"""One owner per table: each table is written only by the repository of the domain that declares
it (the package whose `models.py` holds its model); other domains go through that domain's service.

The writes are found statically, by reading every module of `app` (its AST, not its text, so
comments and docstrings do not count):

* `insert(Model)`, `update(Model)`, `delete(Model)` and helpers named like them (`pg_insert`,
  `_update`), and `Model.__table__.insert()` / `.update()` / `.delete()`;
* `session.add(Model(...))`, `session.add_all([Model(...)])`, `session.merge(...)`, and the same with
  a variable whose annotation, or assignment in the same function, is the model;
* `session.delete(obj)` and `session.flush()` (an ORM write of loaded objects, table unknown);
* SQL in string literals (f-string parts included): `INSERT INTO t`, `UPDATE t`, `DELETE FROM t`,
  `COPY t`, `TRUNCATE t`, for every table name of the schema.

Limits: a table named only through a variable (`update(model)`, `f"COPY {table}"`) is not seen
(the helper's callers are: `_update(SyncState)`); a loaded object changed in a service and flushed
later by someone else is seen only where the flush is; SQL built from pieces elsewhere than string
literals is not seen; reads are not checked (any domain may read through joins). Migrations are
not scanned: they own the schema, not the rows.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import app
from app.models import Base

APP = Path(app.__file__).parent
SKIPPED = ("migrations",)

# (module path relative to app/, table or "*") -> why this write is allowed where it is.
EXCEPTIONS: dict[tuple[str, str], str] = {}

WRITE_CALLS = {"insert", "update", "delete", "pg_insert"}
ADD_CALLS = {"add", "add_all", "merge"}
SQL_WRITE = re.compile(
    r"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|COPY|TRUNCATE(?:\s+TABLE)?)\s+(?:ONLY\s+)?\"?([A-Za-z_][A-Za-z0-9_]*)\"?",
    re.IGNORECASE,
)


def table_owners() -> dict[str, str]:
    """Every table of the schema -> the domain whose models.py declares it."""
    owners: dict[str, str] = {}
    for mapper in Base.registry.mappers:
        table = getattr(mapper.class_, "__tablename__", None)
        if table is None:
            continue
        module = mapper.class_.__module__.split(".")
        # `models.py`, or a second `<name>_models.py` of the domain (as `*_repository.py`).
        assert module[0] == "app" and (module[-1] == "models" or module[-1].endswith("_models")), (
            f"{mapper.class_} is not in a models.py"
        )
        owners[table] = module[1]
    return owners


def model_tables() -> dict[str, str]:
    """Model class name -> its table."""
    return {m.class_.__name__: m.class_.__tablename__ for m in Base.registry.mappers}


@dataclass(frozen=True)
class Write:
    path: str  # relative to app/
    line: int
    table: str | None  # None: an ORM write whose table is not known statically
    how: str

    @property
    def domain(self) -> str:
        parts = Path(self.path).parts
        return parts[0] if len(parts) > 1 else Path(self.path).stem

    @property
    def in_repository(self) -> bool:
        name = Path(self.path).name
        return name == "repository.py" or name.endswith("_repository.py")


def _docstrings(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _receiver(call: ast.Call) -> str:
    return ast.unparse(call.func.value) if isinstance(call.func, ast.Attribute) else ""


def _is_session(receiver: str) -> bool:
    """`session`, `self.session`, `self._session`: a SQLAlchemy session by the codebase's naming."""
    return re.search(r"(^|\.)_?session$", receiver) is not None


class _Scanner(ast.NodeVisitor):
    def __init__(self, path: str, models: dict[str, str], tables: set[str], docstrings: set[int]) -> None:
        self.path = path
        self.models = models  # local name -> table
        self.tables = tables
        self.docstrings = docstrings
        self.writes: list[Write] = []
        self.scopes: list[dict[str, str]] = [{}]  # variable -> table, per function

    def _class_table(self, node: ast.expr | None) -> str | None:
        """The table of a model class named by `node` (`Model`, `models.Model`)."""
        if isinstance(node, ast.Name):
            return self.models.get(node.id)
        if isinstance(node, ast.Attribute):
            return self.models.get(node.attr)
        return None

    def _row_table(self, node: ast.expr) -> str | None:
        """The table of a row object: `Model(...)`, or a variable annotated or assigned as one."""
        if isinstance(node, ast.Call):
            return self._class_table(node.func)
        if isinstance(node, ast.Name):
            return self.scopes[-1].get(node.id)
        return None

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        scope: dict[str, str] = {}
        for arg in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]:
            annotation = arg.annotation
            if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
                annotation = ast.parse(annotation.value, mode="eval").body
            table = self._class_table(annotation)
            if table:
                scope[arg.arg] = table
        for child in ast.walk(node):
            if isinstance(child, ast.Assign) and isinstance(child.value, ast.Call):
                table = self._class_table(child.value.func)
                for target in child.targets:
                    if table and isinstance(target, ast.Name):
                        scope[target.id] = table
        self.scopes.append(scope)
        self.generic_visit(node)
        self.scopes.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Call(self, node: ast.Call) -> None:
        name, receiver = _callee(node), _receiver(node)
        if name and name.lstrip("_") in WRITE_CALLS:
            target = node.args[0] if node.args else None
            table = self._class_table(target)
            if table is None and isinstance(node.func, ast.Attribute):
                owner = node.func.value  # Model.__table__.insert()
                if isinstance(owner, ast.Attribute) and owner.attr == "__table__":
                    target, table = owner.value, self._class_table(owner.value)
            if table is not None:
                self._add(node, table, f"{name}({ast.unparse(target) if target else ''})")
            elif name == "delete" and _is_session(receiver):
                self._add(node, None, f"{receiver}.delete(...)")
        elif name in ADD_CALLS and _is_session(receiver) and node.args:
            arg = node.args[0]
            for item in arg.elts if isinstance(arg, ast.List | ast.Tuple) else [arg]:
                self._add(node, self._row_table(item), f"{receiver}.{name}(...)")
        elif name == "flush" and _is_session(receiver):
            self._add(node, None, f"{receiver}.flush()")
        self.generic_visit(node)

    def _add(self, node: ast.expr, table: str | None, how: str) -> None:
        self.writes.append(Write(self.path, node.lineno, table, how))

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and id(node) not in self.docstrings:
            for match in SQL_WRITE.finditer(node.value):
                table = match.group(2).lower()
                if table in self.tables:
                    verb = " ".join(match.group(1).upper().split())
                    self._add(node, table, f"SQL {verb} {table}")


def _imported_models(tree: ast.Module, classes: dict[str, str]) -> dict[str, str]:
    """Local names bound to model classes: `from app.x.models import Model [as Alias]`."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app."):
            for alias in node.names:
                if alias.name in classes:
                    names[alias.asname or alias.name] = classes[alias.name]
        elif isinstance(node, ast.ClassDef) and node.name in classes:
            names[node.name] = classes[node.name]
    return names


def scan(root: Path = APP) -> list[Write]:
    classes = model_tables()
    tables = set(table_owners())
    writes: list[Write] = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.split("/")[0] in SKIPPED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        scanner = _Scanner(relative, _imported_models(tree, classes), tables, _docstrings(tree))
        scanner.visit(tree)
        writes.extend(scanner.writes)
    return writes


def _allowed(write: Write) -> bool:
    return (write.path, write.table or "?") in EXCEPTIONS or (write.path, "*") in EXCEPTIONS


def test_every_table_has_an_owning_domain() -> None:
    owners = table_owners()
    assert set(owners) == set(Base.metadata.tables), "a table without a mapped model has no owner"
    for table, domain in owners.items():
        assert (APP / domain / "models.py").exists(), (table, domain)
    assert {t: owners[t] for t in ("sync_state", "jobs", "orders", "ads_profiles", "app_secrets")} == {
        "sync_state": "sync",
        "jobs": "sync",
        "orders": "orders",
        "ads_profiles": "connections",  # an Ads connection's profiles are part of the connection
        "app_secrets": "tokens",
    }


def test_a_foreign_write_is_caught(tmp_path: Path) -> None:
    """What the checks below would say about a module that writes other domains' tables."""
    (tmp_path / "tokens").mkdir()
    (tmp_path / "tokens" / "repository.py").write_text(
        "from sqlalchemy import update\n"
        "from app.audit.models import AuditLog\n"
        "from app.connections.models import Connection\n"
        "async def mark(session, connection_id):\n"
        '    """UPDATE connections in a docstring is not a write."""\n'
        "    await session.execute(update(Connection).values(status='needs_reauth'))\n"
        "    session.add(AuditLog(action='x'))\n"
        "    await session.execute(text('DELETE FROM sync_state WHERE id = :id'))\n"
    )
    (tmp_path / "tokens" / "service.py").write_text(
        "from app.tokens.models import Token\nasync def keep(session, row: Token):\n    session.add(row)\n"
    )
    found = {(w.path, w.table, w.in_repository) for w in scan(tmp_path)}
    assert found == {
        ("tokens/repository.py", "connections", True),
        ("tokens/repository.py", "audit_logs", True),
        ("tokens/repository.py", "sync_state", True),
        ("tokens/service.py", "tokens", False),
    }


def test_the_scanner_sees_the_kinds_of_write() -> None:
    """The scan finds what it claims to find (so a pass below means something)."""
    writes = scan()
    hows = {w.how.split("(")[0].split(" ")[0] for w in writes}
    assert {"insert", "update", "delete", "SQL"} <= hows, hows
    assert any(w.how.endswith(".add(...)") for w in writes)
    found = {(w.path, w.table) for w in writes}
    assert ("orders/repository.py", "orders") in found  # raw SQL INSERT
    assert ("sync/repository.py", "sync_state") in found


def test_each_table_is_written_only_by_its_own_domain() -> None:
    owners = table_owners()
    foreign = [
        f"{w.path}:{w.line} writes {w.table} ({w.how}): {w.table} belongs to {owners[w.table]}, "
        f"the module to {w.domain}"
        for w in scan()
        if w.table is not None and owners[w.table] != w.domain and not _allowed(w)
    ]
    assert not foreign, "\n".join(foreign)


def test_writes_happen_in_repositories() -> None:
    outside = [
        f"{w.path}:{w.line} writes {w.table or 'a table'} ({w.how}) outside a repository module"
        for w in scan()
        if not w.in_repository and not _allowed(w)
    ]
    assert not outside, "\n".join(outside)
