"""The backfill's cost model: which windows go by report and which page by page (pages take the
oldest `split`, reports the rest), and the bound over every quota combined."""

from __future__ import annotations

import math

import pytest

from app.sync.backfill_plan import (
    BackfillCosts,
    DocumentCosts,
    InFlight,
    PagesCosts,
    Quota,
    combined_bound,
    documents_finish,
    estimate_margin,
    pages_finish,
    pages_of,
    plan_backfill,
)

# Amazon's default plans (app.spapi.usage_plans): createReport / getReportDocument 0.0167/s burst 15,
# searchOrders 0.0056/s burst 20, getOrders 0.0167/s burst 20, getOrderItems 0.5/s burst 30.
REPORTS = DocumentCosts(Quota(0.0167, 15), Quota(0.0167, 15), processing_s=60.0)
SEARCH = PagesCosts(Quota(0.0056, 20), 100)
V0 = PagesCosts(Quota(0.0167, 20), 100, per_row=Quota(0.5, 30))
COSTS = BackfillCosts(REPORTS, SEARCH)
DAYS = [30.0] * 24 + [10.0]  # 730 days in windows of at most 30


def rows(total: int) -> list[float]:
    return [total * d / 730 for d in DAYS]


def test_a_bucket_serves_its_burst_at_once_then_at_its_rate() -> None:
    q = Quota(1 / 60, 15)
    assert q.wait_for(15) == 0.0
    assert q.wait_for(16) == pytest.approx(60.0)
    assert q.wait_for(25) == pytest.approx(600.0)
    assert Quota(1 / 60, 15, level=3).wait_for(4) == pytest.approx(60.0)
    assert q.calls_by(0) == 15 and q.calls_by(120) == 17
    assert pages_of(0, 100) == 1 and pages_of(100, 100) == 1 and pages_of(101, 100) == 2


def test_reports_only_take_twelve_minutes_whatever_the_size() -> None:
    finish, _ = documents_finish(COSTS, rows(5000))
    # the 25th report is created at (25 - 15) / 0.0167 s and made 60 s later
    assert finish == pytest.approx(10 / 0.0167 + 60, rel=0.01)


def test_a_few_thousand_orders_fill_the_windows_after_the_report_burst_by_pages() -> None:
    plan = plan_backfill(COSTS, rows(2000))
    assert plan.split == 25 and plan.finish_s == 0.0  # 20 pages: searchOrders' burst holds it all
    plan = plan_backfill(COSTS, rows(5000))
    assert 0 < plan.split <= 10  # at least 15 reports: createReport's burst
    assert plan.finish_s < 180
    docs, _ = documents_finish(COSTS, rows(5000)[plan.split :])
    pages, _ = pages_finish(COSTS, rows(5000)[: plan.split])
    assert plan.finish_s == max(docs, pages)


def test_the_largest_sellers_keep_reports_for_every_window_after_the_probe() -> None:
    # The probe read the short newest window (~1,370 orders) by pages; a 30-day window (~4,110)
    # would take 42 pages, 22 of them 3 minutes apart.
    plan = plan_backfill(COSTS, rows(100_000)[:24])
    assert plan.split == 0
    assert plan.finish_s == pytest.approx(9 / 0.0167 + 60, rel=0.01)
    assert plan.finish_s < documents_finish(COSTS, rows(100_000))[0] - 50


def test_the_pages_path_reads_its_windows_as_one_range() -> None:
    # 25 windows of ~12 orders: 25 pages one window at a time (5 past the burst), 3 as one range
    assert pages_finish(COSTS, rows(300))[0] == 0.0
    assert plan_backfill(COSTS, rows(300)).split == 25
    # the window in flight is read apart from the new range
    assert pages_finish(COSTS, [1850.0], InFlight(pages_rows=50.0))[0] == 0.0  # 1 + 19 pages
    assert pages_finish(COSTS, [1850.0], InFlight(pages_rows=150.0))[0] == pytest.approx(1 / 0.0056)


