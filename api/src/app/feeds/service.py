"""Feeds use cases: the raw path (a draft with its declared content type, the upload into our
document storage, createFeed checked first), reading feeds, their per-message results and their
stored files, and the checks the guided bulk update (`bulk_service.py`) shares. Services never
commit: the request's (or the job's) unit of work does, and the `feeds.run_feed` jobs buffered here
are sent only after that commit, so the worker always finds the row.

The browser never talks to Amazon: it uploads to us, and the job uploads to Amazon's pre-signed URL
with the exact content type Amazon was told.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import Connection
from app.documents.storage import DocumentStorage, delete_files
from app.feeds.feed_schema import FeedIssue, check_listings_feed, feed_schemas
from app.feeds.flow import storage_key
from app.feeds.models import Feed, FeedDocument, FeedResult
from app.feeds.repository import FeedFilters, FeedRepository
from app.feeds.schemas import (
    FeedCreate,
    FeedDocumentCreate,
    FeedDocumentOut,
    FeedIssueOut,
    FeedOut,
    FeedResultCounts,
    FeedResultIssueOut,
    FeedResultOut,
    FeedResultsPage,
    FeedsPage,
    FeedSummaryOut,
)
from app.kit.errors import AppError, NotFound
from app.settings import Settings
from app.worker.enqueue import enqueue_job

RUN_FEED_ACTOR = "feeds.run_feed"
JSON_LISTINGS_FEED = "JSON_LISTINGS_FEED"
INPUT_FILE = "input"
# What the browser downloads a stored file as, by its content type.
EXTENSIONS = {
    "application/json": "json",
    "text/tab-separated-values": "tsv",
    "text/csv": "csv",
    "text/xml": "xml",
    "application/xml": "xml",
    "text/plain": "txt",
}


class InvalidFeedRequest(AppError):
    status_code = 422
    code = "invalid_feed_request"


class InvalidFeed(AppError):
    """The feed's content is wrong: `issues` (in the error body) say where, line by line."""

    status_code = 422
    code = "invalid_feed"


class FeedConflict(AppError):
    status_code = 409
    code = "feed_conflict"


class NoFeedFile(AppError):
    status_code = 409
    code = "no_file"


class WrongContentType(AppError):
    status_code = 415
    code = "unsupported_media_type"


class UploadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"


class InvalidCursor(AppError):
    status_code = 400
    code = "invalid_cursor"


def utcnow() -> datetime:
    return datetime.now(UTC)


def max_bytes(settings: Settings) -> int:
    return settings.feeds.feed_max_bytes


def bulk_max_rows(settings: Settings) -> int:
    return settings.feeds.feed_bulk_max_rows


def same_content_type(declared: str, sent: str | None) -> bool:
    """Equal media types and parameters; case and spaces around `;` do not matter
    (`application/json; charset=UTF-8` is `application/json;charset=utf-8`)."""
    if sent is None:
        return False

    def parts(value: str) -> list[str]:
        return ["".join(part.split()).lower() for part in value.split(";") if part.strip()]

    return parts(declared) == parts(sent)


def file_name(feed: Feed, role: str, content_type: str | None) -> str:
    media = (content_type or "").split(";")[0].strip().lower()
    if role == "input":
        return f"feed_{feed.id}_input.{EXTENSIONS.get(media, 'txt')}"
    return f"feed_{feed.amazon_feed_id or feed.id}_processing_report.{EXTENSIONS.get(media, 'txt')}"


def issues_error(message: str, issues: Sequence[FeedIssue]) -> InvalidFeed:
    """A 422 listing the issues, line by line."""
    out = [
        FeedIssueOut(line=i.line, sku=i.sku, field=i.field, message=i.message).model_dump() for i in issues
    ]
    return InvalidFeed(message, extra={"issues": out})


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != 2:
            raise ValueError("not a pair")
        return values
    except Exception as exc:
        raise InvalidCursor("the cursor is not one this API returned") from exc


