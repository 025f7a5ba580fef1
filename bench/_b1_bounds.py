"""B1's lower bounds: the fastest any client could load a seller's range of orders within
Amazon's usage plans (every quota at once, no local work), over the seller's real purchase
times or spread evenly. `bench/b1_backfill.py`'s doc says how they are built and used."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from app.sync.backfill_plan import DocumentCosts, PagesCosts

REPORT_PROCESSING_S = 60.0  # the emulator's (Amazon) processing time of one report
# The least any backfill takes when the quotas bound nothing: one call's round trip
# (assumed, Amazon time).
ROUND_TRIP_S = 1.0
DAY = 86400.0
RANGE_DAYS = 730.0
WINDOW_DAYS = 30.0  # an order report's longest window


def bound(calls: int, rate: float, burst: int) -> float:
    """Seconds a token bucket needs to serve `calls` calls starting full."""
    return max(0, calls - burst) / rate


def costs() -> tuple[DocumentCosts, list[PagesCosts]]:
    """The quotas of both paths (Amazon's usage plans, buckets full): order reports, and
    the pages paths (searchOrders; getOrders with getOrderItems per order)."""
    from app.spapi.usage_plans import plan_for
    from app.sync.backfill_plan import DocumentCosts, PagesCosts, Quota

    def quota(operation: str) -> Quota:
        plan = plan_for(operation)
        return Quota(plan.rate, plan.burst)

    documents = DocumentCosts(
        quota("reports.createReport"),
        quota("reports.getReportDocument"),
        REPORT_PROCESSING_S,
    )
    pages = [
        PagesCosts(quota("orders2026.searchOrders"), 100),
        PagesCosts(
            quota("ordersV0.getOrders"), 100, per_row=quota("ordersV0.getOrderItems")
        ),
    ]
    return documents, pages


def delta_first(pages: Sequence[PagesCosts]) -> list[PagesCosts]:
    """`pages` (searchOrders first, as `costs` gives them) with searchOrders' bucket one token
    short: what it holds once the onboarding's delta has gone, which comes before the backfill
    (its call reads the last minutes' changes, no order of the range)."""
    search = pages[0]
    return [replace(search, page=replace(search.page, level=search.page.tokens - 1)), *pages[1:]]


def combined(orders: int) -> float:
    """The bound over every quota at once with the orders spread evenly (see the
    module's doc), at least one round trip."""
    from app.sync.backfill_plan import combined_bound

    documents, pages = costs()
    bound_s = combined_bound(orders, RANGE_DAYS, WINDOW_DAYS, documents, pages)
    return max(ROUND_TRIP_S, bound_s)


def seller_bound(
    times: Sequence[float],
    start: float,
    end: float,
    documents: DocumentCosts,
    pages: Sequence[PagesCosts],
    window_s: float = WINDOW_DAYS * DAY,
    horizon_s: float = 30 * DAY,
) -> float:
    """The fastest any client could load the orders purchased at `times` (seconds) in
    the range [`start`, `end`], within every quota at once, at least `ROUND_TRIP_S`.

    By `t` seconds, at most D(t) = min(create.calls_by(t - processing),
    fetch.calls_by(t)) documents are in hand (none before the first is made), each an
    order report of at most `window_s`; and the pages paths have read at most cap(t)
    orders: searchOrders' pages x 100 plus, for getOrders, the lesser of its pages x 100
    and getOrderItems' calls (one per order). Every page is taken as full and local
    work as nil.

    A report costs the same whatever it holds and a page costs per order, so the best a
    client can do is give the pages the span of the range with the fewest orders per
    day. Two shapes are considered: one contiguous span holding at most cap(t) orders
    (the rest, left and right of it, needs ceil(piece / window) reports per piece), and
    a prefix plus a suffix holding at most cap(t) orders together (a client reading from
    both ends; the middle needs ceil(middle / window) reports). A piece holding an order
    needs at least one report even when it is shorter than a second. The bound is the
    least `t` (binary search in [0, `horizon_s`], as `combined_bound`) at which one of
    the shapes needs at most D(t) reports; `math.inf` if none does by `horizon_s`.

    Pages split over more than two spans (between reports placed with gaps) are not
    considered: each extra span costs a page call and would gain at most the gap between
    two orders, so the bound ignores that little."""
    t = sorted(x for x in times if start <= x <= end)
    n = len(t)

    def reports_by(at: float) -> int:
        if at < documents.processing_s:
            return 0
        made = documents.create.calls_by(at - documents.processing_s)
        return min(made, documents.fetch.calls_by(at))

    def cap_by(at: float) -> int:
        rows = 0
        for path in pages:
            by_pages = path.page.calls_by(at) * path.page_size
            if path.per_row is not None:
                by_pages = min(by_pages, path.per_row.calls_by(at))
            rows += by_pages
        return rows

    def piece(length: float) -> int:
        """Reports for a piece holding at least one order."""
        return max(1, math.ceil(length / window_s - 1e-9))

    fewest: dict[int, int] = {}

    def fewest_reports(cap: int) -> int:
        """The fewest reports the range needs when the pages read `cap` orders."""
        if cap >= n:
            return 0
        if cap in fewest:
            return fewest[cap]
        best = piece(end - start)
        if cap >= 0:
            # One span holding orders i .. i + cap - 1: from just after order i - 1 (or
            # the range's start) to just before order i + cap (or its end).
            for i in range(n - cap + 1):
                left = piece(t[i - 1] - start) if i > 0 else 0
                right = piece(end - t[i + cap]) if i + cap < n else 0
                best = min(best, left + right)
            # A prefix holding orders 0 .. a - 1 and a suffix holding the last cap - a:
            # the reports cover orders a .. n - 1 - cap + a.
            for a in range(cap + 1):
                best = min(best, piece(t[n - 1 - cap + a] - t[a]))
        fewest[cap] = best
        return best

    def feasible(at: float) -> bool:
        return fewest_reports(cap_by(at)) <= reports_by(at)

    if feasible(0.0):
        return ROUND_TRIP_S
    if not feasible(horizon_s):
        return math.inf
    lo, hi = 0.0, horizon_s
    while hi - lo > 1e-3:
        mid = (lo + hi) / 2
        if feasible(mid):
            hi = mid
        else:
            lo = mid
    return max(ROUND_TRIP_S, hi)


def check_seller_bound(orders: int = 5000) -> tuple[float, float, float]:
    """(The even-spread bound, the seller bound of `orders` orders spread evenly, that
    of `orders` orders growing toward now as the emulator makes them: start + span x
    u^0.8) over a synthetic 730-day range. The first two must agree."""
    documents, pages = costs()
    span = RANGE_DAYS * DAY
    even = [span * (i + 0.5) / orders for i in range(orders)]
    rng = random.Random(101)
    grown = sorted(span * rng.random() ** 0.8 for _ in range(orders))
    even_s = combined(orders)
    seller_even = seller_bound(even, 0.0, span, documents, pages)
    seller_grown = seller_bound(grown, 0.0, span, documents, pages)
    assert abs(seller_even - even_s) <= 0.02 * even_s + ROUND_TRIP_S, (
        seller_even,
        even_s,
    )
    return even_s, seller_even, seller_grown


def purchase_times(
    emulator_url: str, seller: str, start: datetime, end: datetime
) -> list[float]:
    """Epoch seconds of the seller's orders purchased in [start, end], from the
    emulator's truth as of `end` (NDJSON, oldest first; `purchase_date` in whole
    seconds, so the range's start is taken to the whole second below)."""
    lo, hi = math.floor(start.timestamp()), end.timestamp()
    times: list[float] = []
    with httpx.stream(
        "GET",
        f"{emulator_url}/_emulator/sellers/{seller}/orders/truth",
        params={"as_of": end.isoformat()},
        timeout=600,
    ) as answer:
        answer.raise_for_status()
        for line in answer.iter_lines():
            if not line.strip():
                continue
            purchased = json.loads(line)["purchase_date"].replace("Z", "+00:00")
            at = datetime.fromisoformat(purchased).timestamp()
            if lo <= at <= hi:
                times.append(at)
    return times
