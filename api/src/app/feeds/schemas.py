"""Feeds API shapes. Requests take snake_case or Amazon's camelCase names (`inputFeedDocumentId`);
answers are snake_case like every other route. Times are ISO-8601 UTC."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AliasGenerator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

FeedStatus = Literal[
    "draft", "pending", "uploaded", "submitting", "processing", "done", "cancelled", "fatal", "error"
]
ResultStatus = Literal["accepted", "warning", "error"]


class _CamelIn(BaseModel):
    # camelCase accepted on the way in only: a model that is also answered (`BulkRowIn`, in
    # `BulkRowsOut`) comes out snake_case like every other answer.
    model_config = ConfigDict(
        alias_generator=AliasGenerator(validation_alias=to_camel), populate_by_name=True, extra="forbid"
    )


class FeedDocumentCreate(_CamelIn):
    connection_id: uuid.UUID
    content_type: str = Field(
        min_length=1,
        max_length=100,
        description="What the file is, told to Amazon and sent with the upload "
        "(e.g. `application/json; charset=UTF-8`, `text/tab-separated-values; charset=UTF-8`)",
    )


class FeedDocumentOut(BaseModel):
    feed_id: uuid.UUID
    upload_url: str = Field(description="Ours (`PUT` the file there), never Amazon's pre-signed URL")
    content_type: str
    max_bytes: int


class FeedCreate(_CamelIn):
    input_feed_document_id: uuid.UUID = Field(description="The `feed_id` createDocument answered")
    feed_type: str = Field(min_length=1, max_length=100, description="Amazon's feedType")
    marketplace_ids: list[str] = Field(min_length=1, max_length=25)
    feed_options: dict[str, str] | None = Field(default=None, description="Amazon's feedOptions")


class FeedSummaryOut(BaseModel):
    errors: int = 0
    warnings: int = 0
    messages_processed: int = 0
    messages_accepted: int = 0
    messages_invalid: int = 0


class FeedOut(BaseModel):
    id: uuid.UUID
    connection_id: uuid.UUID
    feed_type: str = Field(description="Empty while a raw feed is a draft (createFeed names it)")
    marketplace_ids: list[str]
    source: Literal["bulk", "raw"]
    status: FeedStatus
    processing_status: str | None = Field(description="Amazon's processingStatus as last seen")
    amazon_feed_id: str | None
    content_type: str | None
    message_count: int | None
    summary: FeedSummaryOut | None = Field(description="The processing report's counts, once read")
    error: str | None = Field(description="A sentence for the user when the feed did not go through")
    input_size_bytes: int | None
    has_report: bool = Field(description="Amazon's processing report is stored (GET .../report)")
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


class FeedsPage(BaseModel):
    items: list[FeedOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class FeedResultIssueOut(BaseModel):
    code: str
    severity: str
    message: str
    attribute_names: list[str] = Field(default_factory=list)


class FeedResultOut(BaseModel):
    message_id: int
    sku: str | None
    status: ResultStatus
    issues: list[FeedResultIssueOut]


class FeedResultCounts(BaseModel):
    accepted: int
    warning: int
    error: int


class FeedResultsPage(BaseModel):
    items: list[FeedResultOut]
    next_cursor: str | None
    counts: FeedResultCounts


class FeedIssueOut(BaseModel):
    line: int | None = Field(description="CSV line (header = 1), or the message's position in a JSON feed")
    sku: str | None
    field: str | None = Field(description="CSV column, or a JSON pointer inside the message")
    message: str


class BulkRowIn(_CamelIn):
    line: int = Field(ge=1, description="The CSV line (or the panel's row number)")
    sku: str = ""
    price: str = ""
    currency: str = ""
    quantity: str = ""
    handling_time: str = ""


class BulkRowsOut(BaseModel):
    rows: list[BulkRowIn]
    issues: list[FeedIssueOut]


class BulkFeedIn(_CamelIn):
    connection_id: uuid.UUID
    marketplace_id: str
    rows: list[BulkRowIn] = Field(min_length=1)


class BulkCheckOut(BaseModel):
    issues: list[FeedIssueOut]
    message_count: int
    feed_count: int = Field(
        description="How many feeds the rows make: Amazon takes at most 25,000 messages in one listings "
        "feed, so more rows are sent as several feeds, in file order (0 while there are issues)"
    )
    schema_checked: bool = Field(description="False only when Amazon's feed schemas are not installed")


class BulkSubmitted(BaseModel):
    feeds: list[FeedOut] = Field(
        description="The feeds the rows were sent as, in file order (the first rows' feed first); each "
        "holds at most 25,000 messages, numbered 1..n within it"
    )


class FeedIssuesErrorBody(BaseModel):
    code: str
    message: str
    request_id: str
    issues: list[FeedIssueOut]


class FeedIssuesError(BaseModel):
    """A 422 that names what is wrong, line by line."""

    error: FeedIssuesErrorBody
