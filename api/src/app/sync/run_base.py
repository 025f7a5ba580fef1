"""What every step of a sync run shares (`app.sync.run.SyncRun` is built on it): the run's row and
cursors, its units of work, the Amazon calls counted on the window's job row, and parking on
throttling.

Transactions: the caller hands a `UnitOfWork` factory (the task layer's); a run opens one unit per
page (or per document batch) and never commits by itself.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.errors import InvalidInput, ServerError, Throttled, TransportError
from app.settings import Settings
from app.sync import planner
from app.sync.dataset import ClientFactory, Dataset, Page, Scope, WindowKind
from app.sync.models import SyncState
from app.sync.observe import CallStats
from app.sync.repository import SyncRepository
from app.tokens.errors import TokenServiceUnavailable

log = structlog.get_logger("app.sync")

UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncSession]]
Heartbeat = Callable[[], Awaitable[None]]


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


@dataclass
class Outcome:
    kind: Literal["done", "throttled", "error", "stale", "reauth"]
    next_run_at: datetime
    delay_s: float = 0.0
    error: str | None = None


class Stop(Exception):
    """A step was throttled; progress so far is committed."""

    def __init__(self, delay_s: float) -> None:
        super().__init__(f"throttled for {delay_s:.2f}s")
        self.delay_s = delay_s


class RunContext:
    """One run of one sync_state row, by the holder of its claim: its state and shared helpers."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        clients: ClientFactory,
        datasets: Callable[[str], Dataset[Any, Any]],
        settings: Settings,
        state_id: uuid.UUID,
        claim: str,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self.uow = uow
        self.clients = clients
        self.datasets = datasets
        self.settings = settings
        self.state_id = state_id
        self.claim = claim
        self.heartbeat = heartbeat
        self.stats = CallStats()
        self.state: SyncState | None = None
        self.extra: dict[str, Any] = {}
        self._scope: Scope | None = None
        # Rows upserted per window job in this run (a planned backfill learns the seller's size).
        self.rows_seen: dict[uuid.UUID, int] = {}
        # The windows whose documents are kept in flight ahead, in the order to ask (a planned
        # backfill: its documents lane's next windows, newest first); None: the dataset's
        # `documents_ahead` windows after the one loading.
        self.ahead_plan: list[planner.Window] | None = None
        # How long Amazon takes to make a document here, when known (a planned backfill's plan): the
        # status check comes when it should be made (`planner.document_poll_delay`).
        self.expected_processing_s: float | None = None

    @property
    def scope(self) -> Scope:
        assert self._scope is not None
        return self._scope

    async def _beat(self) -> None:
        if self.heartbeat is not None:
            await self.heartbeat()

    @staticmethod
    def _window_job(cursor: dict[str, Any]) -> uuid.UUID:
        """The open window's job row (`jobs.id`, as the sync status API lists it): every line logged while
        the window runs carries it, until `_window_closed`."""
        job_id = uuid.UUID(cursor["job_id"])
        structlog.contextvars.bind_contextvars(job_id=str(job_id))
        return job_id

    @staticmethod
    def _window_closed() -> None:
        structlog.contextvars.unbind_contextvars("job_id")

    async def _flush_stats(self, repo: SyncRepository, job_id: uuid.UUID, **counters: Any) -> None:
        counts = counters.get("counts")
        if counts is not None:
            self.rows_seen[job_id] = self.rows_seen.get(job_id, 0) + counts.seen
        calls = self.stats.take()
        await repo.add_to_job(
            job_id,
            throttled_429=calls.throttled,
            retries=calls.retries,
            request_ids=calls.request_ids,
            **counters,
        )

    async def _save(self, job_id: uuid.UUID | None = None, **counters: Any) -> None:
        """Commit the run's `extra` (and the calls counted so far on the job)."""
        async with self.uow() as session:
            repo = SyncRepository(session)
            if job_id is not None:
                await self._flush_stats(repo, job_id, **counters)
            await repo.save_progress(self.state_id, self.claim, extra=self.extra)

    async def _guard(self, job_id: uuid.UUID, call: Callable[[], Awaitable[Any]]) -> Any:
        """Run an Amazon step; on throttling (or a retryable failure handed back) record the counts
        and stop the run so the worker reschedules it."""
        try:
            return await call()
        except (Throttled, ServerError, TransportError, TokenServiceUnavailable) as exc:
            # LWA throttling or failing is as passing as Amazon's: parked, not failed (a failure
            # backs off exponentially, and a storm of them would stall the row for minutes).
            delay = planner.throttle_delay(exc.retry_after)
            async with self.uow() as session:
                await self._flush_stats(SyncRepository(session), job_id)
            log.info(
                "sync.parked",
                state_id=str(self.state_id),
                error=type(exc).__name__,
                delay_s=round(delay, 3),
                amzn_request_id=exc.request_id,
            )
            raise Stop(delay) from None

    async def _open_window(
        self,
        dataset: Dataset[Any, Any],
        client: Any,
        kind: WindowKind,
        window: planner.Window,
        cursor: dict[str, Any],
        cursor_key: str | None = None,
        **payload: Any,
    ) -> uuid.UUID:
        """The window's job row and its cursor in `extra[cursor_key or kind]`, in one transaction."""
        assert self.state is not None
        async with self.uow() as session:
            repo = SyncRepository(session)
            job_id = await repo.create_job(
                tenant_id=self.state.tenant_id,
                connection_id=self.state.connection_id,
                entity=dataset.name,
                kind=kind,
                marketplace_id=self.state.marketplace_id,
                window_start=window.start,
                window_end=window.end,
                payload={**payload, **dataset.job_payload(client)},
                now=utcnow(),
            )
            self.extra[cursor_key or kind] = {**cursor, "job_id": str(job_id)}
            await repo.save_progress(self.state_id, self.claim, extra=self.extra)
        return job_id

    async def _pages(
        self,
        dataset: Dataset[Any, Any],
        client: Any,
        kind: WindowKind,
        window: planner.Window,
        cursor_key: str,
        job_id: uuid.UUID,
        on_last_page: Callable[[SyncRepository], Awaitable[None]] | None = None,
    ) -> bool:
        """Every page of the window from the saved cursor; each page committed with the next cursor.

        `on_last_page` closes the window in the last page's transaction instead of the cursor
        write (one transaction less per run); returns whether it ran."""
        cursor: dict[str, Any] = self.extra[cursor_key]
        token: str | None = cursor.get("next_token")
        pages: AsyncIterator[Page[Any]] = dataset.pages(client, self.scope, kind, window, token)
        first = True

        async def fetch_one() -> Page[Any] | None:
            return await anext(pages, None)

        while True:
            try:
                page = await self._guard(job_id, fetch_one)
            except InvalidInput:
                if not first or token is None:
                    raise
                # The saved page token expired: the window is read again from its first page.
                token = cursor["next_token"] = None
                pages = dataset.pages(client, self.scope, kind, window, None)
                continue
            first = False
            if page is None:
                return False
            token = cursor["next_token"] = page.next_token
            async with self.uow() as session:
                counts = await dataset.upsert(session, page.batch)
                cursor["seen"] = int(cursor.get("seen", 0)) + counts.seen
                repo = SyncRepository(session)
                await self._flush_stats(repo, job_id, pages=1, counts=counts)
                if token is None and on_last_page is not None:
                    await on_last_page(repo)
                else:
                    await repo.save_progress(self.state_id, self.claim, extra=self.extra, claimed_at=utcnow())
            await self._beat()
            if token is None:
                return on_last_page is not None
