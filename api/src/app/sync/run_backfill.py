"""A planned backfill: windows read by documents and by pages at once, on the plan of
`app.sync.backfill_plan`, for a dataset that declares both paths' quotas
(`app.sync.dataset.PlannedBackfill`).

The row's history is cut into the dataset's windows (the grid, from where the backfill stood when
the plan was made). Two lanes take them, each with its own cursor and job row per window:
  * pages (`extra.backfill_pages`): first the newest window alone (the probe: its count tells the
    seller's size), then the oldest window alone (the size at the other end), then every window
    left to pages from there forward as one range, up to the split; a range (or the probe) that
    meets far more rows than planned is handed to documents (`_pages_overran`);
  * documents (`extra.backfill`, as an unplanned backfill's window): from the newest window
    backward (the probe's neighbour first), one window at a time, the documents of its next windows
    asked for ahead down to the split, as many as the bucket lets go; a probe handed over is read
    before the lane goes on down (`docs_handed`).
Why pages take the oldest windows: `app.sync.backfill_plan`. A window is done in the transaction
that closes it; `backfill_done_until` is the end of the done windows from the oldest on, and the
backfill is complete when every window is done. The two lanes meet exactly at a window's edge
(windows are `[start, end)` of the same grid), so no order is read twice or missed there.

The plan (`extra.plan`) is made again whenever a window closes, for the windows neither lane holds
(from where pages stand to the lowest window whose document was asked for): each window's rows from
the densest done window next to it, the processing time of this seller's documents as seen, the
buckets as they stand.
Its finish (`finish_at`) is the ETA the sync card shows, from the first plan made with the seller's
size known at both ends of the history; `first_finish_at` keeps that first one.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from app.amazon_http.jobs import AsyncDocumentSource
from app.documents.service import AsyncDocuments
from app.sync import planner
from app.sync.backfill_plan import BackfillCosts, InFlight, estimate_margin, plan_backfill
from app.sync.dataset import CostsOf, Dataset
from app.sync.repository import SyncRepository
from app.sync.run_base import Stop, iso, log, parse_time, utcnow
from app.sync.run_documents import DocumentSteps

# The longest the sync card goes without an ETA once a plan is made (see `_replan`).
ETA_AFTER_S = 30.0


def grid(plan: dict[str, Any]) -> list[planner.Window]:
    start, end = parse_time(plan["from"]), parse_time(plan["to"])
    assert start is not None and end is not None
    return planner.split_windows(start, end, timedelta(seconds=float(plan["size_s"])))


# A range being paged counts at most this share of its days until it closes.
PAGED_SHARE_MAX = 0.95


def planned_progress(plan: dict[str, Any], pages_cursor: dict[str, Any] | None = None) -> float:
    """Share of the history done: the windows of either lane that closed, and the part of the range
    pages are reading (`pages_cursor`, `extra.backfill_pages`) that its rows read so far make of
    the rows the plan expects there. The plan costs a range on the denser side, so that part is
    on the low side, and a range counts at most PAGED_SHARE_MAX of its days before it closes (a
    range of many windows is one job and would otherwise show nothing for minutes)."""
    windows = grid(plan)
    total = sum(w.days for w in windows)
    if not total:
        return 0.0
    closed: list[int] = [int(i) for i in plan.get("done", [])]
    done: float = sum(windows[i].days for i in closed)
    per_day = float(plan.get("per_day") or 0.0)
    if pages_cursor is not None and per_day > 0:
        span = range(int(pages_cursor["first"]), int(pages_cursor["last"]) + 1)
        days = sum(windows[i].days for i in span if i not in closed)
        expected = per_day * days
        read = min(PAGED_SHARE_MAX, float(pages_cursor.get("seen", 0)) / expected) if expected else 0.0
        done += read * days
    return min(1.0, done / total)


def documents_floor(plan: dict[str, Any]) -> int:
    """The lowest window the documents lane holds: asked for (`docs_low`) or opened (above
    `docs_next`), its document perhaps still refused by the bucket. Never free for pages."""
    return min(int(plan["docs_low"]), int(plan["docs_next"]) + 1)


def window_rows(known: dict[int, float], windows: list[planner.Window], i: int) -> float:
    """Rows expected in window `i` from the done windows next to it: the denser of the nearest
    done window below and above it, per day. Costing pages on the denser side keeps them inside
    their burst whichever way the seller's orders grow; a window costed too high only goes by
    document, which costs the same whatever it holds."""
    below = max((k for k in known if k < i), default=None)
    above = min((k for k in known if k > i), default=None)
    rates = [known[k] / windows[k].days for k in (below, above) if k is not None and windows[k].days]
    return max(rates, default=0.0) * windows[i].days


def planned_rows(plan: dict[str, Any], windows: list[planner.Window], indices: range) -> float:
    """The rows the plan expects in windows `indices`, as the pages path is costed on them: each
    window's estimate (`window_rows`) with the margin of what is known (`estimate_margin`)."""
    known = {int(i): float(r) for i, r in plan["rows"].items()}
    rows = sum(known[i] if i in known else window_rows(known, windows, i) for i in indices)
    return rows * estimate_margin(sum(known.values()))


