"""When the pages path gives its range to documents (`run_backfill.pages_overran`), on Amazon's usage
plans: searchOrders 20 pages at once then one every 3 minutes, createReport 15 then one a minute,
a report made in a minute."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.sync.backfill_plan import BackfillCosts, DocumentCosts, PagesCosts, Quota
from app.sync.run_backfill import pages_overran, read_past_plan

COSTS = BackfillCosts(
    DocumentCosts(Quota(1 / 60, 15), Quota(0.0167, 15), 60.0),
    PagesCosts(Quota(1 / 180, 20), 100),
)
EMPTY_BUCKET_S = 180.0


def a_range(seen: int, planned: int | None, windows: int = 7) -> dict[str, Any]:
    cursor: dict[str, Any] = {"first": 1, "last": windows, "seen": seen}
    if planned is not None:
        cursor["planned_rows"] = planned
    return cursor


def test_a_range_within_its_plan_waits_for_its_pages() -> None:
    # The plan may send pages past the burst when reports are slower still: it planned that wait.
    cursor = a_range(seen=1700, planned=2300)
    assert not read_past_plan(cursor)
    assert not pages_overran(cursor, {}, COSTS, EMPTY_BUCKET_S)


def test_a_range_past_its_plan_goes_to_documents_when_its_next_page_is_minutes_off() -> None:
    cursor = a_range(seen=1700, planned=1650)
    assert read_past_plan(cursor)
    assert pages_overran(cursor, {}, COSTS, EMPTY_BUCKET_S)
    # Not for a short wait (a server error's retry, a bucket about to refill): a report is slower.
    assert not pages_overran(cursor, {}, COSTS, 5.0)
    # This seller's reports were seen made in 2 s: a wait of 10 s is already longer.
    assert pages_overran(cursor, {"processing_s": 2.0}, COSTS, 10.0)


def test_the_probe_has_no_plan_and_goes_to_documents_once_dense_and_throttled() -> None:
    probe = {"first": 24, "last": 24, "seen": 1900}
    assert read_past_plan(probe)
    assert pages_overran(probe, {}, COSTS, EMPTY_BUCKET_S)


def test_sparse_windows_stay_with_pages() -> None:
    # 30 orders a window: a report a minute reads fewer orders a second than a page every 3 minutes.
    cursor = a_range(seen=210, planned=150, windows=7)
    assert not pages_overran(cursor, {}, COSTS, EMPTY_BUCKET_S)


def test_without_both_paths_nothing_is_handed_over() -> None:
    cursor = a_range(seen=1700, planned=1650)
    assert not pages_overran(cursor, {}, replace(COSTS, documents=None), EMPTY_BUCKET_S)
    assert not pages_overran(cursor, {}, replace(COSTS, pages=None), EMPTY_BUCKET_S)