def test_the_pages_path_plans_on_the_high_side_of_the_estimate() -> None:
    # Two standard deviations of a count: a 10-day probe of 75 orders, then 3,000 orders known.
    assert estimate_margin(75) == pytest.approx(1 + 2 / math.sqrt(75))
    assert estimate_margin(3000) == pytest.approx(1.0365, abs=1e-4)
    assert estimate_margin(0) == 3.0
    exact = plan_backfill(COSTS, rows(5000))
    high = plan_backfill(COSTS, rows(5000), pages_margin=estimate_margin(75))
    # The range pages would read with the exact estimate fills searchOrders' burst to the last page:
    # 23% more rows there would cost throttled pages (3 minutes each) ...
    tail = [r * estimate_margin(75) for r in rows(5000)[: exact.split]]
    assert pages_finish(COSTS, tail)[0] >= 1 / 0.0056
    # ... so the plan on the high side gives documents more windows, and its own pages range holds
    # those 23% inside the time the reports take anyway.
    assert high.split < exact.split
    high_tail = [r * estimate_margin(75) for r in rows(5000)[: high.split]]
    assert pages_finish(COSTS, high_tail)[0] <= high.finish_s
    # A margin on pages rows only: the documents path costs the same.
    assert plan_backfill(COSTS, rows(5000), pages_margin=1.0) == exact


def test_one_path_only() -> None:
    assert plan_backfill(BackfillCosts(None, SEARCH), rows(5000)).split == 25
    assert plan_backfill(BackfillCosts(REPORTS, None), rows(5000)).split == 0


def test_v0_pays_one_call_per_order() -> None:
    finish, _ = pages_finish(BackfillCosts(None, V0), [500.0])
    assert finish == pytest.approx((500 - 30) / 0.5)
    plan = plan_backfill(BackfillCosts(REPORTS, V0), rows(5000))
    # the oldest window (~205 orders) by getOrderItems takes 351 s, under the 24th report's 599 s;
    # two (~411) would take 762 s, past the 23rd report's 539 s
    assert plan.split == 1
    assert plan.pages_s == pytest.approx((205.5 - 30) / 0.5, abs=2)


def test_documents_in_flight_and_a_window_being_paged_are_counted() -> None:
    in_flight = InFlight(documents_ready_s=(20.0,) * 15, documents_rows=(200.0,) * 15, pages_rows=150.0)
    # the burst of createReport is spent already: every new report waits for its refill
    empty = BackfillCosts(DocumentCosts(Quota(0.0167, 15, level=0), REPORTS.fetch, 60.0), SEARCH)
    # the short window oldest of the free: the newest 30-day window goes by report
    plan = plan_backfill(empty, rows(5000)[15:][::-1], in_flight)
    # 2 pages in flight + the other ~1,918 orders as one range: 22 pages, 2 past the burst; one
    # more report (made at 120 s) leaves 18 pages
    assert plan.split == 9
    assert plan.finish_s == pytest.approx(1 / 0.0167 + 60, rel=0.01)
    assert plan.pages_s == 0.0
    assert documents_finish(empty, [], in_flight)[0] == pytest.approx(20.0)


def test_local_work_adds_up_across_the_two_paths() -> None:
    slow = BackfillCosts(REPORTS, SEARCH, s_per_row=0.01)
    plan = plan_backfill(slow, rows(5000))
    assert plan.finish_s >= 5000 * 0.01


def test_the_combined_bound() -> None:
    # 5,000 orders: 15 reports in the burst (450 days) and 20 pages (2,000 orders, ~292 days)
    assert combined_bound(5000, 730, 30, REPORTS, [SEARCH]) == pytest.approx(60.0, abs=0.01)
    # everything fits in searchOrders' burst: nothing needs to wait
    assert combined_bound(1500, 730, 30, REPORTS, [SEARCH]) == 0.0
    # 100,000 orders: reports dominate; pages and v0 shave a little off the reports-only bound
    reports_only = combined_bound(100_000, 730, 30, REPORTS, [])
    assert reports_only == pytest.approx(math.ceil(730 / 30 - 15) / 0.0167 + 60, rel=0.01)
    both = combined_bound(100_000, 730, 30, REPORTS, [SEARCH, V0])
    assert both < reports_only
    # never above what the planner finds
    for total in (2000, 5000, 20_000, 100_000):
        assert (
            combined_bound(total, 730, 30, REPORTS, [SEARCH])
            <= plan_backfill(COSTS, rows(total)).finish_s + 1e-6
        )