def read_past_plan(cursor: dict[str, Any]) -> bool:
    """Whether the range pages are on (`extra.backfill_pages`) has read more rows than the plan gave
    it; the probe, which no plan gave pages, always has."""
    planned = cursor.get("planned_rows")
    return planned is None or int(cursor.get("seen", 0)) > int(planned)


def pages_overran(cursor: dict[str, Any], plan: dict[str, Any], costs: BackfillCosts, delay_s: float) -> bool:
    """Whether the pages path, throttled for `delay_s` on the range `cursor`, gives that range to
    documents: it has read more rows than planned (`read_past_plan`), so how many are left is
    unknown; its next page is further off than a document takes to be made; and past both bursts
    documents read more rows a second than pages (a window per createReport token, against a page
    per searchOrders token: 100 orders every 3 minutes) for windows as dense as this range has
    shown. A seller whose newest days are its quietest (a season that ended, a business that
    shrank) has a probe that makes the first plan think it small."""
    if not read_past_plan(cursor) or costs.documents is None or costs.pages is None:
        return False
    if delay_s <= float(plan.get("processing_s", costs.documents.processing_s)):
        return False
    windows = int(cursor["last"]) - int(cursor["first"]) + 1
    rows = max(int(cursor.get("seen", 0)), int(cursor.get("planned_rows") or 0))
    by_documents = rows / windows * costs.documents.create.rate
    return by_documents > costs.pages.page_size * costs.pages.page.rate


