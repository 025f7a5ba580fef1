"""Ads reporting v3 as an `AsyncDocumentSource` (what `app.documents` asks, checks and reads), for one
profile's client (`AdsClient.for_profile`).

* submit: createAsyncReport with the request body; a 425 (an identical report still being made)
  joins that report instead of failing (`AdsClient.create_report`), whatever `reuse` says: Amazon
  itself refuses the duplicate.
* status: getAsyncReport. PENDING and PROCESSING are in flight, COMPLETED is done (its document is
  the report itself: `document_id` = the report id), FAILED is fatal (Amazon offers no error
  document; the caller asks for the window again later).
* rows: the file through a fresh URL from getAsyncReport (it expires within the hour), in blocks
  of the report type's rows (`row_type`: `reports.AdvertisedProductRow`, `PurchasedProductRow`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from app.adsapi.client import AdsClient
from app.amazon_http.jobs import JobState, JobStatus

_STATES: dict[str, JobState] = {
    "PENDING": "pending",
    "PROCESSING": "pending",
    "COMPLETED": "done",
    "FAILED": "fatal",
}


class AdsReportSource:
    def __init__(self, client: AdsClient, row_type: type[Any]) -> None:
        if client.profile_id is None:
            raise ValueError("Ads reports belong to a profile: use client.for_profile(profile_id)")
        self.client = client
        self.row_type = row_type

    async def submit(self, request: dict[str, Any], *, reuse: bool = True) -> str:
        report = await self.client.create_report(request)
        return report.report_id

    async def status(self, job_id: str) -> JobStatus:
        report = await self.client.get_report(job_id)
        state = _STATES.get(report.status, "pending")
        return JobStatus(
            job_id=report.report_id,
            state=state,
            processing_status=report.status,
            document_id=report.report_id if state == "done" else None,
            created_at=report.created_at,
        )

    async def rows(self, status: JobStatus) -> AsyncIterator[list[Any]]:
        """Blocks of rows (lists of `row_type`), not single rows: per row, each layer between the
        download and the upsert would cost more than decoding the row."""
        report = await self.client.get_report(status.job_id)
        async for block in self.client.report_blocks(report, self.row_type):
            yield block
