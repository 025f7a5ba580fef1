"""Data Kiosk 2023-11-15: GraphQL queries over the seller's data, results as JSON Lines documents.

createQuery parses the query (400 ``InvalidInput`` when it is not GraphQL, too long, or selects a dataset
Data Kiosk does not have, as the official example answers); a query that selects fields or arguments its
dataset's schema does not have (see :mod:`._datakiosk_sdl`), or whose argument values are wrong, ends FATAL
with an error document naming the problem. A query without data ends DONE without ``dataDocumentId``. The
status moves like a report's over ``query_processing_seconds`` (Amazon seconds, scaled).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse
from graphql import GraphQLError

from amazon_emulator.apis._datakiosk_schema import QueryError, UnknownDataset, parse_query, run
from amazon_emulator.apis._documents import check_document_id, new_key, signed_url, store, store_content
from amazon_emulator.apis._jobs import (
    CANCELLED,
    DONE,
    FATAL,
    IN_PROGRESS,
    IN_QUEUE,
    STATUSES,
    Job,
    JobStore,
    check_job_id,
    new_job,
    settle,
)
from amazon_emulator.apis._outcomes import take
from amazon_emulator.apis._pages import csv_param, load_token, page_size, save_token, time_param
from amazon_emulator.auth import Caller, sp_operation
from amazon_emulator.errors import invalid_input, not_found, unauthorized
from amazon_emulator.state import EmulatorState, get_state

router = APIRouter(tags=["Data Kiosk"])
MAX_QUERY_CHARS = 8000
RETENTION_SECONDS = 90 * 86400.0

CreateQuery = Annotated[Caller, Depends(sp_operation("dataKiosk.createQuery"))]
GetQuery = Annotated[Caller, Depends(sp_operation("dataKiosk.getQuery"))]
GetQueries = Annotated[Caller, Depends(sp_operation("dataKiosk.getQueries"))]
CancelQuery = Annotated[Caller, Depends(sp_operation("dataKiosk.cancelQuery"))]
GetDocument = Annotated[Caller, Depends(sp_operation("dataKiosk.getDocument"))]


def jobs(state: EmulatorState) -> JobStore:
    return state.extension("datakiosk", lambda: JobStore("datakiosk"))


def _event(job: Job, status: str) -> dict[str, Any]:
    event: dict[str, Any] = {
        "selling_partner_id": job.seller_id,
        "application_id": job.application_id,
        "queryId": job.job_id,
        "query": job.attrs["query"],
        "processingStatus": status,
    }
    if status == DONE and job.document_id:
        event["dataDocumentId"] = job.document_id
    if status == FATAL and job.document_id:
        event["errorDocumentId"] = job.document_id
    return event


def settle_jobs(state: EmulatorState) -> None:
    settle(state, jobs(state), "DATA_KIOSK_QUERY_PROCESSING_FINISHED", _event)


def _render(job: Job, now: float) -> dict[str, Any]:
    status = job.status(now)
    body: dict[str, Any] = {"queryId": job.job_id, "query": job.attrs["query"], "processingStatus": status}
    body.update(job.timing(now))
    document = job.visible_document(now)
    if document is not None:
        body["dataDocumentId" if status == DONE else "errorDocumentId"] = document
    return body


def _error(exc: Exception | str) -> str:
    return json.dumps({"errorMessage": str(exc)})


@router.post("/dataKiosk/2023-11-15/queries", status_code=202)
async def create_query(
    request: Request, caller: CreateQuery, body: Annotated[Any, Body()] = None
) -> JSONResponse:
    seller_id = caller.require_seller()
    state = get_state(request)
    seller = state.seller(seller_id)
    if seller is None:
        raise unauthorized("")
    text = body.get("query") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise invalid_input("query is required.")
    if len(re.sub(r"\s+", " ", text).strip()) > MAX_QUERY_CHARS:
        raise invalid_input(f"The query exceeds {MAX_QUERY_CHARS} characters after removing whitespace.")
    if isinstance(body, dict) and body.get("paginationToken") is not None:
        raise invalid_input("The paginationToken is invalid or expired.")
    try:
        dataset, document = parse_query(text)
    except GraphQLError as exc:
        raise invalid_input("The provided query is invalid.", exc.message) from None
    except UnknownDataset as exc:
        # As the official example for an unknown dataset: 400 at creation, not a FATAL query.
        raise invalid_input("The provided query is invalid.", str(exc)) from None
    except QueryError as exc:
        outcome, data, content_type = FATAL, _error(exc), "application/json"
    else:
        try:
            records = run(dataset, document, seller, state.clock.time())
        except QueryError as exc:
            outcome, data, content_type = FATAL, _error(exc), "application/json"
        else:
            outcome, content_type = DONE, "application/x-ndjson"
            data = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records)
    forced = take(state, seller_id, "datakiosk")
    if forced == CANCELLED:
        outcome, data = CANCELLED, ""
    elif forced == FATAL:
        outcome, data, content_type = (
            FATAL,
            _error("The query could not be processed. Please retry."),
            "application/json",
        )
    document_id = None
    if data:
        document_id = new_key("DK")
        # Data Kiosk documents have no compressionAlgorithm field: serve them uncompressed.
        store_content(state, document_id, data.encode(), content_type, allow_gzip=False)
    store_ = jobs(state)
    query_id = str(store_.next_number(80_000_000_000))
    job = new_job(
        state, query_id, seller_id, caller.application_id, state.config.query_processing_seconds,
        outcome, document_id, {"query": text},
    )  # fmt: skip
    store_.add(job)
    return JSONResponse({"queryId": query_id}, status_code=202)


def _own(state: EmulatorState, caller: Caller, query_id: str) -> Job:
    check_job_id(query_id, "queryId")
    job = jobs(state).jobs.get(query_id)
    if job is None or job.seller_id != caller.require_seller():
        raise not_found("The provided queryId was not found.")
    return job


@router.get("/dataKiosk/2023-11-15/queries/{queryId}")
async def get_query(queryId: str, request: Request, caller: GetQuery) -> dict[str, Any]:
    state = get_state(request)
    job = _own(state, caller, queryId)
    settle_jobs(state)
    return _render(job, state.clock.time())


@router.delete("/dataKiosk/2023-11-15/queries/{queryId}", status_code=204)
async def cancel_query(queryId: str, request: Request, caller: CancelQuery) -> Response:
    state = get_state(request)
    job = _own(state, caller, queryId)
    now = state.clock.time()
    status = job.status(now)
    if status in (IN_QUEUE, IN_PROGRESS):
        job.cancelled_at = now
    elif status != CANCELLED:
        raise invalid_input(f"Query {queryId} has already finished processing.")
    settle_jobs(state)
    return Response(status_code=204)


@router.get("/dataKiosk/2023-11-15/queries")
async def get_queries(request: Request, caller: GetQueries) -> dict[str, Any]:
    state = get_state(request)
    seller_id = caller.require_seller()
    settle_jobs(state)
    q = request.query_params
    now = state.clock.time()
    filters = {k: q.get(k) for k in ("processingStatuses", "createdSince", "createdUntil")}
    size = page_size(q.get("pageSize"), 1, 100, 10)
    token = q.get("paginationToken")
    if token is not None:
        snapshot = load_token(state, token, "paginationToken")
        if snapshot["seller"] != seller_id or snapshot["filters"] != filters:
            raise invalid_input("The paginationToken does not match the other parameters of the request.")
        ids = snapshot["ids"]
    else:
        statuses = csv_param(request, "processingStatuses")
        if statuses and any(s not in STATUSES for s in statuses):
            raise invalid_input(f"processingStatuses must be among {', '.join(STATUSES)}.")
        since = time_param(filters["createdSince"], "createdSince")
        until = time_param(filters["createdUntil"], "createdUntil")
        since = now - RETENTION_SECONDS if since is None else since
        until = now if until is None else until
        selected = [
            j
            for j in jobs(state).for_seller(seller_id)
            if (not statuses or j.status(now) in statuses) and since <= j.created <= until
        ]
        selected.sort(key=lambda j: (j.created, int(j.job_id)), reverse=True)
        ids = [j.job_id for j in selected]
    page, rest = ids[:size], ids[size:]
    store_ = jobs(state)
    body: dict[str, Any] = {"queries": [_render(store_.jobs[i], now) for i in page if i in store_.jobs]}
    if rest:
        token = save_token(state, {"seller": seller_id, "ids": rest, "filters": filters})
        body["pagination"] = {"nextToken": token}
    return body


@router.get("/dataKiosk/2023-11-15/documents/{documentId}")
async def get_document(documentId: str, request: Request, caller: GetDocument) -> dict[str, Any]:
    state = get_state(request)
    seller_id = caller.require_seller()
    check_document_id(documentId, "documentId")
    now = state.clock.time()
    mine = any(j.visible_document(now) == documentId for j in jobs(state).for_seller(seller_id))
    if not mine or store(state).get(documentId) is None:
        raise not_found("The provided documentId was not found.")
    return {"documentId": documentId, "documentUrl": signed_url(state, request, documentId)}
