"""The planner's rules: windows, the delta window, progress and fair dispatch."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.sync.planner import (
    HISTORY,
    REPORT_WINDOW,
    Candidate,
    Window,
    backfill_eta,
    backfill_progress,
    backfill_range,
    delta_due_at,
    delta_window,
    document_poll_delay,
    error_retry_delay,
    failed_document_delay,
    next_backfill_window,
    next_delta_slot,
    only_overlap,
    plan_dispatch,
    split_windows,
    throttle_delay,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_backfill_covers_24_months_up_to_the_2_minute_limit() -> None:
    window = backfill_range(NOW)
    assert window.end <= NOW - timedelta(minutes=2)
    assert window.end - window.start == HISTORY


def test_backfill_windows_walk_forward_and_end() -> None:
    full = backfill_range(NOW)
    done = None
    windows: list[Window] = []
    while (w := next_backfill_window(full.start, full.end, done, REPORT_WINDOW)) is not None:
        windows.append(w)
        done = w.end
    assert windows[0].start == full.start and windows[-1].end == full.end
    assert all(w.days <= 30 for w in windows)
    assert all(a.end == b.start for a, b in itertools.pairwise(windows))
    assert len(windows) == 25
    assert windows == split_windows(full.start, full.end, REPORT_WINDOW)


def test_resume_from_the_watermark() -> None:
    full = backfill_range(NOW)
    middle = full.start + timedelta(days=95)
    window = next_backfill_window(full.start, full.end, middle, REPORT_WINDOW)
    assert window is not None and window.start == middle


def test_delta_window_overlaps_and_respects_the_2_minute_rule() -> None:
    watermark = NOW - timedelta(minutes=20)
    window = delta_window(watermark, NOW)
    assert window is not None
    assert window.start == watermark - timedelta(minutes=5)
    assert window.end <= NOW - timedelta(minutes=2)
    # Right after onboarding only the overlap can be asked again; never a window ending in the future.
    assert delta_window(NOW + timedelta(minutes=10), NOW) is None
    again = delta_window(NOW - timedelta(minutes=2), NOW)
    assert again is not None and again.end == NOW - timedelta(minutes=2)
    # That window holds only the overlap: the engine asks it for a first or a forced delta only.
    assert only_overlap(again, NOW - timedelta(minutes=2))
    assert not only_overlap(window, watermark)
    later = delta_window(NOW - timedelta(minutes=2), NOW + timedelta(seconds=6))
    assert later is not None and not only_overlap(later, NOW - timedelta(minutes=2))


def test_delta_due() -> None:
    assert delta_due_at(None, timedelta(minutes=15), NOW) == NOW
    assert delta_due_at(NOW, timedelta(minutes=15), NOW) == NOW + timedelta(minutes=15)
    slot = NOW + timedelta(minutes=3)
    assert delta_due_at(NOW, timedelta(minutes=15), NOW, slot) == slot


def test_delta_slots_keep_the_cadence() -> None:
    interval = timedelta(minutes=15)
    # Started 40 s after its slot: the next slot is one interval after the slot, not after the run.
    assert next_delta_slot(NOW, interval, NOW + timedelta(seconds=40)) == NOW + interval
    # Waits never add up: ten deltas each 40 s late still keep slots 15 minutes apart.
    due = NOW
    for _ in range(10):
        following = next_delta_slot(due, interval, due + timedelta(seconds=40))
        assert following - due == interval
        due = following
    # Asked for early (a user pressed "sync now"): a new cadence from the run.
    early = NOW - timedelta(minutes=5)
    assert next_delta_slot(NOW, interval, early) == early + interval
    # After an outage longer than an interval: one interval from now, not a burst of catch-ups.
    late = NOW + timedelta(minutes=40)
    assert next_delta_slot(NOW, interval, late) == late + interval


def test_progress_and_eta() -> None:
    full = backfill_range(NOW)
    assert backfill_progress(full.start, full.end, None) == 0.0
    half = full.start + (full.end - full.start) / 2
    assert backfill_progress(full.start, full.end, half) == 0.5
    assert backfill_progress(full.start, full.end, full.end) == 1.0
    eta = backfill_eta(NOW - timedelta(minutes=10), 0.5, NOW)
    assert eta == NOW + timedelta(minutes=10)
    assert backfill_eta(None, 0.5, NOW) is None


def _c(conn: uuid.UUID, minutes_ago: int, delta: bool = False) -> Candidate:
    return Candidate(uuid.uuid4(), conn, NOW - timedelta(minutes=minutes_ago), delta)


def test_deltas_go_before_backfills() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    backfill = _c(a, 60)
    delta = _c(b, 1, delta=True)
    assert plan_dispatch([backfill, delta], 1) == [delta]


def test_one_seller_cannot_take_every_worker() -> None:
    big, small = uuid.uuid4(), uuid.uuid4()
    rows = [_c(big, 100 - i) for i in range(10)] + [_c(small, 1)]
    chosen = plan_dispatch(rows, 2)
    assert {c.connection_id for c in chosen} == {big, small}
    # With spare capacity the big seller gets more rows.
    assert len(plan_dispatch(rows, 5)) == 5


def test_busy_connections_wait_for_idle_ones() -> None:
    busy, idle = uuid.uuid4(), uuid.uuid4()
    rows = [_c(busy, 50), _c(idle, 1)]
    assert [c.connection_id for c in plan_dispatch(rows, 1, frozenset({busy}))] == [idle]
    assert plan_dispatch(rows, 0) == []


def test_throttle_delay_is_bounded() -> None:
    assert throttle_delay(None) == 1.0
    assert throttle_delay(0.0) == 0.05
    assert throttle_delay(10**9) == 3600.0


def test_document_poll_delay_grows_with_the_age_of_the_document() -> None:
    # A fresh report may be done in a moment (a fast Amazon); an old one is asked about less often,
    # so the wait never overshoots the end by more than a quarter of the report's age.
    assert document_poll_delay(-3.0) == 0.25  # Amazon's clock a little ahead of ours
    assert document_poll_delay(0.0) == 0.25
    assert document_poll_delay(8.0) == 2.0
    assert document_poll_delay(60.0) == 15.0
    assert document_poll_delay(3600.0) == 30.0


def test_a_document_whose_making_time_is_known_is_checked_when_it_should_be_done() -> None:
    # A minute's report: a quarter of its age alone checks it at 58 s, then at 73 s.
    assert document_poll_delay(48.0) == 12.0
    assert document_poll_delay(58.0, expected_s=60.0) == pytest.approx(2.0)
    assert document_poll_delay(10.0, expected_s=60.0) == 2.5  # well before: the usual quarter
    # Overdue: a quarter of the time past the expected, at least a second, never more than usual.
    assert document_poll_delay(60.5, expected_s=60.0) == 1.0
    assert document_poll_delay(100.0, expected_s=60.0) == 10.0
    assert document_poll_delay(3600.0, expected_s=60.0) == 30.0


def test_error_retry_backs_off_from_one_second_to_a_minute() -> None:
    assert [error_retry_delay(n) for n in (0, 1, 2, 3, 6, 7, 100)] == [1.0, 1.0, 2.0, 4.0, 32.0, 60.0, 60.0]


def test_a_failed_document_is_asked_for_again_later_and_later() -> None:
    assert [failed_document_delay(n) for n in (1, 2, 3, 4)] == [60.0, 120.0, 240.0, 480.0]
    assert failed_document_delay(30) == 6 * 3600.0
