"""The orders sync: dispatch (claim due rows fairly) and one run of a row (delta, then a backfill step).

Transactions: the caller hands a `UnitOfWork` factory (the task layer's); this module opens one unit
per page and never commits by itself. What a crash at any point leaves behind:
  * page upserted and committed, cursor (`extra.delta.next_token` / `extra.backfill.next_token`)
    committed in the same transaction -> the resumed run continues with the next page;
  * crash before the commit -> the page is fetched again and upserted again (idempotent);
  * the watermark (`last_updated_after`, `backfill_done_until`) moves only in the transaction that
    ends the window, after every page of it committed.

Backfill path per 30-day window: a flat-file order report by order date
(`GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL`: order lines with their items, so no per-order
call), else the Orders API (every page; v0 also getOrderItems per order). The API path is used when
the report ends CANCELLED or FATAL (CANCELLED may mean "no data": the API confirms it with one page)
and when the reports API is not available to the seller. Report lines carry no OrderItemId: they are
matched to API items by `item_line_key` (SellerSKU, then ASIN, with an occurrence suffix), so the
line a report wrote is updated in place when the API sees the order later.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http.errors import (
    AmazonError,
    Forbidden,
    InvalidInput,
    NotFound,
    ServerError,
    Throttled,
    TransportError,
)
from app.orders.mapping import MappedOrders, rows_from_flat_file_report
from app.orders.repository import OrderRepository, UpsertCounts
from app.settings import Settings
from app.spapi.client import SpApiClient
from app.spapi.operations.orders import OrderQuery, OrdersPage
from app.spapi.operations.reports import ReportSpec
from app.sync import planner
from app.sync.models import SyncState
from app.sync.observe import CallStats, current_stats
from app.sync.refresh import map_orders
from app.sync.repository import DueRow, SyncRepository
from app.worker.enqueue import enqueue_job

log = structlog.get_logger("app.sync")

RUN_ACTOR = "sync.run"
REPORT_TYPE = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE_GENERAL"
# Reports requested ahead of the window being loaded (createReport's burst is 15).
REPORTS_AHEAD = 12

UnitOfWork = Callable[[], AbstractAsyncContextManager[AsyncSession]]
ClientFactory = Callable[[str], Awaitable[SpApiClient]]
Heartbeat = Callable[[], Awaitable[None]]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def delta_interval(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.sync.delta_sync_interval_minutes)


def delta_is_due(state: SyncState | DueRow, interval: timedelta, now: datetime) -> bool:
    extra = state.extra or {}
    if extra.get("force_delta") or extra.get("delta"):
        return True
    if state.last_updated_after is None:
        return False
    return delta_due(extra, interval, now) <= now


def delta_due(extra: dict[str, Any], interval: timedelta, now: datetime) -> datetime:
    return planner.delta_due_at(
        _time(extra.get("last_delta_at")), interval, now, _time(extra.get("next_delta_at"))
    )


# -- dispatch -----------------------------------------------------------------------------------


async def dispatch_due(session: AsyncSession, settings: Settings, now: datetime | None = None) -> int:
    """Claim the rows that are due (fairly, within SYNC_MAX_WORKERS) and enqueue one run each.
    The jobs are sent when the caller's unit of work commits."""
    now = now or utcnow()
    repo = SyncRepository(session)
    await repo.lock_dispatch()
    stale_before = now - timedelta(seconds=settings.redis.redis_lock_ttl_sec)
    busy = await repo.busy_connections(stale_before)
    capacity = settings.sync.sync_max_workers - len(busy)
    if capacity <= 0:
        return 0
    rows = await repo.due_rows(now, stale_before, limit=max(64, capacity * 8))
    interval = delta_interval(settings)
    candidates = [
        planner.Candidate(r.id, r.connection_id, r.next_run_at, delta_is_due(r, interval, now)) for r in rows
    ]
    chosen = planner.plan_dispatch(candidates, capacity, frozenset(busy))
    sent = 0
    for candidate in chosen:
        owner = uuid.uuid4().hex
        for state_id, tenant_id in await repo.claim([candidate.state_id], owner, now, stale_before):
            enqueue_job(session, RUN_ACTOR, state_id=str(state_id), tenant_id=str(tenant_id), claim=owner)
            sent += 1
    if sent:
        log.info("sync.dispatched", runs=sent, capacity=capacity, due=len(rows))
    return sent


