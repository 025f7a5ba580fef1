"""Feeds API 2021-06-30: feed documents (upload URL), feeds and their processing reports.

createFeedDocument returns a pre-signed ``PUT`` URL (``/_documents/...``) bound to the content type; the feed
is processed when createFeed is called (the uploaded content as it is then) and its status moves IN_QUEUE ->
IN_PROGRESS -> DONE/FATAL over ``feed_processing_seconds`` (Amazon seconds, scaled). DONE and FATAL feeds have
a result document (the processing report), gzipped (``compressionAlgorithm: GZIP``) when it is over 64 KiB.
The accepted price and quantity changes of a JSON_LISTINGS_FEED apply to the seller's listings when the feed
is DONE (:mod:`._listing_changes`). ``FEED_PROCESSING_FINISHED`` is published when a feed is first seen
finished. The admin routes over feeds and listings are in :mod:`.feeds_admin`.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request, Response
from fastapi.responses import JSONResponse

from amazon_emulator.apis._documents import (
    Document,
    check_document_id,
    new_key,
    signed_url,
    store,
    store_content,
)
from amazon_emulator.apis._feeds_processing import SUPPORTED_FEEDS, Processed, process
from amazon_emulator.apis._jobs import (
    DONE,
    FATAL,
    STATUSES,
    Job,
    JobStore,
    cancel,
    check_job_id,
    new_job,
    settle,
)
from amazon_emulator.apis._listing_changes import NO_CHANGES, changes_for, schedule
from amazon_emulator.apis._listing_changes import settle as settle_changes
from amazon_emulator.apis._listings_feed import FeedContext, ListingLookup
from amazon_emulator.apis._outcomes import listing_count
from amazon_emulator.apis._pages import csv_param, load_token, page_size, save_token, time_param
from amazon_emulator.apis._reports_catalog import Listing, catalogue_positions, listing_of
from amazon_emulator.auth import Caller, sp_operation
from amazon_emulator.data.models import Seller
from amazon_emulator.errors import invalid_input, not_found
from amazon_emulator.state import EmulatorState, get_state

router = APIRouter(tags=["Feeds"])
RETENTION_SECONDS = 90 * 86400.0

CreateFeedDocument = Annotated[Caller, Depends(sp_operation("feeds.createFeedDocument"))]
CreateFeed = Annotated[Caller, Depends(sp_operation("feeds.createFeed"))]
GetFeed = Annotated[Caller, Depends(sp_operation("feeds.getFeed"))]
GetFeeds = Annotated[Caller, Depends(sp_operation("feeds.getFeeds"))]
CancelFeed = Annotated[Caller, Depends(sp_operation("feeds.cancelFeed"))]
GetFeedDocument = Annotated[Caller, Depends(sp_operation("feeds.getFeedDocument"))]


def jobs(state: EmulatorState) -> JobStore:
    return state.extension("feeds", lambda: JobStore("feeds"))


def _inputs(state: EmulatorState) -> dict[str, str]:
    """Input feed document id -> seller id."""
    return state.extension("feed_inputs", dict)


def _event(job: Job, status: str) -> dict[str, Any]:
    return {
        "selling_partner_id": job.seller_id,
        "application_id": job.application_id,
        "feedId": job.job_id,
        "feedType": job.attrs["feedType"],
        "processingStatus": status,
        "resultFeedDocumentId": job.document_id if status in (DONE, FATAL) else None,
    }


def settle_jobs(state: EmulatorState) -> None:
    settle(state, jobs(state), "FEED_PROCESSING_FINISHED", _event)
    settle_changes(state)


def listing_lookup(state: EmulatorState, seller: Seller) -> ListingLookup:
    """(marketplace, SKU) -> the seller's listing as the listings report shows it now."""
    count = listing_count(state, seller.selling_partner_id)
    now = state.clock.time()
    changes = {m: changes_for(state, seller.selling_partner_id, m) for m in seller.marketplace_ids()}
    positions = catalogue_positions(seller)
    seen: dict[tuple[str, str], Listing | None] = {}  # a message looks its SKU up more than once

    def lookup(marketplace_id: str, sku: str) -> Listing | None:
        key = (marketplace_id, sku)
        if key not in seen:
            applied = changes.get(marketplace_id, NO_CHANGES)
            seen[key] = listing_of(seller, marketplace_id, count, sku, now, applied, positions)
        return seen[key]

    return lookup


