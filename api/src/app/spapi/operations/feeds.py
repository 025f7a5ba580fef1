"""Feeds API 2021-06-30: document -> upload -> createFeed -> poll -> processing report."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.amazon_http.documents import fresh_document_rows, upload_document
from app.amazon_http.jobs import JobStatus, job_state
from app.spapi.primitives import Operation, QueryValue, SpApiCaller

_BASE = "/feeds/2021-06-30"
CREATE_FEED_DOCUMENT = Operation("feeds", "createFeedDocument", "POST", f"{_BASE}/documents")
CREATE_FEED = Operation("feeds", "createFeed", "POST", f"{_BASE}/feeds")
GET_FEED = Operation("feeds", "getFeed", "GET", f"{_BASE}/feeds/{{feedId}}")
GET_FEEDS = Operation("feeds", "getFeeds", "GET", f"{_BASE}/feeds")
CANCEL_FEED = Operation("feeds", "cancelFeed", "DELETE", f"{_BASE}/feeds/{{feedId}}")
GET_FEED_DOCUMENT = Operation("feeds", "getFeedDocument", "GET", f"{_BASE}/documents/{{feedDocumentId}}")


class FeedDocumentUpload(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    feed_document_id: str = Field(alias="feedDocumentId")
    url: str = Field(repr=False)


class FeedDocument(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    feed_document_id: str = Field(alias="feedDocumentId")
    url: str = Field(repr=False)
    compression_algorithm: str | None = Field(default=None, alias="compressionAlgorithm")


class Feed(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    feed_id: str = Field(alias="feedId")
    feed_type: str = Field(alias="feedType")
    processing_status: str = Field(alias="processingStatus")
    created_time: datetime = Field(alias="createdTime")
    marketplace_ids: list[str] = Field(default_factory=list, alias="marketplaceIds")
    result_feed_document_id: str | None = Field(default=None, alias="resultFeedDocumentId")


class FeedsApi:
    def __init__(self, client: SpApiCaller) -> None:
        self._client = client

    async def create_feed_document(self, content_type: str) -> FeedDocumentUpload:
        answer = await self._client.call_json(CREATE_FEED_DOCUMENT, json={"contentType": content_type})
        return FeedDocumentUpload.model_validate(answer)

    async def upload(
        self,
        document: FeedDocumentUpload,
        content: bytes | Callable[[], AsyncIterator[bytes]],
        content_type: str,
        *,
        size: int | None = None,
    ) -> None:
        """PUT the file to the document's pre-signed URL: bytes, or a function opening a stream of
        `size` bytes (see `upload_document`)."""
        await upload_document(self._client.transport.http, document.url, content, content_type, size=size)

    async def create_feed(
        self,
        feed_type: str,
        marketplace_ids: Sequence[str],
        input_feed_document_id: str,
        *,
        feed_options: Mapping[str, str] | None = None,
    ) -> str:
        body: dict[str, Any] = {
            "feedType": feed_type,
            "marketplaceIds": list(marketplace_ids),
            "inputFeedDocumentId": input_feed_document_id,
        }
        if feed_options:
            body["feedOptions"] = dict(feed_options)
        answer = await self._client.call_json(CREATE_FEED, json=body)
        return str(answer["feedId"])

    async def submit_feed(
        self,
        feed_type: str,
        marketplace_ids: Sequence[str],
        content: bytes,
        content_type: str,
        *,
        compress: bool = False,
        feed_options: Mapping[str, str] | None = None,
    ) -> str:
        """The whole submission: document, upload (right away: the URL lives minutes), createFeed."""
        document = await self.create_feed_document(content_type)
        await self.upload(document, gzip.compress(content) if compress else content, content_type)
        return await self.create_feed(
            feed_type, marketplace_ids, document.feed_document_id, feed_options=feed_options
        )

    async def get_feed(self, feed_id: str) -> Feed:
        return Feed.model_validate(await self._client.call_json(GET_FEED, path_params={"feedId": feed_id}))

    async def list_feeds(
        self,
        feed_types: Sequence[str],
        *,
        processing_statuses: Sequence[str] = (),
        marketplace_ids: Sequence[str] = (),
        created_since: datetime | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[Feed]:
        """getFeeds, newest first, every page (Amazon lists the feeds of this application and seller)."""
        params: dict[str, QueryValue] = {
            "feedTypes": list(feed_types),
            "processingStatuses": list(processing_statuses),
            "marketplaceIds": list(marketplace_ids),
            "createdSince": created_since,
            "pageSize": page_size,
        }
        while True:
            answer = await self._client.call_json(GET_FEEDS, params=params)
            for item in answer.get("feeds") or []:
                yield Feed.model_validate(item)
            token = answer.get("nextToken")
            if not token:
                return
            # Amazon rejects nextToken together with any other parameter.
            params = {"nextToken": token}

    async def cancel_feed(self, feed_id: str) -> None:
        await self._client.call(CANCEL_FEED, path_params={"feedId": feed_id})

    async def get_feed_document(self, document_id: str) -> FeedDocument:
        answer = await self._client.call_json(GET_FEED_DOCUMENT, path_params={"feedDocumentId": document_id})
        return FeedDocument.model_validate(answer)

    async def status(self, feed_id: str) -> JobStatus:
        feed = await self.get_feed(feed_id)
        state = job_state(feed.processing_status)
        # DONE still needs the processing report read: item-level errors live there.
        return JobStatus(
            feed.feed_id,
            state,
            feed.processing_status,
            feed.result_feed_document_id,
            created_at=feed.created_time,
        )

    async def result_rows(self, document_id: str) -> AsyncIterator[dict[str, Any]]:
        async def fresh_url() -> str:
            return (await self.get_feed_document(document_id)).url

        async for row in fresh_document_rows(self._client.transport.http, fresh_url):
            yield row
