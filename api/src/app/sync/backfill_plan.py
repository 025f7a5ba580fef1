"""Which backfill window goes by which path, so that the whole backfill finishes soonest: a cost
model over Amazon's usage plans, pure (no I/O) and unit-tested.

A dataset that can fill a window both ways (orders: a report by order date, or the Orders API page
by page) declares the quotas of each path (`BackfillCosts`); the engine reads the current levels of
this seller's buckets into them and keeps a plan in the row (`app.sync.run_backfill`).

The two paths take the windows from opposite ends: pages from the oldest forward, documents from
the newest backward. A page costs per order and a document per window whatever it holds, so pages
should take the days with the fewest orders: a seller that grew (most do) has them at the oldest
end. (A shrinking seller has them at the newest end; the plan does not turn round for it: its pages
are costed on the densest density known next to them, so it only gives pages fewer windows.)
The newest window is read alone first by pages (the probe: its count tells the seller's size),
then the oldest window alone (the size at the other end), then every other window given to pages
as one range, so that few pages are partly empty. The paths
meet at `split`, which a re-plan moves as windows finish and the seller's size is known better:
windows whose documents are not asked for yet (createReport's bucket was empty) go back to pages
when pages turn out cheaper than thought. Both run at once: their quotas are independent, and while
Amazon makes a report the pages path spends its own bucket.

Times are seconds from now. A call can go when its bucket holds a token; a bucket refills at `rate`
up to `burst`. Local work (mapping and writing orders, one call's round trip) is counted too: the
two paths share one run, so their local work adds up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Quota:
    """One operation's bucket: refill `rate` per second, `burst`, and the tokens it holds now
    (None: full)."""

    rate: float
    burst: float
    level: float | None = None

    @property
    def tokens(self) -> float:
        return self.burst if self.level is None else min(self.level, self.burst)

    def wait_for(self, n: int) -> float:
        """Seconds until the `n`-th call (1-based) may go when every call goes as early as it can."""
        if n <= 0:
            return 0.0
        return (
            max(0.0, (n - self.tokens) / self.rate)
            if self.rate > 0
            else (0.0 if n <= self.tokens else math.inf)
        )

    def calls_by(self, t: float) -> int:
        """Calls that can have gone within `t` seconds."""
        return max(0, math.floor(self.tokens + self.rate * max(0.0, t) + 1e-9))


@dataclass(frozen=True)
class DocumentCosts:
    """A window as one document: created (`create`), made by Amazon in `processing_s`, then its
    document fetched (`fetch`)."""

    create: Quota
    fetch: Quota
    processing_s: float


@dataclass(frozen=True)
class PagesCosts:
    """A window read page by page (`page`, up to `page_size` rows each, at least one page per
    window), and per row when each row needs a call of its own (`per_row`: v0's getOrderItems)."""

    page: Quota
    page_size: int
    per_row: Quota | None = None


@dataclass(frozen=True)
class BackfillCosts:
    documents: DocumentCosts | None
    pages: PagesCosts | None
    # Local work, in seconds: one row mapped and written, one call's round trip.
    s_per_row: float = 0.0
    s_per_call: float = 0.0


@dataclass(frozen=True)
class InFlight:
    """What the paths already hold: documents asked for (seconds until each is made, and its rows),
    and the rows still to read of the window the pages path is on."""

    documents_ready_s: tuple[float, ...] = ()
    documents_rows: tuple[float, ...] = ()
    pages_rows: float | None = None


@dataclass(frozen=True)
class Plan:
    split: int  # free windows [0, split) go by pages, [split, n) by documents
    finish_s: float
    documents_s: float
    pages_s: float


def pages_of(rows: float, page_size: int) -> int:
    """Pages of a window with `rows` rows (an empty window still takes one call)."""
    return max(1, math.ceil(max(0.0, rows) / page_size - 1e-9))


def documents_finish(
    costs: BackfillCosts, new_rows: Sequence[float], in_flight: InFlight = InFlight()
) -> tuple[float, float]:
    """(When the documents path has loaded every document, its local work) for documents in flight
    and one new document per window of `new_rows`, loaded one after the other as they are ready."""
    docs = costs.documents
    if not new_rows and not in_flight.documents_ready_s:
        return 0.0, 0.0
    assert docs is not None
    ready = [(r, rows) for r, rows in zip(in_flight.documents_ready_s, in_flight.documents_rows, strict=True)]
    ready += [(docs.create.wait_for(i + 1) + docs.processing_s, rows) for i, rows in enumerate(new_rows)]
    ready.sort()
    t = 0.0
    local = 0.0
    for i, (at, rows) in enumerate(ready):
        work = 2 * costs.s_per_call + rows * costs.s_per_row
        t = max(t, at, docs.fetch.wait_for(i + 1)) + work
        local += work
    return t, local


def pages_finish(
    costs: BackfillCosts, new_rows: Sequence[float], in_flight: InFlight = InFlight()
) -> tuple[float, float]:
    """(When the pages path has read the window it is on and the windows of `new_rows`, its local
    work). The new windows are adjacent and read as one (`searchOrders` takes any range): only the
    last page of the whole range is partly empty."""
    pages = costs.pages
    windows = [in_flight.pages_rows] if in_flight.pages_rows is not None else []
    if new_rows:
        windows.append(sum(new_rows))
    if not windows:
        return 0.0, 0.0
    assert pages is not None
    t = 0.0
    local = 0.0
    n = 0
    rows_done = 0.0
    for rows in windows:
        count = pages_of(rows, pages.page_size)
        for p in range(count):
            in_page = min(float(pages.page_size), max(0.0, rows - p * pages.page_size))
            n += 1
            rows_done += in_page
            ready = pages.page.wait_for(n)
            if pages.per_row is not None:
                ready = max(ready, pages.per_row.wait_for(math.ceil(rows_done)))
            work = (
                costs.s_per_call * (1 + (in_page if pages.per_row is not None else 0))
                + in_page * costs.s_per_row
            )
            t = max(t, ready) + work
            local += work
    return t, local


def estimate_margin(known_rows: float) -> float:
    """How much more a window may hold than the seller's rows per day say, when that rate rests on
    `known_rows` rows counted: two standard deviations of a count (1 + 2 / sqrt(n)). A pages path
    that plans its range to fill searchOrders' burst exactly pays a throttled page (3 minutes) for
    every 100 rows past the estimate, so it plans on the high side: +23% on the first plan of a
    seller whose probe window held 75 orders, +4% once 3,000 are counted."""
    return 1.0 + 2.0 / math.sqrt(max(1.0, known_rows))


def plan_backfill(
    costs: BackfillCosts,
    free_rows: Sequence[float],
    in_flight: InFlight = InFlight(),
    pages_margin: float = 1.0,
) -> Plan:
    """The split of the free windows (oldest first, `free_rows` rows estimated each) that finishes
    the backfill soonest: pages take the oldest `split`, documents the rest. A tie goes to
    documents: the pages quota is the one the deltas need. The pages path is costed on its rows
    times `pages_margin` (`estimate_margin`): its cost grows with the rows, a document's hardly."""
    n = len(free_rows)
    if pages_margin != 1.0:
        in_flight = replace(
            in_flight,
            pages_rows=None if in_flight.pages_rows is None else in_flight.pages_rows * pages_margin,
        )
    choices = range(n + 1)
    if costs.documents is None:
        choices = range(n, n + 1)
    elif costs.pages is None:
        choices = range(0, 1)
    best: Plan | None = None
    for split in choices:
        pages_t, pages_local = pages_finish(costs, [r * pages_margin for r in free_rows[:split]], in_flight)
        # Documents are asked for newest first: the one nearest the pages waits longest.
        docs_t, docs_local = documents_finish(costs, free_rows[split:][::-1], in_flight)
        finish = max(docs_t, pages_t, docs_local + pages_local)
        if (
            best is None
            or finish < best.finish_s - 1e-9
            or (abs(finish - best.finish_s) <= 1e-9 and split < best.split)
        ):
            best = Plan(split, finish, docs_t, pages_t)
    assert best is not None
    return best


def combined_bound(
    total_rows: float,
    range_days: float,
    window_days: float,
    documents: DocumentCosts | None,
    pages: Sequence[PagesCosts],
    horizon_s: float = 30 * 86400.0,
) -> float:
    """The fastest any client could fill `range_days` of history holding `total_rows` rows spread
    evenly, within the usage plans of every path at once: documents of at most `window_days` each,
    and every pages path (searchOrders; getOrders with getOrderItems per order) on the rest, each
    page full and no local work at all. A lower bound: nothing real goes faster."""

    def covered_days(t: float) -> float:
        days = 0.0
        if documents is not None:
            made = documents.create.calls_by(t - documents.processing_s) if t >= documents.processing_s else 0
            days += min(made, documents.fetch.calls_by(t)) * window_days
        rows = 0.0
        for path in pages:
            by_pages = path.page.calls_by(t) * path.page_size
            rows += by_pages if path.per_row is None else min(by_pages, path.per_row.calls_by(t))
        if total_rows > 0:
            days += rows * range_days / total_rows
        else:
            days += range_days if any(path.page.calls_by(t) > 0 for path in pages) else 0.0
        return days

    if covered_days(0.0) >= range_days - 1e-9:
        return 0.0
    lo, hi = 0.0, horizon_s
    if covered_days(hi) < range_days - 1e-9:
        return math.inf
    for _ in range(60):
        mid = (lo + hi) / 2
        if covered_days(mid) >= range_days - 1e-9:
            hi = mid
        else:
            lo = mid
    return hi