def feed_out(feed: Feed, documents: dict[str, FeedDocument]) -> FeedOut:
    stored_input = documents.get("input")
    return FeedOut(
        id=feed.id,
        connection_id=feed.connection_id,
        feed_type=feed.feed_type,
        marketplace_ids=list(feed.marketplace_ids or []),
        source="bulk" if feed.source == "bulk" else "raw",
        status=feed.status,
        processing_status=feed.processing_status,
        amazon_feed_id=feed.amazon_feed_id,
        content_type=feed.content_type,
        message_count=feed.message_count,
        summary=FeedSummaryOut(**feed.summary) if feed.summary else None,
        error=feed.error,
        input_size_bytes=stored_input.size_bytes if stored_input is not None else None,
        has_report="result" in documents,
        created_at=feed.created_at,
        updated_at=feed.updated_at,
        finished_at=feed.finished_at,
    )


def result_out(result: FeedResult) -> FeedResultOut:
    issues = [
        FeedResultIssueOut(
            code=str(i.get("code") or ""),
            severity=str(i.get("severity") or ""),
            message=str(i.get("message") or ""),
            attribute_names=[str(a) for a in i.get("attribute_names") or []],
        )
        for i in result.issues or []
    ]
    return FeedResultOut(
        message_id=result.message_id,
        sku=result.sku,
        status=result.status,
        issues=issues,
    )


