"""Reports API 2021-06-30: create (or reuse an identical in-flight report), poll, document, rows."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.amazon_http.documents import fresh_document_rows
from app.amazon_http.jobs import JobStatus, job_state
from app.spapi.auth import RestrictedResource
from app.spapi.primitives import Operation, QueryValue, SpApiCaller, iso_z

_BASE = "/reports/2021-06-30"
CREATE_REPORT = Operation("reports", "createReport", "POST", f"{_BASE}/reports")
GET_REPORTS = Operation("reports", "getReports", "GET", f"{_BASE}/reports")
GET_REPORT = Operation("reports", "getReport", "GET", f"{_BASE}/reports/{{reportId}}")
CANCEL_REPORT = Operation("reports", "cancelReport", "DELETE", f"{_BASE}/reports/{{reportId}}")
GET_REPORT_DOCUMENT = Operation(
    "reports", "getReportDocument", "GET", f"{_BASE}/documents/{{reportDocumentId}}"
)

# Report types whose documents hold buyer PII: getReportDocument needs an RDT for them.
RESTRICTED_REPORT_TYPES = frozenset(
    {
        "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL",
        "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_INVOICING",
        "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_TAX",
        "GET_FLAT_FILE_ACTIONABLE_ORDER_DATA_SHIPPING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_INVOICING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_SHIPPING",
        "GET_FLAT_FILE_ORDER_REPORT_DATA_TAX",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_INVOICING",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_SHIPPING",
        "GET_FLAT_FILE_ORDERS_RECONCILIATION_DATA_TAX",
        "GET_ORDER_REPORT_DATA_INVOICING",
        "GET_ORDER_REPORT_DATA_SHIPPING",
        "GET_ORDER_REPORT_DATA_TAX",
        "GET_EASYSHIP_DOCUMENTS",
        "GET_GST_MTR_B2B_CUSTOM",
        "GET_VAT_TRANSACTION_DATA",
        "SC_VAT_TAX_REPORT",
    }
)


@dataclass(frozen=True)
class ReportSpec:
    report_type: str
    marketplace_ids: Sequence[str]
    data_start_time: datetime | None = None
    data_end_time: datetime | None = None
    report_options: Mapping[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"reportType": self.report_type, "marketplaceIds": list(self.marketplace_ids)}
        if self.data_start_time:
            body["dataStartTime"] = iso_z(self.data_start_time)
        if self.data_end_time:
            body["dataEndTime"] = iso_z(self.data_end_time)
        if self.report_options:
            body["reportOptions"] = dict(self.report_options)
        return body


class Report(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    report_id: str = Field(alias="reportId")
    report_type: str = Field(alias="reportType")
    processing_status: str = Field(alias="processingStatus")
    created_time: datetime = Field(alias="createdTime")
    marketplace_ids: list[str] = Field(default_factory=list, alias="marketplaceIds")
    data_start_time: datetime | None = Field(default=None, alias="dataStartTime")
    data_end_time: datetime | None = Field(default=None, alias="dataEndTime")
    report_document_id: str | None = Field(default=None, alias="reportDocumentId")

    def matches(self, spec: ReportSpec) -> bool:
        """Same type, marketplaces and window (to the second): Amazon would produce the same file."""

        def same(a: datetime | None, b: datetime | None) -> bool:
            return a is None or b is None or abs((a - b).total_seconds()) < 1

        return (
            self.report_type == spec.report_type
            and sorted(self.marketplace_ids) == sorted(spec.marketplace_ids)
            and same(self.data_start_time, spec.data_start_time)
            and same(self.data_end_time, spec.data_end_time)
        )


class ReportDocument(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    report_document_id: str = Field(alias="reportDocumentId")
    url: str = Field(repr=False)
    compression_algorithm: str | None = Field(default=None, alias="compressionAlgorithm")


class ReportsApi:
    def __init__(self, client: SpApiCaller) -> None:
        self._client = client
        # report id -> report type, so the document call knows whether an RDT is needed.
        self._types: dict[str, str] = {}

    async def create_report(self, spec: ReportSpec) -> str:
        answer = await self._client.call_json(CREATE_REPORT, json=spec.body())
        report_id = str(answer["reportId"])
        self._types[report_id] = spec.report_type
        return report_id

    async def get_report(self, report_id: str) -> Report:
        answer = await self._client.call_json(GET_REPORT, path_params={"reportId": report_id})
        report = Report.model_validate(answer)
        self._types[report.report_id] = report.report_type
        return report

    async def list_reports(
        self,
        report_types: Sequence[str],
        *,
        processing_statuses: Sequence[str] = (),
        marketplace_ids: Sequence[str] = (),
        created_since: datetime | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[Report]:
        params: dict[str, QueryValue] = {
            "reportTypes": list(report_types),
            "processingStatuses": list(processing_statuses),
            "marketplaceIds": list(marketplace_ids),
            "createdSince": created_since,
            "pageSize": page_size,
        }
        while True:
            answer = await self._client.call_json(GET_REPORTS, params=params)
            for item in answer.get("reports") or []:
                yield Report.model_validate(item)
            token = answer.get("nextToken")
            if not token:
                return
            # Amazon rejects nextToken together with any other parameter.
            params = {"nextToken": token}

    async def cancel_report(self, report_id: str) -> None:
        await self._client.call(CANCEL_REPORT, path_params={"reportId": report_id})

    async def get_report_document(self, document_id: str, *, restricted: bool = False) -> ReportDocument:
        path = GET_REPORT_DOCUMENT.render({"reportDocumentId": document_id})
        answer = await self._client.call_json(
            GET_REPORT_DOCUMENT,
            path_params={"reportDocumentId": document_id},
            restricted=[RestrictedResource.of("GET", path)] if restricted else None,
        )
        return ReportDocument.model_validate(answer)

    async def find_in_flight(self, spec: ReportSpec) -> Report | None:
        async for report in self.list_reports(
            [spec.report_type],
            processing_statuses=["IN_QUEUE", "IN_PROGRESS"],
            marketplace_ids=spec.marketplace_ids,
        ):
            if report.matches(spec):
                return report
        return None

    # AsyncDocumentSource -----------------------------------------------------------------------

    async def submit(self, request: ReportSpec, *, reuse: bool = True) -> str:
        if reuse:
            existing = await self.find_in_flight(request)
            if existing is not None:
                self._types[existing.report_id] = existing.report_type
                return existing.report_id
        return await self.create_report(request)

    async def status(self, job_id: str) -> JobStatus:
        report = await self.get_report(job_id)
        state = job_state(report.processing_status)
        return JobStatus(
            job_id=report.report_id,
            state=state,
            processing_status=report.processing_status,
            document_id=report.report_document_id if state == "done" else None,
            error_document_id=report.report_document_id if state == "fatal" else None,
            created_at=report.created_time,
        )

    async def rows(self, status: JobStatus) -> AsyncIterator[dict[str, Any]]:
        document_id = status.document_id or status.error_document_id
        if document_id is None:
            return
        restricted = self._types.get(status.job_id, "") in RESTRICTED_REPORT_TYPES
        async for row in self.document_rows(document_id, restricted=restricted):
            yield row

    async def document_rows(
        self, document_id: str, *, restricted: bool = False
    ) -> AsyncIterator[dict[str, Any]]:
        # Fetch the record and download at once: the URL lives about five minutes. The stream sniffs
        # the gzip magic rather than trust compressionAlgorithm alone: with a Content-Encoding header
        # the bytes arrive already decoded.
        async def fresh_url() -> str:
            return (await self.get_report_document(document_id, restricted=restricted)).url

        async for row in fresh_document_rows(self._client.transport.http, fresh_url):
            yield row


__all__ = ["RESTRICTED_REPORT_TYPES", "Report", "ReportDocument", "ReportSpec", "ReportsApi"]
