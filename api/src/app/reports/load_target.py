"""What a row loader is handed: where the rows belong, and how it opens its units of work.

Apart from the catalogue so the loaders (which the catalogue names) can use them without an import
cycle; `app.reports.catalogue` re-exports them.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

# As `app.documents.service.UnitOfWork`: each call opens one transaction, committed on exit.
UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncSession]]
Via = Literal["report", "datakiosk"]


@dataclass(frozen=True)
class LoadTarget:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    report_id: uuid.UUID  # reports.id (ours)
    marketplace_ids: tuple[str, ...]
    data_start: datetime | None
    data_end: datetime | None


class RowLoader(Protocol):
    async def load(self, uow: UnitOfWork, target: LoadTarget, chunks: AsyncIterator[bytes], via: Via) -> int:
        """Parse the stored, decompressed document (the Reports API's format, or Data Kiosk's JSON
        Lines when via == "datakiosk") from `chunks`, upsert its rows idempotently in batches
        (bounded memory: never the whole file), each batch in its own short unit of work from
        `uow()`; return rows loaded."""
        ...