class PlannedBackfillSteps(DocumentSteps):
    async def _planned_backfill_step(
        self, dataset: Dataset[Any, Any], client: Any, source: AsyncDocumentSource[Any], costs_of: CostsOf
    ) -> float | None:
        """One step of each lane; None when a window closed (run again at once), else the delay
        until either lane can go on."""
        assert self.state is not None and self.state.backfill_to is not None
        plan = self.extra.get("plan")
        if plan is not None and "probed" not in plan:
            await self._drop_earlier_plan()
            plan = None
        if plan is None:
            start = self.state.backfill_done_until or self.state.backfill_from
            assert start is not None
            n = len(planner.split_windows(start, self.state.backfill_to, dataset.window))
            plan = self.extra["plan"] = {
                "from": iso(start),
                "to": iso(self.state.backfill_to),
                "size_s": dataset.window.total_seconds(),
                "n": n,
                # Pages take [0, split), documents [split, n - 1); the newest (n - 1) is the probe.
                "split": 0,
                "probed": n <= 1,
                "pages_next": 0,  # the oldest window pages have not taken
                "docs_next": n - 2,  # the next window the documents lane loads (going down)
                "docs_low": n - 1,  # the lowest window whose document was asked for
                "done": [],
                "rows": {},
                "asked_at": {},
            }
        windows = grid(plan)
        delays: list[float] = []
        progressed = False
        # Documents first: the sooner Amazon has the request, the sooner it is made.
        for lane in (self._documents_lane, self._pages_lane):
            try:
                result = await lane(dataset, client, source, costs_of, plan, windows)
            except Stop as stop:
                result = stop.delay_s
                if lane == self._pages_lane:
                    if await self._pages_overran(client, costs_of, plan, stop.delay_s):
                        await self._hand_pages_back(plan, windows)
                        result = None
                    else:
                        plan["pages_retry_at"] = iso(utcnow() + timedelta(seconds=stop.delay_s))
                        await self._save()
            if result is None:
                progressed = True
            elif result > 0:
                delays.append(result)
            if self.state.backfill_completed_at is not None:
                return None
        if progressed or not delays:
            return None
        return min(delays)

    async def _drop_earlier_plan(self) -> None:
        """A plan of the earlier shape (documents from the oldest window, pages from the newest),
        left by a version before this one: its open windows' jobs end `replanned` and a new plan
        starts from where the done windows reach (`backfill_done_until`). Windows done past that
        point are read again; upserts make that harmless."""
        assert self.state is not None
        now = utcnow()
        async with self.uow() as session:
            repo = SyncRepository(session)
            for key in ("backfill", "backfill_pages"):
                cursor = self.extra.pop(key, None)
                if cursor is not None and cursor.get("job_id"):
                    await repo.finish_job(uuid.UUID(cursor["job_id"]), now=now, replanned=True)
            self.extra.pop("plan", None)
            await repo.save_progress(self.state_id, self.claim, extra=self.extra)
        log.info("sync.backfill_plan_dropped", state_id=str(self.state_id))

    # -- lanes ----------------------------------------------------------------------------------

    async def _pages_lane(
        self,
        dataset: Dataset[Any, Any],
        client: Any,
        source: AsyncDocumentSource[Any],
        costs_of: CostsOf,
        plan: dict[str, Any],
        windows: list[planner.Window],
    ) -> float | None:
        """-1.0: nothing to do; a delay: throttled; None: a window closed."""
        if plan.get("pages_over"):
            return -1.0
        retry_at = parse_time(plan.get("pages_retry_at"))
        if retry_at is not None and retry_at > utcnow():
            return (retry_at - utcnow()).total_seconds()
        cursor = self.extra.get("backfill_pages")
        if cursor is None:
            planned: dict[str, Any] = {}
            if not plan["probed"]:
                first = last = len(windows) - 1  # the probe: the newest window alone
                plan["probed"] = True
            else:
                first, last = int(plan["pages_next"]), min(int(plan["split"]), documents_floor(plan)) - 1
                if first > last:
                    return -1.0
                if first == 0:
                    # The oldest window alone first: with the probe it tells the seller's size at
                    # both ends of the history before pages take a range on it (a seller whose
                    # newest days are its quietest would otherwise have pages planned on those).
                    last = 0
                plan["pages_next"] = last + 1
                planned["planned_rows"] = round(planned_rows(plan, windows, range(first, last + 1)))
            window = planner.Window(windows[first].start, windows[last].end)
            await self._open_window(
                dataset,
                client,
                "backfill",
                window,
                {
                    "start": iso(window.start),
                    "end": iso(window.end),
                    "next_token": None,
                    "first": first,
                    "last": last,
                    **planned,
                },
                path="api",
                cursor_key="backfill_pages",
            )
            cursor = self.extra["backfill_pages"]
        job_id = self._window_job(cursor)
        start, end = parse_time(cursor["start"]), parse_time(cursor["end"])
        assert start is not None and end is not None
        await self._pages(dataset, client, "backfill", planner.Window(start, end), "backfill_pages", job_id)
        self.extra.pop("backfill_pages", None)
        indices = list(range(int(cursor["first"]), int(cursor["last"]) + 1))
        await self._close(
            dataset, client, costs_of, plan, windows, indices, int(cursor.get("seen", 0)), job_id, "api"
        )
        return None

    async def _documents_lane(
        self,
        dataset: Dataset[Any, Any],
        client: Any,
        source: AsyncDocumentSource[Any],
        costs_of: CostsOf,
        plan: dict[str, Any],
        windows: list[planner.Window],
    ) -> float | None:
        """-1.0: nothing to do (yet); a delay: the document is being made; None: a window closed."""
        cursor = self.extra.get("backfill")
        if cursor is None:
            if (
                "planned_at" not in plan
                and len(windows) > 1
                and "pages_retry_at" not in plan
                and not plan.get("pages_over")
            ):
                return -1.0  # the seller's size is not known yet: the probe goes first
            handed = plan.get("docs_handed") or []
            if handed:
                # A window pages handed over above where this lane stands (the probe's, the
                # newest): read before going on down.
                index = int(handed[0])
                plan["docs_handed"] = handed[1:]
            else:
                index = int(plan["docs_next"])
                if index < int(plan["split"]) or index < 0:
                    return -1.0
                plan["docs_next"] = index - 1
            window = windows[index]
            path = "api" if self.extra.get("reports") == "unavailable" else "report"
            await self._open_window(
                dataset,
                client,
                "backfill",
                window,
                {
                    "start": iso(window.start),
                    "end": iso(window.end),
                    "path": path,
                    "document": None,
                    "next_token": None,
                    "index": index,
                },
                path=path,
            )
            cursor = self.extra["backfill"]
        job_id = self._window_job(cursor)
        index = int(cursor["index"])
        window = windows[index]
        # Every window planned for documents is asked for ahead, newest first: the bucket, not a
        # fixed number, says how many go now (what it refuses is asked again at the next step,
        # unless a re-plan has given it to pages meanwhile). Those are the lane's next windows, from
        # `docs_next` down (just below `index`, unless `index` was handed over from above).
        split = int(plan["split"])
        self.ahead_plan = [windows[i] for i in range(int(plan["docs_next"]), split - 1, -1)]
        expected = plan.get("processing_s", plan.get("assumed_processing_s"))
        self.expected_processing_s = None if expected is None else float(expected)
        began = time.monotonic()
        if cursor["path"] == "report":
            poll = await self._document_step(dataset, source, cursor, job_id, window, "backfill")
            await self._note_asked(dataset, plan, windows, index, split, cursor)
            if poll is not None:
                return poll
            if cursor["path"] == "report":
                self._observe_document(plan, index, job_id, time.monotonic() - began)
        if cursor["path"] == "api":
            await self._pages(dataset, client, "backfill", window, "backfill", job_id)
        self.extra.pop("backfill", None)
        rows = int(cursor.get("seen", 0)) if cursor["path"] == "api" else self.rows_seen.get(job_id, 0)
        await self._close(dataset, client, costs_of, plan, windows, [index], rows, job_id, cursor["path"])
        return None

    async def _note_asked(
        self,
        dataset: Dataset[Any, Any],
        plan: dict[str, Any],
        windows: list[planner.Window],
        index: int,
        split: int,
        cursor: dict[str, Any],
    ) -> None:
        """Move `docs_low` down over the windows whose documents Amazon now has (asked for from
        `index` down, without a gap), and note when each was asked for. Read from the documents'
        own rows, so a run that died between Amazon's answer and this note still counts it."""
        if not cursor.get("document"):
            return
        low = int(plan["docs_low"])
        below = list(range(index - 1, split - 1, -1))
        if below and below[-1] < low:
            scope = self.scope
            requests = {i: dataset.document_request(scope, windows[i]) for i in below}
            documents = AsyncDocuments(
                self.uow, scope.tenant_id, scope.connection_id, job_id=uuid.UUID(cursor["job_id"])
            )
            known = await documents.in_flight(requests[below[0]].kind, [r.key for r in requests.values()])
            asked = index
            for i in below:
                if requests[i].key not in known:
                    break
                asked = i
        else:
            asked = index
        now = iso(utcnow())
        for i in range(asked, index + 1):
            plan["asked_at"].setdefault(str(i), now)
        if asked < low:
            plan["docs_low"] = asked
            await self._save()

    def _observe_document(self, plan: dict[str, Any], index: int, job_id: uuid.UUID, load_s: float) -> None:
        """What this seller's documents take: Amazon's processing (from the request to the check that
        found it done, the shortest seen) and our load per row."""
        asked = parse_time(plan["asked_at"].get(str(index)))
        if asked is not None:
            made = max(0.0, (utcnow() - asked).total_seconds() - load_s)
            seen = plan.get("processing_s")
            plan["processing_s"] = made if seen is None else min(float(seen), made)
        rows = self.rows_seen.get(job_id, 0)
        if rows > 0:
            plan["s_per_row"] = load_s / rows

    # -- pages that met more rows than planned ---------------------------------------------------

    async def _pages_overran(
        self, client: Any, costs_of: CostsOf, plan: dict[str, Any], delay_s: float
    ) -> bool:
        """`pages_overran` for the range pages are on, throttled for `delay_s`."""
        cursor = self.extra.get("backfill_pages")
        if cursor is None or not read_past_plan(cursor):
            return False
        costs = await costs_of(client, self.scope)
        return costs is not None and pages_overran(cursor, plan, costs, delay_s)

    async def _hand_pages_back(self, plan: dict[str, Any], windows: list[planner.Window]) -> None:
        """The pages path's range goes to documents, and pages take nothing more: its job row ends
        `replanned` (the rows it read stay: every upsert is idempotent, and the newer version wins),
        the documents lane reads its windows after its own, and every plan from now on is
        documents only."""
        cursor = self.extra.pop("backfill_pages")
        first, last = int(cursor["first"]), int(cursor["last"])
        plan.pop("pages_retry_at", None)
        # Documents take every window pages have not closed: the range's, and with the probe's all
        # of them. The probe's window (the newest) is above where the documents lane stands (it
        # starts below the probe, and goes on while pages are throttled): it is read next, then
        # the lane goes on down from where it was (set back to the top, it read its windows again).
        plan["pages_over"] = True
        plan["split"] = plan["pages_next"] = min(first, int(plan["pages_next"]))
        if last > int(plan["docs_next"]):
            plan["docs_handed"] = [*plan.get("docs_handed", []), last]
        job_id = uuid.UUID(cursor["job_id"])
        async with self.uow() as session:
            repo = SyncRepository(session)
            await self._flush_stats(repo, job_id)
            await repo.save_progress(self.state_id, self.claim, extra=self.extra)
            await repo.finish_job(
                job_id, now=utcnow(), result={"path": "api", "handed_to": "report"}, replanned=True
            )
        log.info(
            "sync.backfill_pages_handed_back",
            state_id=str(self.state_id),
            windows=last - first + 1,
            seen=int(cursor.get("seen", 0)),
            planned=cursor.get("planned_rows"),
        )
        self._window_closed()

    # -- closing a window and planning again ----------------------------------------------------

    async def _close(
        self,
        dataset: Dataset[Any, Any],
        client: Any,
        costs_of: CostsOf,
        plan: dict[str, Any],
        windows: list[planner.Window],
        indices: list[int],
        rows: int,
        job_id: uuid.UUID,
        path: str,
    ) -> None:
        assert self.state is not None
        days = sum(windows[i].days for i in indices) or 1.0
        for i in indices:
            plan["rows"][str(i)] = rows * windows[i].days / days
        done = sorted(set(plan["done"]) | set(indices))
        plan["done"] = done
        prefix = 0
        while prefix < len(windows) and prefix in set(done):
            prefix += 1
        done_until = windows[prefix - 1].end if prefix else None
        finished = utcnow()
        complete = len(done) == len(windows)
        if not complete:
            await self._replan(dataset, client, costs_of, plan, windows)
        values: dict[str, Any] = {"extra": self.extra}
        if done_until is not None:
            values["backfill_done_until"] = done_until
        if complete:
            values["backfill_completed_at"] = finished
        async with self.uow() as session:
            repo = SyncRepository(session)
            await self._flush_stats(repo, job_id)
            await repo.save_progress(self.state_id, self.claim, **values)
            await repo.finish_job(job_id, now=finished, result={"path": path})
        if done_until is not None:
            self.state.backfill_done_until = done_until
        if complete:
            self.state.backfill_completed_at = finished
        log.info("sync.backfill_window_done", state_id=str(self.state_id), path=path, windows=len(indices))
        self._window_closed()

    async def _replan(
        self,
        dataset: Dataset[Any, Any],
        client: Any,
        costs_of: CostsOf,
        plan: dict[str, Any],
        windows: list[planner.Window],
    ) -> None:
        """Move the split for the windows neither lane holds yet, and the ETA with it."""
        known = {int(i): float(r) for i, r in plan["rows"].items()}
        if not sum(windows[i].days for i in known):
            return
        costs = await costs_of(client, self.scope)
        if costs is None:
            return
        if costs.documents is not None and plan.get("processing_s") is not None:
            costs = replace(
                costs, documents=replace(costs.documents, processing_s=float(plan["processing_s"]))
            )
        costs = replace(costs, s_per_row=float(plan.get("s_per_row", costs.s_per_row)))
        if plan.get("pages_over") and costs.documents is not None:
            costs = replace(costs, pages=None)
        if costs.documents is not None:
            plan["assumed_processing_s"] = costs.documents.processing_s
        now = utcnow()

        def rows_of(i: int) -> float:
            return known[i] if i in known else window_rows(known, windows, i)

        low = int(plan["pages_next"])
        high = documents_floor(plan)
        free = [rows_of(i) for i in range(low, max(low, high))]
        ready: list[float] = []
        in_docs: list[float] = []
        processing = costs.documents.processing_s if costs.documents is not None else 0.0
        loading = self.extra.get("backfill")
        top = int(plan["docs_next"]) + (1 if loading else 0)
        # What the documents lane holds: the windows asked for or being read, and those pages
        # handed to it from above (the newest is otherwise the probe's, pages').
        held = {i for i in range(high, top + 1) if i < len(windows) - 1}
        held |= {int(i) for i in plan.get("docs_handed", [])}
        if loading:
            held.add(int(loading["index"]))
        for i in sorted(held):
            if i in known:
                continue
            asked = parse_time(plan["asked_at"].get(str(i)))
            age = (now - asked).total_seconds() if asked is not None else 0.0
            ready.append(max(0.0, processing - age))
            in_docs.append(rows_of(i))
        pages_cursor = self.extra.get("backfill_pages")
        pages_rows = None
        if pages_cursor is not None:
            span = range(int(pages_cursor["first"]), int(pages_cursor["last"]) + 1)
            pages_rows = max(0.0, sum(rows_of(i) for i in span) - int(pages_cursor.get("seen", 0)))
        result = plan_backfill(
            costs,
            free,
            InFlight(tuple(ready), tuple(in_docs), pages_rows),
            pages_margin=estimate_margin(sum(known.values())),
        )
        plan["split"] = low + result.split
        plan["per_day"] = round(sum(known.values()) / sum(windows[i].days for i in known), 3)
        finish = now + timedelta(seconds=result.finish_s)
        plan["planned_at"] = iso(now)
        plan.setdefault("made_at", iso(now))
        # When reports take part, the ETA is shown once the seller's size is known at both ends of
        # the history: the probe counted the newest days, and pages have read the oldest range they
        # were given (a few seconds; the first plan, costed on the newest days' density, gives
        # reports windows that pages then take back). Pages held up past ETA_AFTER_S do not keep it
        # hidden; a backfill all by pages has nothing to take back and shows it at once.
        pages_pending = self.extra.get("backfill_pages") is not None or int(plan["split"]) > int(
            plan["pages_next"]
        )
        reports_too = int(plan["split"]) < len(windows) - 1
        made_at = parse_time(plan["made_at"])
        waited = (now - made_at).total_seconds() if made_at is not None else 0.0
        if not (pages_pending and reports_too) or waited >= ETA_AFTER_S or "finish_at" in plan:
            plan["finish_at"] = iso(finish)
            plan.setdefault("first_finish_at", iso(finish))
            plan.setdefault("first_planned_at", iso(now))
        log.info(
            "sync.backfill_planned",
            state_id=str(self.state_id),
            split=plan["split"],
            windows=len(windows),
            per_day=plan["per_day"],
            finish_in_s=round(result.finish_s, 1),
        )


def plan_finish(extra: dict[str, Any] | None) -> datetime | None:
    """The planned finish of a planned backfill (the sync card's ETA), None before the first plan."""
    plan = (extra or {}).get("plan") or {}
    return parse_time(plan.get("finish_at"))
