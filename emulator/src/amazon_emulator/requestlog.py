"""The request log: one entry per HTTP request, newest last, bounded in size.

Served at ``GET /_emulator/requests``. Never holds tokens or bodies, only which *kind* of token was presented.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class LogEntry:
    time: str
    method: str
    path: str
    query: str
    operation: str | None
    status: int
    token_kind: str  # none | lwa | rdt | grantless | ads | invalid | expired
    request_id: str
    selling_partner_id: str | None
    application_id: str | None
    duration_ms: float
    note: str | None = None  # why an error was answered (never a token or PII)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    def __init__(self, size: int) -> None:
        self._entries: deque[LogEntry] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, entry: LogEntry) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(
        self,
        operation: str | None = None,
        path_prefix: str | None = None,
        status: int | None = None,
        include_admin: bool = False,
        limit: int | None = None,
    ) -> list[LogEntry]:
        """Entries oldest first, filtered; admin calls (``/_emulator``) are left out unless asked for."""
        with self._lock:
            items = list(self._entries)
        out = [
            e
            for e in items
            if (include_admin or not e.path.startswith("/_emulator"))
            and (
                operation is None or e.operation == operation or (e.operation or "").endswith("." + operation)
            )
            and (path_prefix is None or e.path.startswith(path_prefix))
            and (status is None or e.status == status)
        ]
        return out[-limit:] if limit else out

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
