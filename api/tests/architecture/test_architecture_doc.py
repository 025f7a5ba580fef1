"""docs/architecture.md stays true: every file and folder it names exists, every table of the
schema has its owner in the page's table, and every domain event it lists has the subscribers it
says (placeholders such as `<domain>` in the "adding a dataset" guide are checked up to them)."""

from __future__ import annotations

import re
from pathlib import Path

import app.tasks  # noqa: F401  (every subscriber registered, as in every entry point)
from app.auth.events import AccountEvent
from app.connections.events import ConnectionAuthorized, ConnectionDisconnected
from app.kit.events import subscribers_of
from app.models import Base
from app.notifications.events import OrderChangeNotified, ReportProcessingFinished

ROOT = Path(__file__).resolve().parents[3]
APP = ROOT / "api" / "src" / "app"
DOC = (ROOT / "docs" / "architecture.md").read_text()


def _named_paths() -> list[str]:
    """Backticked names with a folder in them (`sync/run.py`, `web/src/features/`); a bare file name
    (`service.py`) stands for the file of that name in the domain at hand."""
    found = re.findall(r"`([A-Za-z0-9_./<>-]+\.(?:py|tsx|ts|md|toml)|[A-Za-z0-9_./<>-]+/)`", DOC)
    return sorted({name for name in found if "/" in name})


def _exists(name: str) -> bool:
    if "<" in name:
        head = name.split("<", 1)[0]
        return (ROOT / head).exists()
    for base in (ROOT, APP):
        if (base / name).exists():
            return True
    return False


def test_every_path_named_exists() -> None:
    named = _named_paths()
    assert len(named) > 40
    assert [name for name in named if not _exists(name)] == []


def test_every_table_has_its_owner_listed() -> None:
    section = DOC.split("## One owner per table", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`([a-z_]+)`", section))
    assert set(Base.metadata.tables) <= listed


def test_the_events_table_names_their_subscribers() -> None:
    expected = {
        ConnectionAuthorized: {
            "app.sync.lifecycle.start_syncing",
            "app.notifications.tasks.subscribe_authorized_seller",
            "app.reports.tasks.discover_authorized_sellers_settlements",
        },
        ConnectionDisconnected: {"app.sync.lifecycle.stop_syncing"},
        OrderChangeNotified: {"app.orders.tasks.refresh_changed_order"},
        ReportProcessingFinished: {"app.reports.tasks.wake_finished_report"},
        AccountEvent: {"app.audit.subscribers.record_account_event"},
    }
    for event, subscribers in expected.items():
        assert set(subscribers_of(event)) == subscribers
        row = next(line for line in DOC.splitlines() if line.startswith(f"| `{event.__name__}`"))
        for name in subscribers:
            module = name.rsplit(".", 1)[0].removeprefix("app.").replace(".", "/") + ".py"
            assert module in row, (event.__name__, module)
