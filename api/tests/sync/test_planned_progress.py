"""The sync card's progress of a planned backfill: closed windows, and the range pages are reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.sync.run_backfill import PAGED_SHARE_MAX, grid, planned_progress
from app.sync.run_base import iso

START = datetime(2024, 12, 7, tzinfo=UTC)


def a_plan(done: list[int], per_day: float = 0.0) -> dict[str, Any]:
    return {
        "from": iso(START),
        "to": iso(START + timedelta(days=730)),
        "size_s": timedelta(days=30).total_seconds(),
        "done": done,
        "per_day": per_day,
    }


def days(plan: dict[str, Any], indices: range | list[int]) -> float:
    windows = grid(plan)
    return sum(windows[i].days for i in indices)


def test_closed_windows_count_by_their_days() -> None:
    plan = a_plan(done=[24, 23])
    assert len(grid(plan)) == 25
    assert planned_progress(plan) == pytest.approx(days(plan, [23, 24]) / 730)
    assert planned_progress(a_plan(done=list(range(25)))) == pytest.approx(1.0)


def test_a_range_being_paged_counts_by_the_rows_read_of_those_expected() -> None:
    plan = a_plan(done=[24], per_day=10.0)
    cursor = {"first": 0, "last": 9, "seen": round(10.0 * days(plan, range(10)) / 2)}
    expected = (days(plan, [24]) + days(plan, range(10)) / 2) / 730
    assert planned_progress(plan, cursor) == pytest.approx(expected, abs=1e-3)
    # Without the cursor (or before a plan knows the seller's rows per day) only closed windows count.
    assert planned_progress(plan) == pytest.approx(days(plan, [24]) / 730)
    assert planned_progress(a_plan(done=[24]), cursor) == pytest.approx(days(plan, [24]) / 730)


def test_a_range_never_shows_done_before_it_closes() -> None:
    plan = a_plan(done=[24], per_day=1.0)
    cursor = {"first": 0, "last": 23, "seen": 100_000}
    shown = planned_progress(plan, cursor)
    assert shown == pytest.approx((days(plan, [24]) + PAGED_SHARE_MAX * days(plan, range(24))) / 730)
    assert shown < 1.0


def test_windows_of_the_range_already_closed_are_not_counted_twice() -> None:
    plan = a_plan(done=[0, 1, 24], per_day=10.0)
    cursor = {"first": 0, "last": 3, "seen": 0}
    assert planned_progress(plan, cursor) == pytest.approx(days(plan, [0, 1, 24]) / 730)
