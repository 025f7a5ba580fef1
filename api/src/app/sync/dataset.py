"""The seam between the sync engine and what it syncs: the `Dataset` protocol and its registry.

The engine (this package) keeps what every dataset shares: claims and fairness, the run lock,
`sync_state` rows with their cursors and watermarks, `jobs` rows with their counters and Amazon
request ids, the planner, progress, parking on throttling. A dataset says only what is its own, in
the shape of a stream with slices (Airbyte's CDK) or an incremental resource (dlt):

  * what a scope is beyond its ids (`describe_scope`: an Ads profile's time zone);
  * which history to backfill and in which window size (`backfill_range`, `window`);
  * how often its delta runs and what it asks for (`delta_every`, `delta_window`), by pages or as a
    document like a backfill window (`delta_by`);
  * how to read one window page by page (`pages`: the Orders API's `searchOrders`), and, when Amazon
    can make a document of a whole window, which document to ask for (`document_request`) and how to
    turn its rows into batches (`document_batches`): the engine asks for it through the
    asynchronous-document component (`app.documents`), ahead of time when `documents_ahead` > 0;
  * whether a window whose document cannot be had is read by pages instead (`pages_fallback`);
    without that fallback a failed document is asked for again, later and later;
  * optionally, the quotas of its two paths (`PlannedBackfill.backfill_costs`): the engine then
    plans which windows go by document and which by pages, and runs both at once;
  * how to write a batch idempotently and what it counted (`upsert` -> `Counts`);
  * how many rows it keeps per connection and marketplace (the status page's "so far").

The engine never imports a dataset: datasets register themselves (`register`) when their module is
imported, which every entry point does through the actor registry (`app.tasks`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Literal, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.jobs import AsyncDocumentSource
from app.documents.service import DocumentRequest
from app.settings import Settings
from app.sync.backfill_plan import BackfillCosts
from app.sync.planner import Window

ClientT = TypeVar("ClientT", contravariant=True)
BatchT = TypeVar("BatchT")
WindowKind = Literal["delta", "backfill"]
DeltaBy = Literal["pages", "document"]


@dataclass(frozen=True)
class Scope:
    """Where a run reads and writes: one connection's marketplace (or Ads profile), of one tenant,
    and the time zone its days are counted in (an Ads profile's; UTC for marketplaces)."""

    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    marketplace_id: str
    timezone: str = "UTC"


@dataclass(frozen=True)
class Counts:
    """What one upsert did: rows seen, inserted, updated, unchanged, and child rows written (e.g. an
    order's item lines). Re-running a window counts everything as unchanged."""

    seen: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    children: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.seen + other.seen,
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.children + other.children,
        )


@dataclass
class Page(Generic[BatchT]):
    """One page of a window: the batch to upsert and the token of the next page (None: last)."""

    batch: BatchT
    next_token: str | None


# Opens the window's document for reading (again, when a dataset needs a second pass): its rows as
# the dataset's `document_source` yields them.
OpenRows = Callable[[], AsyncIterator[Any]]


