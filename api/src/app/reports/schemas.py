"""Reports API shapes. Requests take the customer's camelCase names (snake_case accepted too);
answers are snake_case like every other route. Times are ISO-8601 UTC."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

ReportStatus = Literal["pending", "processing", "done", "cancelled", "fatal", "error"]
Every = Literal["day", "week", "month"]


class _CamelIn(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class ReportCreate(_CamelIn):
    connection_id: uuid.UUID
    report_type: str = Field(description="Amazon's reportType, from GET /api/reports/catalogue")
    marketplace_ids: list[str] = Field(min_length=1)
    data_start_time: datetime | None = Field(
        default=None, description="For types with dates; default: the 7 whole days (UTC) before today"
    )
    data_end_time: datetime | None = Field(default=None, description="Default: the end of yesterday (UTC)")
    report_options: dict[str, str] | None = Field(
        default=None, description="Amazon's reportOptions; the catalogue's defaults apply otherwise"
    )


class ScheduleCreate(_CamelIn):
    connection_id: uuid.UUID
    report_type: str
    marketplace_ids: list[str] = Field(min_length=1)
    every: Every
    range_days: int | None = Field(
        default=None, ge=1, description="Days each run covers (types with dates); default: the period"
    )


class StoredDocumentOut(BaseModel):
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str


class ReportOut(BaseModel):
    id: uuid.UUID
    connection_id: uuid.UUID
    report_type: str
    title: str
    marketplace_ids: list[str]
    data_start: datetime | None
    data_end: datetime | None
    options: dict[str, str]
    status: ReportStatus
    processing_status: str | None = Field(description="Amazon's processingStatus as last seen")
    via: Literal["report", "datakiosk"] = Field(description="Reports API or Data Kiosk (the tenant's flag)")
    source: Literal["user", "schedule", "settlement"]
    amazon_id: str | None = Field(description="Amazon's reportId (or Data Kiosk's queryId)")
    error: str | None = Field(description="A sentence for the user when the report did not give data")
    error_document: str | None = Field(description="Amazon's FATAL error document (first 10 kB)")
    document: StoredDocumentOut | None
    rows_loaded: int | None
    schedule_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


class ReportsPage(BaseModel):
    reports: list[ReportOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class ReportKindOut(BaseModel):
    report_type: str
    title: str
    description: str
    requestable: bool = Field(description="False: Amazon produces it on its own (settlements)")
    needs_dates: bool
    max_range_days: int | None
    max_age_days: int | None
    single_marketplace: bool
    datakiosk_dataset: str | None
    tables: list[str]
    has_rows: bool = Field(description="Its rows are loaded into tables the rows API serves")


class ScheduleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    connection_id: uuid.UUID
    report_type: str
    marketplace_ids: list[str]
    every: Every
    range_days: int | None
    next_run_at: datetime
    last_report_id: uuid.UUID | None
    created_at: datetime
