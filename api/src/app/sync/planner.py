"""What to sync next: pure functions (no I/O), so every rule here is unit-tested.

Unit of scheduling: one `sync_state` row (connection x marketplace x entity). One run of a row does
at most one delta (when due) and then at most one step of the backfill; the row goes back to the
queue after each run, so a seller with a long backfill never holds a worker slot for long.

Windows
  * Backfill covers `[backfill_from, backfill_to)` by purchase date, where `backfill_to` is the
    moment the connection was set up (minus the 2-minute rule) and `backfill_from` 730 days
    earlier (Amazon keeps 24 months). It walks forward in windows of at most 30 days (order
    reports refuse longer ones with an empty file, not an error) and `backfill_done_until` is the
    end of the last committed window: a crash loses at most the window in flight.
  * The delta asks for `lastUpdatedAfter = watermark - overlap` and `lastUpdatedBefore = now - 2 min`
    (Amazon's rule, plus a few seconds of clock skew). The watermark starts at `backfill_to`, so
    backfill (created before) and delta (updated after) leave no gap: an order created before
    `backfill_to` and changed later is seen again by the delta, and the newer version wins in
    the repository.

Fairness (`plan_dispatch`)
  * Delta before backfill: rows whose delta is due are dispatched first, oldest due first.
  * No seller starves another: at most one row per connection per dispatch round and rows that
    were waiting longest go first; a backfill row is due again "now" after each step, so it goes
    to the back of the queue behind everything that was already waiting.
  * `SYNC_MAX_WORKERS` bounds the rows claimed at once (capacity = max - claimed).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

# The orders' history (Amazon keeps 24 months) and report window: the defaults of `backfill_range`
# and of the orders dataset; other datasets say their own.
HISTORY = timedelta(days=730)
REPORT_WINDOW = timedelta(days=30)
# Amazon refuses *Before values within 2 minutes of now; the extra seconds absorb clock skew.
BEFORE_MARGIN = timedelta(minutes=2, seconds=5)
# Re-read a little before the watermark: Amazon's index may publish a change a bit late.
DELTA_OVERLAP = timedelta(minutes=5)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400


def latest_before(now: datetime) -> datetime:
    """The latest `*Before` Amazon accepts at `now`."""
    return now - BEFORE_MARGIN


def backfill_range(now: datetime, history: timedelta = HISTORY) -> Window:
    """History to backfill for a connection set up at `now`."""
    end = latest_before(now).replace(microsecond=0)
    return Window(end - history, end)


def next_backfill_window(
    backfill_from: datetime, backfill_to: datetime, done_until: datetime | None, size: timedelta
) -> Window | None:
    """The next window to fetch, or None when the backfill is complete."""
    start = max(done_until or backfill_from, backfill_from)
    if start >= backfill_to:
        return None
    return Window(start, min(start + size, backfill_to))


def split_windows(start: datetime, end: datetime, size: timedelta) -> list[Window]:
    """`[start, end)` in consecutive windows of at most `size`."""
    out: list[Window] = []
    cursor = start
    while cursor < end:
        out.append(Window(cursor, min(cursor + size, end)))
        cursor = out[-1].end
    return out


def delta_window(watermark: datetime, now: datetime, overlap: timedelta = DELTA_OVERLAP) -> Window | None:
    """`lastUpdatedAfter` / `lastUpdatedBefore` for a delta, or None when nothing can be asked yet."""
    before = latest_before(now).replace(microsecond=0)
    after = watermark - overlap
    if before <= after:
        return None
    return Window(after, max(before, watermark))


def only_overlap(window: Window, watermark: datetime, overlap: timedelta = DELTA_OVERLAP) -> bool:
    """Whether a delta `window` of `delta_window` holds nothing past `watermark`: Amazon's 2-minute
    rule has let no newer second be asked since the delta that set it, so only the overlap before
    it would be read again."""
    return window.start == watermark - overlap and window.end <= watermark


def delta_due_at(
    last_delta_at: datetime | None, interval: timedelta, now: datetime, next_delta_at: datetime | None = None
) -> datetime:
    """When the next delta of a row is due: the slot its last delta set, else one interval after
    that delta (rows synced before slots existed), else now."""
    if next_delta_at is not None:
        return next_delta_at
    return now if last_delta_at is None else last_delta_at + interval


def next_delta_slot(due: datetime, interval: timedelta, started: datetime) -> datetime:
    """The slot after a delta that was due at `due` and started at `started`.

    On the row's cadence (`due + interval`), not one interval after the run: the time a delta
    waited for a worker would otherwise push every later delta back, and the gap between two
    deltas would grow past the interval. A delta run early (asked for by a user) or after an
    outage longer than an interval starts a new cadence from `started`.
    """
    if started < due or started - due >= interval:
        return started + interval
    return due + interval


def backfill_progress(
    backfill_from: datetime | None, backfill_to: datetime | None, done_until: datetime | None
) -> float:
    if backfill_from is None or backfill_to is None or backfill_to <= backfill_from:
        return 0.0
    done = (done_until or backfill_from) - backfill_from
    return max(0.0, min(1.0, done / (backfill_to - backfill_from)))


def backfill_eta(started_at: datetime | None, progress: float, now: datetime) -> datetime | None:
    """Linear estimate of the end from what was done since the start."""
    if started_at is None or progress <= 0.0 or progress >= 1.0:
        return None
    elapsed = now - started_at
    return now + elapsed * ((1.0 - progress) / progress)


@dataclass(frozen=True)
class Candidate:
    """A row that is due (next_run_at <= now) and not claimed."""

    state_id: uuid.UUID
    connection_id: uuid.UUID
    next_run_at: datetime
    delta_due: bool


def plan_dispatch(
    candidates: Sequence[Candidate], capacity: int, busy_connections: frozenset[uuid.UUID] = frozenset()
) -> list[Candidate]:
    """Which due rows to claim now, at most `capacity`, fairly.

    Rounds: in each round every connection gets at most one row, rows with a due delta first,
    then the longest waiting. Connections that already run something (`busy_connections`) are
    served only after every idle connection had its turn, so one seller's backlog cannot take
    every worker while another seller waits.
    """
    if capacity <= 0:
        return []
    ordered = sorted(candidates, key=lambda c: (not c.delta_due, c.next_run_at, str(c.state_id)))
    chosen: list[Candidate] = []
    taken: set[uuid.UUID] = set()
    used: dict[uuid.UUID, int] = {}
    round_no = 0
    while len(chosen) < capacity and len(taken) < len(ordered):
        progressed = False
        for candidate in ordered:
            if candidate.state_id in taken:
                continue
            load = used.get(candidate.connection_id, 0) + (
                1 if candidate.connection_id in busy_connections else 0
            )
            if load > round_no:
                continue
            chosen.append(candidate)
            taken.add(candidate.state_id)
            used[candidate.connection_id] = used.get(candidate.connection_id, 0) + 1
            progressed = True
            if len(chosen) >= capacity:
                break
        round_no += 1
        if not progressed and round_no > len(ordered) + 1:
            break
    # Within the chosen set keep the priority order (deltas first) for enqueueing.
    return sorted(chosen, key=lambda c: (not c.delta_due, c.next_run_at, str(c.state_id)))


# A document being made is checked again after a quarter of its age so far, within these bounds:
# soon for a job that is quick (Amazon often makes a small report in seconds), rarely for a slow one,
# and without the emulator's speed being known (a faster Amazon simply makes ages shorter).
POLL_MIN_S = 0.25
POLL_MAX_S = 30.0
POLL_AGE_FRACTION = 0.25
OVERDUE_POLL_MIN_S = 1.0


def document_poll_delay(age_s: float, expected_s: float | None = None) -> float:
    """Seconds until the next status check of a document asked for `age_s` seconds ago: a quarter
    of its age, between 0.25 s and 30 s. When the time Amazon takes to make it is known
    (`expected_s`, a planned backfill's observed processing), the check also comes right when it
    should be made, and past that a quarter of the time it is overdue (at least a second): a
    quarter of its age alone checks a minute's report first at 58 s and then at 73 s."""
    usual = max(POLL_MIN_S, min(POLL_MAX_S, age_s * POLL_AGE_FRACTION))
    if expected_s is None:
        return usual
    until = expected_s - age_s
    if until >= POLL_MIN_S:
        return min(usual, until)
    return min(usual, max(OVERDUE_POLL_MIN_S, -until * POLL_AGE_FRACTION))


def throttle_delay(retry_after: float | None, minimum: float = 0.05, maximum: float = 3600.0) -> float:
    """How long to park a run that Amazon (or our limiter) throttled."""
    return max(minimum, min(maximum, retry_after if retry_after is not None else 1.0))


# After an unexpected error (a database restarting, a bug) the row runs again after 1 s, doubling
# with each consecutive failure: quick when it was a blip, gentle when it is not.
ERROR_RETRY_MIN_S = 1.0
ERROR_RETRY_MAX_S = 60.0


def error_retry_delay(failures: int) -> float:
    """How long to wait before running a row again after its `failures`-th failure in a row (1-based):
    1, 2, 4 ... seconds, at most 60 s."""
    return min(ERROR_RETRY_MAX_S, ERROR_RETRY_MIN_S * 2.0 ** min(max(failures, 1) - 1, 16))


# A document Amazon failed (an Ads report's FAILED) of a dataset it serves as documents only is asked
# for again after 1 minute, doubling with each failure of the same window, at most 6 hours apart:
# the window is never given up, and Amazon is never asked in a loop.
FAILED_DOCUMENT_RETRY_MIN_S = 60.0
FAILED_DOCUMENT_RETRY_MAX_S = 6 * 3600.0


def failed_document_delay(failures: int) -> float:
    """Seconds before asking again for a window's document after its `failures`-th failure (1-based)."""
    return min(
        FAILED_DOCUMENT_RETRY_MAX_S, FAILED_DOCUMENT_RETRY_MIN_S * 2.0 ** min(max(failures, 1) - 1, 16)
    )