def _render(job: Job, now: float) -> dict[str, Any]:
    body: dict[str, Any] = {
        "feedId": job.job_id,
        "feedType": job.attrs["feedType"],
        "marketplaceIds": job.attrs["marketplaceIds"],
        "processingStatus": job.status(now),
    }
    body.update(job.timing(now))
    document = job.visible_document(now)
    if document is not None:
        body["resultFeedDocumentId"] = document
    return body


@router.post("/feeds/2021-06-30/documents", status_code=201)
async def create_feed_document(
    request: Request, caller: CreateFeedDocument, body: Annotated[Any, Body()] = None
) -> JSONResponse:
    seller_id = caller.require_seller()
    content_type = body.get("contentType") if isinstance(body, dict) else None
    if not isinstance(content_type, str) or not content_type.strip():
        raise invalid_input("contentType is required.")
    state = get_state(request)
    key = new_key("DOC")
    store(state).put(Document(key, b"", content_type, uploaded=False))
    _inputs(state)[key] = seller_id
    url = signed_url(state, request, key, "PUT", content_type)
    return JSONResponse({"feedDocumentId": key, "url": url}, status_code=201)


@router.post("/feeds/2021-06-30/feeds", status_code=202)
async def create_feed(
    request: Request, caller: CreateFeed, body: Annotated[Any, Body()] = None
) -> JSONResponse:
    seller_id = caller.require_seller()
    state = get_state(request)
    if not isinstance(body, dict):
        raise invalid_input("The request body must be a CreateFeedSpecification.")
    feed_type, markets, input_id = (
        body.get("feedType"),
        body.get("marketplaceIds"),
        body.get("inputFeedDocumentId"),
    )
    if not isinstance(feed_type, str) or not feed_type:
        raise invalid_input("feedType is required.")
    if feed_type not in SUPPORTED_FEEDS:
        raise invalid_input(f"Feed type {feed_type} is not supported by this emulator.")
    if not isinstance(markets, list) or not 1 <= len(markets) <= 25:
        raise invalid_input("marketplaceIds must contain between 1 and 25 marketplace ids.")
    seller = state.seller(seller_id)
    unknown = [m for m in markets if seller is None or m not in seller.marketplace_ids()]
    if unknown:
        raise invalid_input(f"Invalid marketplaceIds: {', '.join(map(str, unknown))}.")
    options = body.get("feedOptions")
    if options is not None and not (
        isinstance(options, dict) and all(isinstance(v, str) for v in options.values())
    ):
        raise invalid_input("feedOptions must be a map of strings.")
    if not isinstance(input_id, str) or _inputs(state).get(input_id) != seller_id:
        raise invalid_input(f"Invalid inputFeedDocumentId: {input_id}.")
    doc = store(state).get(input_id)
    feed_id = str(jobs(state).next_number(70_000_000_000))
    if doc is None or not doc.uploaded or not doc.content:
        processed = Processed(
            False, b"The input feed document is empty: upload it before createFeed.\n", "text/plain"
        )
    else:
        assert seller is not None
        ctx = FeedContext(seller_id, feed_id, list(markets), listing_lookup(state, seller))
        # A 100,000-message feed takes seconds to check: keep the event loop answering meanwhile.
        processed = await asyncio.to_thread(process, feed_type, doc.content, ctx)
    result_id = new_key("RES")
    store_content(state, result_id, processed.report, processed.content_type)
    attrs = {
        "feedType": feed_type,
        "marketplaceIds": list(markets),
        "input": input_id,
        "contentType": doc.content_type if doc is not None else None,
    }
    job = new_job(
        state, feed_id, seller_id, caller.application_id, state.config.feed_processing_seconds,
        DONE if processed.ok else FATAL, result_id, attrs,
    )  # fmt: skip
    jobs(state).add(job)
    schedule(state, job, processed.changes)
    return JSONResponse({"feedId": feed_id}, status_code=202)


