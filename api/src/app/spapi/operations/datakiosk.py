"""Data Kiosk 2023-11-15: GraphQL queries with the same submit/status/rows interface as Reports."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.amazon_http.documents import fresh_document_rows
from app.amazon_http.jobs import JobStatus, job_state
from app.spapi.primitives import Operation, QueryValue, SpApiCaller

_BASE = "/dataKiosk/2023-11-15"
CREATE_QUERY = Operation("dataKiosk", "createQuery", "POST", f"{_BASE}/queries")
GET_QUERIES = Operation("dataKiosk", "getQueries", "GET", f"{_BASE}/queries")
GET_QUERY = Operation("dataKiosk", "getQuery", "GET", f"{_BASE}/queries/{{queryId}}")
CANCEL_QUERY = Operation("dataKiosk", "cancelQuery", "DELETE", f"{_BASE}/queries/{{queryId}}")
GET_DOCUMENT = Operation("dataKiosk", "getDocument", "GET", f"{_BASE}/documents/{{documentId}}")

MAX_QUERY_LENGTH = 8000


def compact(query: str) -> str:
    """Whitespace collapsed: Amazon's 8,000-character limit counts the query without it."""
    return re.sub(r"\s+", " ", query).strip()


@dataclass(frozen=True)
class QuerySpec:
    query: str
    pagination_token: str | None = None


class Query(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    query_id: str = Field(alias="queryId")
    query: str
    processing_status: str = Field(alias="processingStatus")
    created_time: datetime = Field(alias="createdTime")
    data_document_id: str | None = Field(default=None, alias="dataDocumentId")
    error_document_id: str | None = Field(default=None, alias="errorDocumentId")
    pagination: dict[str, Any] | None = None

    @property
    def next_token(self) -> str | None:
        return (self.pagination or {}).get("nextToken")


class DataKioskDocument(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    document_id: str = Field(alias="documentId")
    document_url: str = Field(alias="documentUrl", repr=False)


class DataKioskApi:
    def __init__(self, client: SpApiCaller) -> None:
        self._client = client

    async def create_query(self, query: str, *, pagination_token: str | None = None) -> str:
        text = compact(query)
        if len(text) > MAX_QUERY_LENGTH:
            raise ValueError(f"Data Kiosk queries are limited to {MAX_QUERY_LENGTH} characters")
        body: dict[str, Any] = {"query": text}
        if pagination_token:
            body["paginationToken"] = pagination_token
        answer = await self._client.call_json(CREATE_QUERY, json=body)
        return str(answer["queryId"])

    async def get_query(self, query_id: str) -> Query:
        return Query.model_validate(
            await self._client.call_json(GET_QUERY, path_params={"queryId": query_id})
        )

    async def list_queries(
        self, *, processing_statuses: Sequence[str] = (), page_size: int = 100
    ) -> AsyncIterator[Query]:
        params: dict[str, QueryValue] = {
            "processingStatuses": list(processing_statuses),
            "pageSize": page_size,
        }
        token: str | None = None
        while True:
            # Unlike Reports, the other parameters must be repeated with the pagination token.
            answer = await self._client.call_json(GET_QUERIES, params={**params, "paginationToken": token})
            for item in answer.get("queries") or []:
                yield Query.model_validate(item)
            token = (answer.get("pagination") or {}).get("nextToken")
            if not token:
                return

    async def cancel_query(self, query_id: str) -> None:
        await self._client.call(CANCEL_QUERY, path_params={"queryId": query_id})

    async def get_document(self, document_id: str) -> DataKioskDocument:
        answer = await self._client.call_json(GET_DOCUMENT, path_params={"documentId": document_id})
        return DataKioskDocument.model_validate(answer)

    async def find_in_flight(self, spec: QuerySpec) -> Query | None:
        text = compact(spec.query)
        async for query in self.list_queries(processing_statuses=["IN_QUEUE", "IN_PROGRESS"]):
            if compact(query.query) == text:
                return query
        return None

    # AsyncDocumentSource -----------------------------------------------------------------------

    async def submit(self, request: QuerySpec, *, reuse: bool = True) -> str:
        if reuse and request.pagination_token is None:
            existing = await self.find_in_flight(request)
            if existing is not None:
                return existing.query_id
        return await self.create_query(request.query, pagination_token=request.pagination_token)

    async def status(self, job_id: str) -> JobStatus:
        query = await self.get_query(job_id)
        state = job_state(query.processing_status)
        return JobStatus(
            job_id=query.query_id,
            state=state,
            processing_status=query.processing_status,
            document_id=query.data_document_id,
            error_document_id=query.error_document_id,
            created_at=query.created_time,
        )

    async def rows(self, status: JobStatus) -> AsyncIterator[dict[str, Any]]:
        document_id = status.document_id or status.error_document_id
        if document_id is None:
            return
        async for row in self.document_rows(document_id):
            yield row

    async def document_rows(self, document_id: str) -> AsyncIterator[dict[str, Any]]:
        # Data Kiosk says nothing about compression in the record; the stream sniffs it.
        async def fresh_url() -> str:
            return (await self.get_document(document_id)).document_url

        async for row in fresh_document_rows(self._client.transport.http, fresh_url):
            yield row
