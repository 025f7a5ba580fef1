"""One run of one `sync_state` row, for whichever dataset the row is: the delta when it is due, then
one step of the backfill.

Transactions: the caller hands a `UnitOfWork` factory (the task layer's); a run opens one unit per
page (or per document batch) and never commits by itself. What a crash at any point leaves behind:
  * a page upserted and committed, with the cursor (`extra.delta.next_token` /
    `extra.backfill.next_token`) in the same transaction: the resumed run asks for the next page;
  * a crash before a commit: the page (or the document) is read again and upserted again, which
    changes nothing the second time (datasets upsert idempotently);
  * the watermark (`last_updated_after`, `backfill_done_until`) moves only in the transaction that
    closes the window, after every page of it committed.

Backfill windows are read through the dataset's document when it has one (an order report: a whole
window in one file, no per-order call), asked for through `app.documents` and up to
`documents_ahead` windows ahead, so Amazon makes them while this one loads (`app.sync.run_documents`
says what happens when a document cannot serve its window). A delta is read by pages, or, for a
dataset whose `delta_by` is "document" (Ads reports), through its document like a backfill window:
its cursor in `extra.delta`, the run parked while Amazon makes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.amazon_http.errors import AmazonError
from app.sync import planner
from app.sync.dataset import Dataset, Scope, backfill_costs_of
from app.sync.models import SyncState
from app.sync.observe import current_stats
from app.sync.repository import DueRow, SyncRepository
from app.sync.run_backfill import PlannedBackfillSteps
from app.sync.run_base import Outcome, Stop, iso, log, parse_time, utcnow

__all__ = ["Outcome", "SyncRun", "delta_due", "delta_is_due", "describe_error", "utcnow"]


def delta_due(extra: dict[str, Any], interval: timedelta, now: datetime) -> datetime:
    return planner.delta_due_at(
        parse_time(extra.get("last_delta_at")), interval, now, parse_time(extra.get("next_delta_at"))
    )


def delta_is_due(state: SyncState | DueRow, interval: timedelta, now: datetime) -> bool:
    extra = state.extra or {}
    if extra.get("force_delta") or extra.get("delta"):
        return True
    if state.last_updated_after is None:
        return False
    return delta_due(extra, interval, now) <= now


class SyncRun(PlannedBackfillSteps):
    """One run of one sync_state row, by the holder of its claim."""

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
            dataset = self.datasets(state.entity)
            self._scope = await dataset.describe_scope(
                session, Scope(state.tenant_id, state.connection_id, state.marketplace_id)
            )
            if state.backfill_from is None or state.backfill_to is None:
                window = dataset.backfill_range(self.scope, now)
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
        client = await self.clients(dataset.provider, str(state.connection_id))
        interval = dataset.delta_every(self.settings)
        try:
            delta_poll = await self._delta(dataset, client) if delta_is_due(state, interval, now) else None
            poll = await self._backfill_step(dataset, client)
        except Stop as stop:
            return Outcome("throttled", utcnow() + timedelta(seconds=stop.delay_s), stop.delay_s)
        now = utcnow()
        polls = [p for p in (delta_poll, poll) if p is not None]
        if polls:
            # A document being made: come back when it may be done (parked like a throttled run).
            return Outcome("throttled", now + timedelta(seconds=min(polls)), min(polls))
        if state.backfill_completed_at is None:
            return Outcome("done", now)
        return Outcome("done", delta_due(self.extra, interval, now))

    # -- delta --------------------------------------------------------------------------------

    async def _delta(self, dataset: Dataset[Any, Any], client: Any) -> float | None:
        """The due delta; returns a poll delay while its document is being made."""
        assert self.state is not None
        state = self.state
        now = utcnow()
        interval = dataset.delta_every(self.settings)
        cursor = self.extra.get("delta")
        if cursor is None:
            slot = planner.next_delta_slot(delta_due(self.extra, interval, now), interval, now)
            watermark = state.last_updated_after or (state.backfill_to or now)
            window = dataset.delta_window(self.scope, watermark, now)
            if (
                window is not None
                and "last_delta_at" in self.extra
                and not self.extra.get("force_delta")
                and planner.only_overlap(window, watermark)
            ):
                # A delta due again within a second of the last one (its slot kept the cadence after
                # that one started late) would only read its overlap again: a searchOrders call for
                # nothing, on the quota the backfill's pages share. The slot moves on instead. The
                # onboarding's first delta, and one a user asks for, still go.
                window = None
            if window is None:
                self.extra["last_delta_at"] = iso(now)
                self.extra["next_delta_at"] = iso(slot)
                self.extra.pop("force_delta", None)
                await self._save()
                return None
            window_cursor: dict[str, Any] = {
                "after": iso(window.start),
                "before": iso(window.end),
                "next_token": None,
                "next_slot": iso(slot),
            }
            payload: dict[str, Any] = {}
            if dataset.delta_by == "document":
                window_cursor.update(path="report", document=None)
                payload["path"] = "report"
            await self._open_window(dataset, client, "delta", window, window_cursor, **payload)
            cursor = self.extra["delta"]
        job_id = self._window_job(cursor)
        after, before = parse_time(cursor["after"]), parse_time(cursor["before"])
        assert after is not None and before is not None
        next_slot = cursor.get("next_slot")

        async def close_window(repo: SyncRepository) -> None:
            finished = utcnow()
            self.extra.pop("delta", None)
            self.extra.pop("force_delta", None)
            self.extra["last_delta_at"] = iso(finished)
            # Cursors written before slots existed have none: one interval from now, as before.
            self.extra["next_delta_at"] = next_slot or iso(finished + interval)
            # The watermark moves in the transaction that closes the window, after every page.
            await repo.save_progress(self.state_id, self.claim, extra=self.extra, last_updated_after=before)
            result = {"path": cursor["path"]} if "path" in cursor else None
            await repo.finish_job(job_id, now=finished, result=result)

        window = planner.Window(after, before)
        if cursor.get("path") == "report":
            source = dataset.document_source(client, self.scope)
            assert source is not None, f"{dataset.name} reads its delta by document but has no source"
            poll = await self._document_step(dataset, source, cursor, job_id, window, "delta")
            if poll is not None:
                return poll
        if cursor.get("path", "api") != "api" or not await self._pages(
            dataset, client, "delta", window, "delta", job_id, on_last_page=close_window
        ):
            async with self.uow() as session:
                repo = SyncRepository(session)
                await self._flush_stats(repo, job_id)
                await close_window(repo)
        state.last_updated_after = before
        log.info("sync.delta_done", state_id=str(self.state_id), entity=dataset.name)
        self._window_closed()
        return None

    # -- backfill -----------------------------------------------------------------------------

    async def _backfill_step(self, dataset: Dataset[Any, Any], client: Any) -> float | None:
        """One step of the backfill; returns a poll delay while the window's document is made."""
        assert self.state is not None
        state = self.state
        if state.backfill_completed_at is not None:
            return None
        assert state.backfill_from is not None and state.backfill_to is not None
        now = utcnow()
        source = dataset.document_source(client, self.scope)
        cursor = self.extra.get("backfill")
        costs_of = backfill_costs_of(dataset)
        planned = self.settings.sync.sync_backfill_paths == "planned"
        if (
            costs_of is not None
            and source is not None
            and ("plan" in self.extra or (planned and cursor is None))
        ):
            # Both paths at once, on a plan (a window begun before plans existed ends first).
            return await self._planned_backfill_step(dataset, client, source, costs_of)
        if cursor is None:
            window = planner.next_backfill_window(
                state.backfill_from, state.backfill_to, state.backfill_done_until, dataset.window
            )
            if window is None:
                async with self.uow() as session:
                    await SyncRepository(session).save_progress(
                        self.state_id, self.claim, backfill_completed_at=now
                    )
                state.backfill_completed_at = now
                return None
            path = "api" if source is None or self.extra.get("reports") == "unavailable" else "report"
            # Requests ahead were kept here before they became `amazon_documents` rows.
            self.extra.pop("ahead", None)
            window_cursor = {
                "start": iso(window.start),
                "end": iso(window.end),
                "path": path,
                "document": None,
                "next_token": None,
            }
            await self._open_window(dataset, client, "backfill", window, window_cursor, path=path)
            cursor = self.extra["backfill"]
        job_id = self._window_job(cursor)
        start, end = parse_time(cursor["start"]), parse_time(cursor["end"])
        assert start is not None and end is not None
        window = planner.Window(start, end)
        if cursor["path"] == "report" and source is not None:
            poll = await self._document_step(dataset, source, cursor, job_id, window, "backfill")
            if poll is not None:
                return poll
        if cursor["path"] == "api":
            await self._pages(dataset, client, "backfill", window, "backfill", job_id)
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
            await repo.finish_job(job_id, now=finished, result={"path": cursor["path"]})
        state.backfill_done_until = end
        if complete:
            state.backfill_completed_at = finished
        log.info("sync.backfill_window_done", state_id=str(self.state_id), path=cursor["path"])
        self._window_closed()
        return None


def describe_error(exc: BaseException) -> str:
    if isinstance(exc, AmazonError):
        return f"{type(exc).__name__}: {exc.code or exc.status} (request id {exc.request_id})"
    return f"{type(exc).__name__}"