class FeedsService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.repo = FeedRepository(session)

    # The raw path ------------------------------------------------------------------------------

    async def create_document(
        self, tenant_id: uuid.UUID, body: FeedDocumentCreate, *, user_id: uuid.UUID | None
    ) -> FeedDocumentOut:
        """A draft feed whose file comes next (to our upload route); Amazon is not called yet."""
        await self.seller_connection(tenant_id, body.connection_id)
        content_type = " ".join(body.content_type.split())
        feed = await self.repo.add(
            tenant_id=tenant_id,
            connection_id=body.connection_id,
            # Named by createFeed; empty until then.
            feed_type="",
            marketplace_ids=[],
            status="draft",
            source="raw",
            content_type=content_type,
            created_by_user_id=user_id,
        )
        return FeedDocumentOut(
            feed_id=feed.id,
            upload_url=f"/api/feeds/{feed.id}/upload",
            content_type=content_type,
            max_bytes=max_bytes(self.settings),
        )

    async def upload(
        self,
        tenant_id: uuid.UUID,
        feed_id: uuid.UUID,
        content_type: str | None,
        chunks: AsyncIterator[bytes],
        storage: DocumentStorage,
    ) -> FeedOut:
        """Stream the file into the document storage (role input), at most FEED_MAX_BYTES; the
        Content-Type must be the declared one (Amazon's upload URL would refuse another)."""
        feed = await self._feed(tenant_id, feed_id)
        if feed.status != "draft":
            raise FeedConflict(
                f"This feed was already submitted (status {feed.status}): its file cannot change."
            )
        declared = feed.content_type or ""
        if not same_content_type(declared, content_type):
            raise WrongContentType(
                f"The file was sent as {content_type or 'no Content-Type'!r}, but the feed document was "
                f"created for {declared!r}: send it with Content-Type: {declared} (Amazon accepts only the "
                "declared type)."
            )
        limit = max_bytes(self.settings)
        first = b""
        async for chunk in chunks:
            if chunk:
                first = chunk
                break
        if not first:
            # Refused before anything is written: an earlier upload stays as it was.
            raise InvalidFeedRequest("The file is empty: upload the feed's content.")

        async def capped() -> AsyncIterator[bytes]:
            size = len(first)
            yield first
            async for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise UploadTooLarge(f"The file is larger than the {limit:,} bytes a feed may have.")
                yield chunk

        if len(first) > limit:
            raise UploadTooLarge(f"The file is larger than the {limit:,} bytes a feed may have.")
        key = storage_key(feed, INPUT_FILE)
        written = await storage.write(key, capped())
        await self.repo.save_document(
            tenant_id=tenant_id,
            feed_id=feed.id,
            role="input",
            amazon_document_id=None,
            storage_key=key,
            content_type=declared,
            size_bytes=written.size_bytes,
        )
        await self.repo.update(tenant_id, feed.id)
        return await self.get(tenant_id, feed.id)

    async def create(self, tenant_id: uuid.UUID, body: FeedCreate, storage: DocumentStorage) -> FeedOut:
        """createFeed for an uploaded draft: checked (a JSON_LISTINGS_FEED against Amazon's
        schemas), recorded `pending`, and its job enqueued for after the commit."""
        feed = await self._feed(tenant_id, body.input_feed_document_id)
        if feed.status != "draft":
            raise FeedConflict(f"This feed was already submitted (status {feed.status}).")
        stored = await self.repo.document_of(tenant_id, feed.id, "input")
        if stored is None:
            raise NoFeedFile("Upload the file first (PUT it to the upload_url createDocument answered).")
        connection = await self.seller_connection(tenant_id, feed.connection_id)
        marketplaces = self.marketplaces(connection, body.marketplace_ids)
        feed_type = body.feed_type.strip()
        message_count = None
        if feed_type == JSON_LISTINGS_FEED:
            content = b"".join([chunk async for chunk in storage.read(stored.storage_key)])
            message_count = self._check_listings(content, connection.account_id)
        await self.repo.update(
            tenant_id,
            feed.id,
            feed_type=feed_type,
            marketplace_ids=marketplaces,
            feed_options=dict(body.feed_options or {}),
            message_count=message_count,
            status="pending",
        )
        self.enqueue(tenant_id, feed.id)
        return await self.get(tenant_id, feed.id, fresh=True)

    def _check_listings(self, content: bytes, seller_id: str) -> int:
        check = check_listings_feed(content, feed_schemas(self.settings), seller_id=seller_id)
        if check.issues:
            raise issues_error(
                f"The feed has {len(check.issues)} issue(s) Amazon would refuse: fix them, upload it again.",
                check.issues,
            )
        return check.message_count

    # Shared checks -----------------------------------------------------------------------------

    async def seller_connection(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> Connection:
        connection = await self.repo.connection(tenant_id, connection_id)
        if connection is None:
            raise NotFound("connection not found")
        if connection.provider != "amazon_sp":
            raise InvalidFeedRequest("Feeds go to a Seller Central (SP-API) connection, not an Ads one.")
        if connection.status != "active":
            raise InvalidFeedRequest(
                f"The connection is {connection.status}: reconnect it before sending feeds."
            )
        return connection

    @staticmethod
    def marketplaces(connection: Connection, requested: Sequence[str]) -> list[str]:
        marketplaces = list(dict.fromkeys(requested))
        unknown = [m for m in marketplaces if m not in (connection.marketplaces or [])]
        if unknown:
            raise InvalidFeedRequest(
                f"Marketplace {', '.join(unknown)} is not one of this connection's "
                f"({', '.join(connection.marketplaces or []) or 'none'})."
            )
        return marketplaces

    async def _feed(self, tenant_id: uuid.UUID, feed_id: uuid.UUID) -> Feed:
        feed = await self.repo.get(tenant_id, feed_id)
        if feed is None:
            raise NotFound("feed not found")
        return feed

    def enqueue(self, tenant_id: uuid.UUID, feed_id: uuid.UUID) -> None:
        enqueue_job(self.session, RUN_FEED_ACTOR, feed_id=str(feed_id), tenant_id=str(tenant_id))

    # Reading -----------------------------------------------------------------------------------

    async def list_feeds(self, filters: FeedFilters, *, cursor: str | None, limit: int) -> FeedsPage:
        after = None
        if cursor:
            when, feed_id = decode_cursor(cursor)
            try:
                after = (datetime.fromisoformat(str(when)), uuid.UUID(str(feed_id)))
            except ValueError as exc:
                raise InvalidCursor("the cursor is not one this API returned") from exc
        rows = await self.repo.page(filters, after=after, limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        documents = await self.repo.documents_of(filters.tenant_id, [r.id for r in rows])
        items = [feed_out(r, {role: d for (fid, role), d in documents.items() if fid == r.id}) for r in rows]
        last = rows[-1] if rows else None
        return FeedsPage(
            items=items,
            next_cursor=encode_cursor([last.created_at.isoformat(), str(last.id)]) if more and last else None,
        )

    async def get(self, tenant_id: uuid.UUID, feed_id: uuid.UUID, *, fresh: bool = False) -> FeedOut:
        feed = await self._feed(tenant_id, feed_id)
        if fresh:
            # Written with UPDATE statements in this unit of work: read the row again.
            await self.session.refresh(feed)
        documents = await self.repo.documents_of(tenant_id, [feed_id])
        return feed_out(feed, {role: d for (_, role), d in documents.items()})

    async def results(
        self, tenant_id: uuid.UUID, feed_id: uuid.UUID, *, errors_only: bool, cursor: str | None, limit: int
    ) -> FeedResultsPage:
        await self._feed(tenant_id, feed_id)
        after = None
        if cursor:
            rank, message_id = decode_cursor(cursor)
            if not isinstance(rank, int) or not isinstance(message_id, int):
                raise InvalidCursor("the cursor is not one this API returned")
            after = (rank, message_id)
        rows = await self.repo.results_page(
            tenant_id, feed_id, errors_only=errors_only, after=after, limit=limit + 1
        )
        more = len(rows) > limit
        rows = rows[:limit]
        counts = await self.repo.result_counts(tenant_id, feed_id)
        return FeedResultsPage(
            items=[result_out(r) for r in rows],
            next_cursor=encode_cursor([rows[-1].rank, rows[-1].message_id]) if more and rows else None,
            counts=FeedResultCounts(**counts),
        )

    async def stored_file(
        self, tenant_id: uuid.UUID, feed_id: uuid.UUID, role: str
    ) -> tuple[FeedDocument, str]:
        """The stored input or processing report and the name to download it as; 409 while none."""
        feed = await self._feed(tenant_id, feed_id)
        document = await self.repo.document_of(tenant_id, feed_id, role)
        if document is None:
            if role == "input":
                raise NoFeedFile("No file yet: upload it to the feed's upload_url.")
            reasons = {
                "done": "Amazon gave no processing report for this feed",
                "cancelled": "Amazon cancelled the feed, so there is no processing report",
                "error": "the feed failed before Amazon's processing report was downloaded",
            }
            reason = reasons.get(feed.status, "Amazon has not finished processing the feed")
            raise NoFeedFile(f"No processing report: {reason}.")
        return document, file_name(feed, role, document.content_type or feed.content_type)

    # The worker's side: notifications and the scheduler ----------------------------------------

    async def wake(self, tenant_id: uuid.UUID, connection_id: uuid.UUID, amazon_feed_id: str) -> int:
        """Amazon announced that feed `amazon_feed_id` finished: run its next step now."""
        feeds = await self.repo.by_amazon_id(tenant_id, connection_id, amazon_feed_id)
        for feed in feeds:
            enqueue_job(
                self.session, RUN_FEED_ACTOR, feed_id=str(feed.id), tenant_id=str(feed.tenant_id), poll=False
            )
        return len(feeds)

    async def revive_overdue(self, now: datetime, grace_s: float) -> int:
        """Run again the in-flight feeds whose next step is `grace_s` overdue (its polling message
        was lost with a killed worker); a chain that was merely late ends itself."""
        feeds = await self.repo.claim_overdue(now, now - timedelta(seconds=grace_s))
        for feed in feeds:
            self.enqueue(feed.tenant_id, feed.id)
        return len(feeds)


async def delete_connection_feeds(
    session: AsyncSession, storage: DocumentStorage, tenant_id: uuid.UUID, connection_id: uuid.UUID
) -> None:
    """Retention: the connection's feeds, their results and their stored files."""
    keys = await FeedRepository(session).delete_for_connection(tenant_id, connection_id)
    await delete_files(storage, keys)