def _own(state: EmulatorState, caller: Caller, feed_id: str) -> Job:
    check_job_id(feed_id, "feedId")
    job = jobs(state).jobs.get(feed_id)
    if job is None or job.seller_id != caller.require_seller():
        raise not_found(f"Feed {feed_id} not found.")
    return job


@router.get("/feeds/2021-06-30/feeds/{feedId}")
async def get_feed(feedId: str, request: Request, caller: GetFeed) -> dict[str, Any]:
    state = get_state(request)
    job = _own(state, caller, feedId)
    settle_jobs(state)
    return _render(job, state.clock.time())


@router.delete("/feeds/2021-06-30/feeds/{feedId}")
async def cancel_feed(feedId: str, request: Request, caller: CancelFeed) -> Response:
    state = get_state(request)
    job = _own(state, caller, feedId)
    if not cancel(job, state.clock.time()):
        raise invalid_input(f"Feed {feedId} cannot be cancelled: only IN_QUEUE feeds can be cancelled.")
    settle_jobs(state)
    return Response(status_code=200)


@router.get("/feeds/2021-06-30/feeds")
async def get_feeds(request: Request, caller: GetFeeds) -> dict[str, Any]:
    state = get_state(request)
    seller_id = caller.require_seller()
    settle_jobs(state)
    q = request.query_params
    now = state.clock.time()
    token = q.get("nextToken")
    if token is not None:
        if len(q) > 1:
            raise invalid_input("nextToken must be the only parameter when it is sent.")
        snapshot = load_token(state, token)
        if snapshot["seller"] != seller_id:
            raise invalid_input("The nextToken is invalid or expired.")
        ids, size = snapshot["ids"], snapshot["size"]
    else:
        types = csv_param(request, "feedTypes")
        if not types or len(types) > 10:
            raise invalid_input("feedTypes (1 to 10 values) or nextToken is required.")
        statuses = csv_param(request, "processingStatuses")
        if statuses and any(s not in STATUSES for s in statuses):
            raise invalid_input(f"processingStatuses must be among {', '.join(STATUSES)}.")
        markets = csv_param(request, "marketplaceIds")
        if markets is not None and not 1 <= len(markets) <= 10:
            raise invalid_input("marketplaceIds accepts between 1 and 10 values.")
        size = page_size(q.get("pageSize"), 1, 100, 10)
        since = time_param(q.get("createdSince"), "createdSince")
        until = time_param(q.get("createdUntil"), "createdUntil")
        since = now - RETENTION_SECONDS if since is None else since
        until = now if until is None else until
        selected = [
            j
            for j in jobs(state).for_seller(seller_id)
            if j.attrs["feedType"] in types
            and (not statuses or j.status(now) in statuses)
            and (not markets or set(j.attrs["marketplaceIds"]) & set(markets))
            and since <= j.created <= until
        ]
        selected.sort(key=lambda j: (j.created, int(j.job_id)), reverse=True)
        ids = [j.job_id for j in selected]
    page, rest = ids[:size], ids[size:]
    store_ = jobs(state)
    body: dict[str, Any] = {"feeds": [_render(store_.jobs[i], now) for i in page if i in store_.jobs]}
    if rest:
        body["nextToken"] = save_token(state, {"seller": seller_id, "ids": rest, "size": size})
    return body


@router.get("/feeds/2021-06-30/documents/{feedDocumentId}")
async def get_feed_document(feedDocumentId: str, request: Request, caller: GetFeedDocument) -> dict[str, Any]:
    state = get_state(request)
    seller_id = caller.require_seller()
    check_document_id(feedDocumentId, "feedDocumentId")
    now = state.clock.time()
    mine = _inputs(state).get(feedDocumentId) == seller_id or any(
        j.visible_document(now) == feedDocumentId for j in jobs(state).for_seller(seller_id)
    )
    doc = store(state).get(feedDocumentId)
    if not mine or doc is None:
        raise not_found(f"Feed document {feedDocumentId} not found.")
    body: dict[str, Any] = {
        "feedDocumentId": feedDocumentId,
        "url": signed_url(state, request, feedDocumentId),
    }
    if doc.compression:
        body["compressionAlgorithm"] = doc.compression
    return body
