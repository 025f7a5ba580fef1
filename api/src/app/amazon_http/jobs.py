"""The interface Reports and Data Kiosk share (FEATURE_USE_DATA_KIOSK picks one; callers don't care).

submit -> status (one poll, never sleeps: workers reschedule between polls) -> rows. `wait()` is a
convenience for short jobs in tests and the emulator demo.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, TypeVar

JobState = Literal["pending", "done", "cancelled", "fatal"]
RequestT = TypeVar("RequestT", contravariant=True)

_STATE = {
    "IN_QUEUE": "pending",
    "IN_PROGRESS": "pending",
    "DONE": "done",
    "CANCELLED": "cancelled",
    "FATAL": "fatal",
}


def job_state(processing_status: str) -> JobState:
    state = _STATE.get(processing_status, "pending")
    return state  # type: ignore[return-value]


@dataclass(frozen=True)
class JobStatus:
    job_id: str
    state: JobState
    processing_status: str
    # Set when state == "done" and there is data. CANCELLED usually means "no data" for reports.
    document_id: str | None = None
    # FATAL reports and failed queries may carry an error document.
    error_document_id: str | None = None
    # Amazon's createdTime: how long to wait before the next poll grows with the job's age.
    created_at: datetime | None = None


class AsyncDocumentSource(Protocol[RequestT]):
    async def submit(self, request: RequestT, *, reuse: bool = True) -> str:
        """Start a job (or reuse an identical one still in flight); returns its id."""
        ...

    async def status(self, job_id: str) -> JobStatus: ...

    def rows(self, status: JobStatus) -> AsyncIterator[Any]:
        """The result's rows, downloaded and parsed as a stream. Their shape is the source's: a
        dict per row of an SP-API document, a block of typed rows of an Ads report; the dataset
        that picks the source (`Dataset.document_source`) reads them."""
        ...


async def wait_for(
    source: AsyncDocumentSource[Any], job_id: str, *, poll_s: float = 2.0, timeout_s: float = 600.0
) -> JobStatus:
    deadline = time.monotonic() + timeout_s
    while True:
        status = await source.status(job_id)
        if status.state != "pending":
            return status
        if time.monotonic() >= deadline:
            raise TimeoutError(f"job {job_id} still {status.processing_status} after {timeout_s}s")
        await asyncio.sleep(poll_s)