class Dataset(Protocol[ClientT, BatchT]):
    """One kind of Amazon data kept in step per connection x marketplace (`sync_state.entity`)."""

    name: str  # `sync_state.entity` and `jobs.entity`
    label: str  # what the status page calls it ("Orders", "Ads: advertised products")
    provider: str  # the connections it runs for: "amazon_sp" or "amazon_ads"
    window: timedelta  # the size of a backfill window
    documents_ahead: int  # backfill documents asked for ahead of the window being loaded
    # Batches of a document written at once, each in its own transaction: more than 1 only when
    # batches share no row (no running totals), so that PostgreSQL works on two at a time.
    batches_at_once: int
    delta_by: DeltaBy  # the delta's window read by pages, or as one document (like a backfill window)
    # A window whose document Amazon cancels or fails is read by pages instead (True), or, for a
    # dataset Amazon serves as documents only, cancelled means "no rows" and a failed document is
    # asked for again after a growing delay (False).
    pages_fallback: bool

    async def describe_scope(self, session: AsyncSession, scope: Scope) -> Scope:
        """The scope a run works in, completed with what the dataset knows of it (a time zone)."""
        ...

    def backfill_range(self, scope: Scope, now: datetime) -> Window:
        """The history a new row backfills (empty when the dataset has no backfill)."""
        ...

    def delta_every(self, settings: Settings) -> timedelta:
        """How often a row's delta runs."""
        ...

    def delta_window(self, scope: Scope, watermark: datetime, now: datetime) -> Window | None:
        """What the delta due at `now` reads, from the row's watermark; None: nothing to ask yet."""
        ...

    def pages(
        self, client: ClientT, scope: Scope, kind: WindowKind, window: Window, page_token: str | None
    ) -> AsyncIterator[Page[BatchT]]:
        """Every page of the window from `page_token` (None: the first). Delta windows are by last
        update, backfill windows by creation. Raises `InvalidInput` for a token Amazon no longer
        takes (the engine reads the window again from its first page)."""
        ...

    def document_source(self, client: ClientT, scope: Scope) -> AsyncDocumentSource[Any] | None:
        """Where the scope's whole-window documents come from, or None when the dataset has no
        document path."""
        ...

    def document_request(self, scope: Scope, window: Window) -> DocumentRequest[Any]:
        """The document of one window (a backfill window, or the delta's when `delta_by` is "document")."""
        ...

    def document_batches(self, scope: Scope, open_rows: OpenRows) -> AsyncIterator[BatchT]:
        """The document's rows as batches to upsert, in bounded memory."""
        ...

    async def upsert(self, session: AsyncSession, batch: BatchT) -> Counts:
        """Write a batch idempotently in the caller's transaction."""
        ...

    def job_payload(self, client: ClientT) -> dict[str, Any]:
        """What a job row records about how its window was read (e.g. the API version)."""
        ...

    async def stored_rows(
        self, session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID | None
    ) -> dict[tuple[uuid.UUID, str], int]:
        """Rows kept per (connection, marketplace), for the status page."""
        ...


class PlannedBackfill(Protocol[ClientT]):
    """What a dataset that can fill a backfill window both ways (a document, or pages) adds: the
    quotas of each path as this seller's buckets stand now. The engine then plans which windows go
    which way (`app.sync.backfill_plan`) and runs both paths at once (`app.sync.run_backfill`);
    a dataset without it walks its windows one after the other."""

    async def backfill_costs(self, client: ClientT, scope: Scope) -> BackfillCosts | None:
        """The paths' quotas (None: plan nothing, walk the windows in order)."""
        ...


CostsOf = Callable[[Any, Scope], Awaitable[BackfillCosts | None]]


def backfill_costs_of(dataset: Dataset[Any, Any]) -> CostsOf | None:
    """The dataset's `PlannedBackfill.backfill_costs`, when it has one."""
    costs = getattr(dataset, "backfill_costs", None)
    return costs if callable(costs) else None


ClientFactory = Callable[[str, str], Awaitable[Any]]
"""(provider, connection id) -> the Amazon client a run uses (workers: one that never waits)."""

_DATASETS: dict[str, Dataset[Any, Any]] = {}


def register(dataset: Dataset[Any, Any]) -> Dataset[Any, Any]:
    """Make a dataset known to the engine (idempotent for the same name and object)."""
    known = _DATASETS.get(dataset.name)
    if known is not None and known is not dataset:
        raise ValueError(f"dataset {dataset.name!r} is registered twice")
    _DATASETS[dataset.name] = dataset
    return dataset


def get(name: str) -> Dataset[Any, Any]:
    try:
        return _DATASETS[name]
    except KeyError:
        raise LookupError(f"no dataset {name!r} is registered (was app.tasks imported?)") from None


def registered() -> Iterator[Dataset[Any, Any]]:
    return iter(list(_DATASETS.values()))


def rank(name: str) -> int:
    """Where dataset `name` comes among those registered: the order the panel lists the rows of one
    marketplace or profile in (an Ads profile's campaigns, then its metrics)."""
    return list(_DATASETS).index(name)
