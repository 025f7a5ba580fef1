"""The processing state machine shared by reports, feeds and Data Kiosk queries.

A job's status is computed from timestamps on every read (no background work): ``IN_QUEUE`` for the first
fifth of its processing time, then ``IN_PROGRESS``, then its outcome (``DONE``, ``CANCELLED`` or ``FATAL``),
which is decided when the job is created (the content is computed from the data as of creation time). The
processing time is an Amazon duration, scaled by the clock. A cancel before processing starts gives
``CANCELLED``. When a job is seen finished for the first time, :func:`settle` publishes its
``*_PROCESSING_FINISHED`` event once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from amazon_emulator.clock import iso_ts
from amazon_emulator.errors import invalid_input
from amazon_emulator.state import EmulatorState

IN_QUEUE = "IN_QUEUE"
IN_PROGRESS = "IN_PROGRESS"
DONE = "DONE"
CANCELLED = "CANCELLED"
FATAL = "FATAL"
STATUSES = (IN_QUEUE, IN_PROGRESS, DONE, CANCELLED, FATAL)
_QUEUE_SHARE = 0.2


def check_job_id(value: str, name: str) -> None:
    """400 for an id that cannot be a job id at all; the caller answers 404 for a well-formed unknown one.

    Report, report schedule, feed and Data Kiosk query ids are numeric (Amazon's and the emulator's). Amazon's
    sandbox examples answer 400 InvalidInput for malformed ids (``badReportId1``, ``badFeedId1``,
    ``InvalidQueryId1``) and 404 NotFound only for ids that are valid but unknown.
    """
    if not value.isdigit():
        raise invalid_input("Invalid input", f"Invalid {name}: {value}.")


@dataclass
class Job:
    job_id: str
    seller_id: str
    application_id: str
    created: float
    queued_until: float
    finishes: float
    outcome: str
    document_id: str | None = None
    cancelled_at: float | None = None
    notified: bool = False
    # Whatever the API needs to render the job (reportType, marketplaceIds, query...).
    attrs: dict[str, Any] = field(default_factory=dict)

    def status(self, now: float) -> str:
        if self.cancelled_at is not None:
            return CANCELLED
        if now < self.queued_until:
            return IN_QUEUE
        if now < self.finishes:
            return IN_PROGRESS
        return self.outcome

    def finished_at(self, now: float) -> float | None:
        if self.cancelled_at is not None:
            return self.cancelled_at
        return self.finishes if now >= self.finishes else None

    def timing(self, now: float) -> dict[str, str]:
        """``createdTime`` and, when reached, ``processingStartTime`` / ``processingEndTime``."""
        out = {"createdTime": iso_ts(self.created)}
        status = self.status(now)
        if self.cancelled_at is None and status != IN_QUEUE:
            out["processingStartTime"] = iso_ts(self.queued_until)
            if status != IN_PROGRESS:
                out["processingEndTime"] = iso_ts(self.finishes)
        return out

    def visible_document(self, now: float) -> str | None:
        """The result document id once the job finished with one."""
        return self.document_id if self.status(now) in (DONE, FATAL) else None


# 2020-01-01T00:00:00Z: ids count tenths of a second from it (see `first_number`).
_IDS_EPOCH = 1_577_836_800.0


def first_number() -> int:
    """Where a run's job ids start: the tenths of a second since 2020 at its start. A product keeps
    the ids it was given, and with ``--grants-file`` its sellers stay connected across a restart; so
    a restarted emulator must never hand out an id an earlier run did, which holds while a run makes
    fewer than ten jobs a second on average."""
    return int((time.time() - _IDS_EPOCH) * 10)


@dataclass
class JobStore:
    kind: str
    jobs: dict[str, Job] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: int = field(default_factory=first_number)

    def add(self, job: Job) -> Job:
        with self.lock:
            self.jobs[job.job_id] = job
        return job

    def next_number(self, base: int) -> int:
        with self.lock:
            self.counter += 1
            return base + self.counter

    def for_seller(self, seller_id: str) -> list[Job]:
        with self.lock:
            return [j for j in self.jobs.values() if j.seller_id == seller_id]


def new_job(
    state: EmulatorState,
    job_id: str,
    seller_id: str,
    application_id: str,
    processing_seconds: float,
    outcome: str,
    document_id: str | None,
    attrs: dict[str, Any],
) -> Job:
    now = state.clock.time()
    duration = state.clock.real_duration(processing_seconds)
    return Job(
        job_id,
        seller_id,
        application_id,
        now,
        now + duration * _QUEUE_SHARE,
        now + duration,
        outcome,
        document_id,
        attrs=attrs,
    )


def cancel(job: Job, now: float) -> bool:
    """Cancel a queued job; ``False`` when it already started."""
    if job.status(now) != IN_QUEUE:
        return False
    job.cancelled_at = now
    return True


def settle(state: EmulatorState, jobs: JobStore, event_type: str, event: Callable[[Job, str], Any]) -> None:
    """Publish ``event_type`` once for every job that finished since the last look."""
    now = state.clock.time()
    with jobs.lock:
        finished = [j for j in jobs.jobs.values() if not j.notified and j.finished_at(now) is not None]
        for job in finished:
            job.notified = True
    for job in finished:
        state.events.publish(event_type, event(job, job.status(now)))