async def connection_onboarded(session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> int:
    """Give a new connection's rows their backfill range; the next dispatch starts them."""
    now = utcnow()
    window = planner.backfill_range(now)
    return await SyncRepository(session).init_backfill(
        tenant_id, connection_id, window.start, window.end, now
    )


async def request_delta(session: AsyncSession, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> int:
    return await SyncRepository(session).request_delta(tenant_id, connection_id, utcnow())


# -- one run -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    kind: Literal["done", "throttled", "error", "stale", "reauth"]
    next_run_at: datetime
    delay_s: float = 0.0
    error: str | None = None


class _Stop(Exception):
    """Internal: a page step was throttled; progress so far is committed."""

    def __init__(self, delay_s: float) -> None:
        super().__init__(f"throttled for {delay_s:.2f}s")
        self.delay_s = delay_s


class SyncRun:
    """One run of one sync_state row, by the holder of its claim."""

    def __init__(
        self,
        *,
        uow: UnitOfWork,
        clients: ClientFactory,
        settings: Settings,
        state_id: uuid.UUID,
        claim: str,
        heartbeat: Heartbeat | None = None,
    ) -> None:
        self.uow = uow
        self.clients = clients
        self.settings = settings
        self.state_id = state_id
        self.claim = claim
        self.heartbeat = heartbeat
        self.stats = CallStats()
        self.state: SyncState | None = None
        self.extra: dict[str, Any] = {}

    async def execute(self) -> Outcome:
        token = current_stats.set(self.stats)
        try:
            return await self._execute()
        finally:
            current_stats.reset(token)

    async def _execute(self) -> Outcome:
        now = utcnow()
        async with self.uow() as session:
            repo = SyncRepository(session)
            state = await repo.start_run(self.state_id, self.claim, now)
            if state is None:
                return Outcome("stale", now)
            # Detached: what is written below is mirrored on it instead of reading it again.
            session.expunge(state)
            if state.backfill_from is None or state.backfill_to is None:
                window = planner.backfill_range(now)
                values: dict[str, Any] = {
                    "backfill_from": window.start,
                    "backfill_to": window.end,
                    "backfill_started_at": now,
                    "last_updated_after": state.last_updated_after or window.end,
                }
                await repo.save_progress(self.state_id, self.claim, **values)
                for key, value in values.items():
                    setattr(state, key, value)
        self.state = state
        self.extra = dict(state.extra or {})
        client = await self.clients(str(state.connection_id))
        interval = delta_interval(self.settings)
        try:
            if delta_is_due(state, interval, now):
                await self._delta(client)
            poll = await self._backfill_step(client)
        except _Stop as stop:
            return Outcome("throttled", utcnow() + timedelta(seconds=stop.delay_s), stop.delay_s)
        now = utcnow()
        if poll is not None:
            # A report being made: come back when it may be done (parked like a throttled run).
            return Outcome("throttled", now + timedelta(seconds=poll), poll)
        if state.backfill_completed_at is None:
            return Outcome("done", now)
        due = delta_due(self.extra, interval, now)
        return Outcome("done", due)

    # -- helpers ------------------------------------------------------------------------------

    async def _beat(self) -> None:
        if self.heartbeat is not None:
            await self.heartbeat()

    async def _flush_stats(self, repo: SyncRepository, job_id: uuid.UUID, **counters: Any) -> None:
        calls = self.stats.take()
        await repo.add_to_job(
            job_id,
            throttled_429=calls.throttled,
            retries=calls.retries,
            request_ids=calls.request_ids,
            **counters,
        )

    async def _guard(self, job_id: uuid.UUID, call: Callable[[], Awaitable[Any]]) -> Any:
        """Run an Amazon step; on throttling (or a retryable failure handed back) record the counts
        and stop the run so the worker reschedules it."""
        try:
            return await call()
        except (Throttled, ServerError, TransportError) as exc:
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
            raise _Stop(delay) from None

    async def _map_page(self, client: SpApiClient, page: OrdersPage) -> MappedOrders:
        assert self.state is not None
        return await map_orders(client, page.orders, self.state.tenant_id, self.state.connection_id)

    async def _pages(
        self,
        client: SpApiClient,
        query: OrderQuery,
        cursor_key: str,
        job_id: uuid.UUID,
        on_last_page: Callable[[SyncRepository], Awaitable[None]] | None = None,
    ) -> bool:
        """Every page of `query` from the saved cursor; each page committed with the next cursor.

        `on_last_page` closes the window in the last page's transaction instead of the cursor
        write (one transaction less per run); returns whether it ran."""
        cursor: dict[str, Any] = self.extra[cursor_key]
        token: str | None = cursor.get("next_token")
        pages = client.orders.search(query, page_token=token)
        first = True

        async def fetch_one() -> tuple[OrdersPage, MappedOrders] | None:
            page = await anext(pages, None)
            if page is None:
                return None
            return page, await self._map_page(client, page)

        while True:
            try:
                fetched = await self._guard(job_id, fetch_one)
            except InvalidInput:
                if not first or token is None:
                    raise
                # The saved page token expired: the window is read again from its first page.
                token = cursor["next_token"] = None
                pages = client.orders.search(query)
                continue
            first = False
            if fetched is None:
                return False
            page, mapped = fetched
            token = cursor["next_token"] = page.next_token
            async with self.uow() as session:
                written = await OrderRepository(session).upsert(mapped)
                repo = SyncRepository(session)
                await self._flush_stats(
                    repo,
                    job_id,
                    pages=1,
                    orders_seen=len(page.orders),
                    orders_inserted=written.orders.inserted,
                    orders_updated=written.orders.updated,
                    items=written.items.inserted + written.items.updated,
                )
                if token is None and on_last_page is not None:
                    await on_last_page(repo)
                else:
                    await repo.save_progress(self.state_id, self.claim, extra=self.extra, claimed_at=utcnow())
            await self._beat()
            if token is None:
                return on_last_page is not None

    # -- delta --------------------------------------------------------------------------------

    async def _delta(self, client: SpApiClient) -> None:
        assert self.state is not None
        state = self.state
        now = utcnow()
        cursor = self.extra.get("delta")
        if cursor is None:
            interval = delta_interval(self.settings)
            slot = planner.next_delta_slot(delta_due(self.extra, interval, now), interval, now)
            watermark = state.last_updated_after or (state.backfill_to or now)
            window = planner.delta_window(watermark, now)
            if window is None:
                self.extra["last_delta_at"] = _iso(now)
                self.extra["next_delta_at"] = _iso(slot)
                self.extra.pop("force_delta", None)
                async with self.uow() as session:
                    await SyncRepository(session).save_progress(self.state_id, self.claim, extra=self.extra)
                return
            async with self.uow() as session:
                job_id = await SyncRepository(session).create_job(
                    tenant_id=state.tenant_id,
                    connection_id=state.connection_id,
                    kind="delta",
                    marketplace_id=state.marketplace_id,
                    window_start=window.start,
                    window_end=window.end,
                    payload={"orders_api_version": client.orders.version},
                    now=now,
                )
                cursor = {
                    "after": _iso(window.start),
                    "before": _iso(window.end),
                    "next_token": None,
                    "job_id": str(job_id),
                    "next_slot": _iso(slot),
                }
                self.extra["delta"] = cursor
                await SyncRepository(session).save_progress(self.state_id, self.claim, extra=self.extra)
        job_id = uuid.UUID(cursor["job_id"])
        after, before = _time(cursor["after"]), _time(cursor["before"])
        assert after is not None and before is not None
        query = OrderQuery(
            marketplace_ids=[state.marketplace_id], last_updated_after=after, last_updated_before=before
        )
        next_slot = cursor.get("next_slot")

        async def close_window(repo: SyncRepository) -> None:
            finished = utcnow()
            self.extra.pop("delta", None)
            self.extra.pop("force_delta", None)
            self.extra["last_delta_at"] = _iso(finished)
            # Cursors written before slots existed have none: one interval from now, as before.
            self.extra["next_delta_at"] = next_slot or _iso(finished + delta_interval(self.settings))
            # The watermark moves in the transaction that closes the window, after every page.
            await repo.save_progress(self.state_id, self.claim, extra=self.extra, last_updated_after=before)
            await repo.finish_job(job_id, now=finished)

        if not await self._pages(client, query, "delta", job_id, on_last_page=close_window):
            async with self.uow() as session:
                repo = SyncRepository(session)
                await self._flush_stats(repo, job_id)
                await close_window(repo)
        state.last_updated_after = before
        log.info("sync.delta_done", state_id=str(self.state_id), job_id=str(job_id))

    # -- backfill -----------------------------------------------------------------------------

    async def _backfill_step(self, client: SpApiClient) -> float | None:
        """One step of the backfill; returns a poll delay when a report is still being made."""
        assert self.state is not None
        state = self.state
        if state.backfill_completed_at is not None:
            return None
        assert state.backfill_from is not None and state.backfill_to is not None
        now = utcnow()
        cursor = self.extra.get("backfill")
        if cursor is None:
            window = planner.next_backfill_window(
                state.backfill_from, state.backfill_to, state.backfill_done_until, planner.REPORT_WINDOW
            )
            if window is None:
                async with self.uow() as session:
                    await SyncRepository(session).save_progress(
                        self.state_id, self.claim, backfill_completed_at=now
                    )
                state.backfill_completed_at = now
                return None
            path = "api" if self.extra.get("reports") == "unavailable" else "report"
            async with self.uow() as session:
                repo = SyncRepository(session)
                job_id = await repo.create_job(
                    tenant_id=state.tenant_id,
                    connection_id=state.connection_id,
                    kind="backfill",
                    marketplace_id=state.marketplace_id,
                    window_start=window.start,
                    window_end=window.end,
                    payload={"path": path, "orders_api_version": client.orders.version},
                    now=now,
                )
                cursor = {
                    "start": _iso(window.start),
                    "end": _iso(window.end),
                    "path": path,
                    "report_id": None,
                    "next_token": None,
                    "job_id": str(job_id),
                }
                self.extra["backfill"] = cursor
                await repo.save_progress(self.state_id, self.claim, extra=self.extra)
        job_id = uuid.UUID(cursor["job_id"])
        start, end = _time(cursor["start"]), _time(cursor["end"])
        assert start is not None and end is not None
        counts = UpsertCounts()
        if cursor["path"] == "report":
            poll = await self._report_step(client, cursor, job_id, start, end)
            if poll is not None:
                return poll
        if cursor["path"] == "api":
            query = OrderQuery(
                marketplace_ids=[state.marketplace_id], created_after=start, created_before=end
            )
            await self._pages(client, query, "backfill", job_id)
        finished = utcnow()
        self.extra.pop("backfill", None)
        complete = end >= state.backfill_to
        async with self.uow() as session:
            repo = SyncRepository(session)
            await self._flush_stats(repo, job_id)
            values: dict[str, Any] = {"extra": self.extra, "backfill_done_until": end}
            if complete:
                values["backfill_completed_at"] = finished
            await repo.save_progress(self.state_id, self.claim, **values)
            await repo.finish_job(
                job_id, now=finished, result={"path": cursor["path"], "unchanged": counts.unchanged}
            )
        state.backfill_done_until = end
        if complete:
            state.backfill_completed_at = finished
        log.info(
            "sync.backfill_window_done", state_id=str(self.state_id), job_id=str(job_id), path=cursor["path"]
        )
        return None

    async def _request_ahead(self, client: SpApiClient, job_id: uuid.UUID, after: datetime) -> None:
        """Keep up to REPORTS_AHEAD reports of the next windows in flight, so Amazon makes them while
        this window is loaded: the backfill then runs at the createReport / getReportDocument
        rate instead of one report's processing time per window. Best effort: a throttled or
        failed request is simply tried again by a later step."""
        assert self.state is not None
        state = self.state
        assert state.backfill_to is not None
        ahead: list[dict[str, Any]] = self.extra.setdefault("ahead", [])
        known = {a["start"] for a in ahead}
        created: list[str] = []
        for window in planner.split_windows(after, state.backfill_to, planner.REPORT_WINDOW)[:REPORTS_AHEAD]:
            if len(ahead) >= REPORTS_AHEAD:
                break
            if _iso(window.start) in known:
                continue
            spec = ReportSpec(REPORT_TYPE, [state.marketplace_id], window.start, window.end)
            try:
                report_id = await client.reports.submit(spec, reuse=False)
            except AmazonError:
                break
            ahead.append({"start": _iso(window.start), "end": _iso(window.end), "report_id": report_id})
            created.append(report_id)
        if created:
            async with self.uow() as session:
                repo = SyncRepository(session)
                await self._flush_stats(repo, job_id, amazon_ids={"reportsAhead": ",".join(created)})
                await repo.save_progress(self.state_id, self.claim, extra=self.extra)

    async def _report_step(
        self, client: SpApiClient, cursor: dict[str, Any], job_id: uuid.UUID, start: datetime, end: datetime
    ) -> float | None:
        """Create / poll / load the window's order report. Returns a poll delay while it is being
        made; switches the cursor to the API path when the report cannot serve the window."""
        assert self.state is not None
        state = self.state
        spec = ReportSpec(REPORT_TYPE, [state.marketplace_id], start, end)
        ahead: list[dict[str, Any]] = self.extra.setdefault("ahead", [])
        if cursor.get("report_id") is None:
            early = next((a for a in ahead if a["start"] == cursor["start"]), None)
            if early is not None:
                # Requested ahead by an earlier step.
                cursor["report_id"] = early["report_id"]
                ahead.remove(early)
        if cursor.get("report_id") is None:
            try:
                # The first request of a window looks for an identical report still in flight (a
                # crash between createReport and our commit); windows requested ahead do not.
                report_id = await self._guard(job_id, lambda: client.reports.submit(spec))
            except (NotFound, Forbidden) as exc:
                # No Reports API for this seller (or not served): the Orders API does the backfill.
                log.info("sync.reports_unavailable", state_id=str(self.state_id), error=type(exc).__name__)
                self.extra["reports"] = "unavailable"
                cursor["path"] = "api"
                async with self.uow() as session:
                    repo = SyncRepository(session)
                    await self._flush_stats(repo, job_id)
                    await repo.save_progress(self.state_id, self.claim, extra=self.extra)
                return None
            cursor["report_id"] = report_id
            async with self.uow() as session:
                repo = SyncRepository(session)
                await self._flush_stats(repo, job_id, amazon_ids={"reportId": report_id})
                await repo.save_progress(self.state_id, self.claim, extra=self.extra)
        await self._request_ahead(client, job_id, end)
        report_id = str(cursor["report_id"])
        try:
            status = await self._guard(job_id, lambda: client.reports.status(report_id))
        except NotFound:
            # The report is gone (Amazon keeps reports for a while only; a restarted emulator
            # forgets them): ask for the window again instead of failing on it forever.
            log.info("sync.report_gone", state_id=str(self.state_id), report_id=report_id)
            cursor["report_id"] = None
            async with self.uow() as session:
                await SyncRepository(session).save_progress(self.state_id, self.claim, extra=self.extra)
            return 0.0
        if status.state == "pending":
            created = status.created_at or utcnow()
            age = (utcnow() - (created if created.tzinfo else created.replace(tzinfo=UTC))).total_seconds()
            return planner.report_poll_delay(age)
        if status.state != "done" or status.document_id is None:
            # CANCELLED ("no data" or refused) and FATAL: the API path reads the window instead.
            cursor["path"] = "api"
            async with self.uow() as session:
                repo = SyncRepository(session)
                await self._flush_stats(repo, job_id, amazon_ids={"reportStatus": status.processing_status})
                await repo.save_progress(self.state_id, self.claim, extra=self.extra)
            return None

        async def load() -> list[dict[str, Any]]:
            return [row async for row in client.reports.rows(status)]

        rows = await self._guard(job_id, load)
        mapped = rows_from_flat_file_report(
            [{str(k): str(v) for k, v in r.items()} for r in rows],
            state.tenant_id,
            state.connection_id,
            marketplace_id=state.marketplace_id,
        )
        async with self.uow() as session:
            written = await OrderRepository(session).upsert(mapped)
            await self._flush_stats(
                SyncRepository(session),
                job_id,
                pages=1,
                orders_seen=len(mapped.orders),
                orders_inserted=written.orders.inserted,
                orders_updated=written.orders.updated,
                items=written.items.inserted + written.items.updated,
                amazon_ids={"reportDocumentId": status.document_id},
            )
        return None


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, AmazonError):
        return f"{type(exc).__name__}: {exc.code or exc.status} (request id {exc.request_id})"
    return f"{type(exc).__name__}"
