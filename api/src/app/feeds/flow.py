"""The feed job's state machine: one call of `FeedRunner.run` moves a feed as far as it can without
waiting and says when to look again (seconds), or None when it is final. The actor
(`feeds.run_feed`) re-enqueues itself with that delay; FEED_PROCESSING_FINISHED brings the next
step forward.

    pending --createFeedDocument + upload--> uploaded --mark submitting (commit)--> submitting
      --createFeed--> processing --getFeed...--> DONE/FATAL: report stored, parsed --> done/fatal
                                                 CANCELLED --> cancelled

Why no feed is ever created twice (a second feed would apply the same changes twice):

* The document and its upload are one step: a crash before its commit leaves the feed `pending`,
  and the next step makes a fresh document (the orphan at Amazon is harmless: no feed uses it).
* Before createFeed is called, the row is committed `submitting` (with `submit_started_at`), and
  a partial unique index allows one such feed per connection. So a step that finds a feed
  `submitting` knows a createFeed may have reached Amazon without our hearing its feedId (a worker
  killed while Amazon answered, a 5xx or a dropped connection after Amazon acted). It asks Amazon
  first: getFeeds for this feed type and marketplaces since the attempt began; a feed there that no
  row of this seller knows can only be this one's (one submission at a time per connection) and is
  adopted. Only when Amazon has none is createFeed called again.
* A 429 (or our own limiter refusing a slot) means Amazon made nothing: back to `uploaded`.

Every step runs in its own short unit of work; no transaction is held while Amazon answers or a
file moves. Throttling never fails a feed: it waits longer each time in a row. 5xx and network
failures are retried with a growing delay, then the feed ends `error` with a sentence.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import structlog

from app.amazon_http.documents import DocumentExpired, fresh_document_bytes
from app.amazon_http.errors import AmazonError, ServerError, Throttled, TransportError
from app.amazon_http.errors import NotFound as AmazonNotFound
from app.amazon_http.jobs import job_state
from app.amazon_http.transport import AmazonTransport
from app.documents.service import UnitOfWork
from app.documents.storage import DocumentStorage, StoredFileMissing
from app.feeds.models import Feed
from app.feeds.reading import feed_report_results
from app.feeds.repository import FINAL, FeedRepository
from app.spapi.operations.feeds import FeedsApi
from app.sync.planner import document_poll_delay, error_retry_delay, throttle_delay
from app.tokens.errors import ReauthorizationRequired

log = structlog.get_logger("app.feeds")

# Consecutive failed steps (5xx, network, our side) before a feed gives up with an error: about
# ten minutes of retries with `error_retry_delay`. Throttled steps never count.
MAX_FAILURES = 14
# A throttled feed waits at most this long before trying again.
THROTTLE_MAX_S = 600.0
# A polling message may run this much before the time its chain recorded.
EARLY = timedelta(seconds=2)
# Another feed of the connection is being submitted: look again this soon.
TURN_WAIT_S = 2.0
# A `submitting` feed found by a later step is looked for at Amazon no sooner than this after its
# createFeed began: a feed Amazon has just made may take a moment to be listed.
SUBMIT_SETTLE_S = 10.0
# getFeeds looks back this far before the attempt began: Amazon's createdTime has whole seconds,
# and its clock is not ours.
CLOCK_MARGIN = timedelta(minutes=2)
# getFeeds accepts at most 10 marketplaces.
LIST_MARKETPLACES_MAX = 10

CANCELLED = "Amazon cancelled the feed (CANCELLED) before processing it: nothing was applied."
FATAL = "Amazon rejected the whole feed (FATAL): nothing was applied. Its processing report says why."


def utcnow() -> datetime:
    return datetime.now(UTC)


class FeedClient(Protocol):
    """What the job needs of an SP-API client (`app.spapi.SpApiClient`)."""

    transport: AmazonTransport

    @property
    def feeds(self) -> FeedsApi: ...


ClientFor = Callable[[uuid.UUID], Awaitable[FeedClient]]


@dataclass(frozen=True)
class Snapshot:
    """The feed row as one step reads it (no ORM object outlives its unit of work)."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    feed_type: str
    marketplace_ids: tuple[str, ...]
    feed_options: dict[str, str]
    content_type: str
    status: str
    amazon_feed_id: str | None
    input_document_id: str | None
    attempts: int
    failures: int
    created_at: datetime
    next_check_at: datetime | None = None
    submit_started_at: datetime | None = None

    @classmethod
    def of(cls, feed: Feed) -> Snapshot:
        return cls(
            feed.id,
            feed.tenant_id,
            feed.connection_id,
            feed.feed_type,
            tuple(feed.marketplace_ids or ()),
            {str(k): str(v) for k, v in (feed.feed_options or {}).items()},
            feed.content_type or "application/octet-stream",
            feed.status,
            feed.amazon_feed_id,
            feed.input_document_id,
            feed.attempts,
            feed.failures,
            feed.created_at,
            feed.next_check_at,
            feed.submit_started_at,
        )


def storage_key(feed: Snapshot | Feed, file_name: str) -> str:
    return f"{feed.tenant_id}/feeds/{feed.id}/{file_name}"


class FeedRunner:
    def __init__(
        self,
        uow: UnitOfWork,
        client_for: ClientFor,
        storage: DocumentStorage,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.uow = uow
        self.client_for = client_for
        self.storage = storage
        self.now = now

    async def run(self, tenant_id: uuid.UUID, feed_id: uuid.UUID, *, poll: bool = True) -> float | None:
        """Steps until the feed waits for something; seconds until the next look (recorded as
        `next_check_at`), or None when it is final, gone, a draft, or (`poll`) its next step
        belongs to another, later message."""
        async with self.uow() as session:
            row = await FeedRepository(session).get(tenant_id, feed_id)
            feed = None if row is None else Snapshot.of(row)
        if feed is None or feed.status in FINAL or feed.status == "draft":
            return None
        if poll and feed.next_check_at is not None and feed.next_check_at > self.now() + EARLY:
            # A second polling chain (revived while the first was only late): this one ends here.
            return None
        delay = await self._step(feed)
        if delay is not None and poll:
            # A nudge (`poll=False`) leaves the chain's schedule alone: the chain's own message
            # must still find itself due.
            await self._save(feed, next_check_at=self.now() + timedelta(seconds=delay))
        return delay

    async def _step(self, feed: Snapshot) -> float | None:
        try:
            client = await self.client_for(feed.connection_id)
        except LookupError:
            await self._finish(feed, "error", error="The Amazon connection of this feed no longer exists.")
            return None
        try:
            return await self._advance(feed, client)
        except Throttled as exc:
            # Never a reason to fail: Amazon's quota frees up; wait longer each time in a row.
            attempts, _ = await self._counters(feed)
            delay = min(THROTTLE_MAX_S, max(throttle_delay(exc.retry_after), error_retry_delay(attempts + 1)))
            await self._save(feed, attempts=attempts + 1)
            log.info(
                "feeds.throttled", feed_id=str(feed.id), operation=exc.operation, delay_s=round(delay, 2)
            )
            return delay
        except ReauthorizationRequired:
            await self._finish(feed, "error", error="The Amazon connection needs to be re-authorized.")
        except (MissingInput, StoredFileMissing):
            await self._finish(feed, "error", error="The feed's file is missing from the document storage.")
        except (ServerError, TransportError, DocumentExpired) as exc:
            return await self._retry(feed, f"Amazon kept failing ({type(exc).__name__})")
        except AmazonError as exc:
            await self._finish(feed, "error", error=_refusal(exc))
        except Exception as exc:
            # A bug or our own infrastructure (database, storage): retried a bounded number of times,
            # so the scheduler's sweep never revives a feed forever.
            log.exception("feeds.step_failed", feed_id=str(feed.id))
            return await self._retry(feed, f"The feed failed on our side ({type(exc).__name__})")
        return None

    async def _retry(self, feed: Snapshot, reason: str) -> float | None:
        attempts, failures = await self._counters(feed)
        if failures + 1 >= MAX_FAILURES:
            await self._finish(feed, "error", error=f"{reason}; please submit it again later.")
            return None
        await self._save(feed, attempts=attempts + 1, failures=failures + 1)
        log.info("feeds.retry", feed_id=str(feed.id), reason=reason, failures=failures + 1)
        return error_retry_delay(failures + 1)

    async def _counters(self, feed: Snapshot) -> tuple[int, int]:
        """(attempts, failures) as the row has them now: the step may have made progress (and
        reset them) before it was throttled or failed."""
        async with self.uow() as session:
            row = await FeedRepository(session).get(feed.tenant_id, feed.id)
        return (row.attempts, row.failures) if row is not None else (feed.attempts, feed.failures)

    # Steps -------------------------------------------------------------------------------------

    async def _advance(self, feed: Snapshot, client: FeedClient) -> float | None:
        if feed.status == "pending":
            feed = await self._upload(feed, client)
        if feed.status == "uploaded":
            started = self.now()
            async with self.uow() as session:
                turn = await FeedRepository(session).mark_submitting(feed.tenant_id, feed.id, started)
            if not turn:
                log.info("feeds.waiting_turn", feed_id=str(feed.id))
                return TURN_WAIT_S
            feed = await self._create(
                dataclasses.replace(feed, status="submitting", submit_started_at=started), client
            )
        elif feed.status == "submitting":
            started = feed.submit_started_at or feed.created_at
            settle = SUBMIT_SETTLE_S - (self.now() - started).total_seconds()
            if settle > 0:
                return settle
            feed = await self._recover(feed, client, started)
        if feed.status == "processing":
            return await self._poll(feed, client)
        return None

    async def _upload(self, feed: Snapshot, client: FeedClient) -> Snapshot:
        """createFeedDocument and the upload of the stored input, committed together."""
        async with self.uow() as session:
            stored = await FeedRepository(session).document_of(feed.tenant_id, feed.id, "input")
            key = stored.storage_key if stored is not None else None
            size = stored.size_bytes if stored is not None else None
        if key is None or size is None:
            raise MissingInput
        document = await client.feeds.create_feed_document(feed.content_type)
        await client.feeds.upload(document, lambda: self.storage.read(key), feed.content_type, size=size)
        async with self.uow() as session:
            repo = FeedRepository(session)
            await repo.update(
                feed.tenant_id,
                feed.id,
                status="uploaded",
                input_document_id=document.feed_document_id,
                attempts=0,
                failures=0,
            )
            await repo.set_document_amazon_id(feed.tenant_id, feed.id, "input", document.feed_document_id)
        log.info("feeds.uploaded", feed_id=str(feed.id), size_bytes=size)
        return dataclasses.replace(
            feed, status="uploaded", input_document_id=document.feed_document_id, attempts=0, failures=0
        )

    async def _create(self, feed: Snapshot, client: FeedClient) -> Snapshot:
        """createFeed for a feed committed `submitting`."""
        assert feed.input_document_id is not None
        try:
            amazon_id = await client.feeds.create_feed(
                feed.feed_type,
                feed.marketplace_ids,
                feed.input_document_id,
                feed_options=feed.feed_options or None,
            )
        except Throttled:
            # Refused before Amazon made anything (our limiter, or Amazon's 429): no feed to find.
            await self._save(feed, status="uploaded", submit_started_at=None)
            raise
        except (ServerError, TransportError):
            # Amazon may have made it: the feed stays `submitting`, the next step asks Amazon first.
            raise
        except AmazonError:
            # A refusal (4xx): nothing was made. `_step` ends the feed with Amazon's sentence.
            raise
        await self._save(
            feed,
            status="processing",
            amazon_feed_id=amazon_id,
            processing_status="IN_QUEUE",
            attempts=0,
            failures=0,
        )
        log.info("feeds.created", feed_id=str(feed.id), amazon_feed_id=amazon_id)
        return dataclasses.replace(
            feed, status="processing", amazon_feed_id=amazon_id, attempts=0, failures=0
        )

    async def _recover(self, feed: Snapshot, client: FeedClient, started: datetime) -> Snapshot:
        """A createFeed began and its answer was never recorded: adopt the feed Amazon made, if it
        made one; only otherwise ask again."""
        listed = [
            found
            async for found in client.feeds.list_feeds(
                [feed.feed_type],
                marketplace_ids=feed.marketplace_ids[:LIST_MARKETPLACES_MAX],
                created_since=started - CLOCK_MARGIN,
            )
        ]
        async with self.uow() as session:
            known = await FeedRepository(session).known_amazon_feed_ids(
                feed.connection_id, [found.feed_id for found in listed]
            )
        unknown = [found for found in listed if found.feed_id not in known]
        if not unknown:
            log.info("feeds.recover_resubmit", feed_id=str(feed.id), listed=len(listed))
            return await self._create(feed, client)
        # One submission at a time per connection: any unknown one is ours; the earliest is the
        # one nearest our attempt.
        adopted = min(unknown, key=lambda found: (found.created_time, found.feed_id))
        await self._save(
            feed,
            status="processing",
            amazon_feed_id=adopted.feed_id,
            processing_status=adopted.processing_status,
            attempts=0,
            failures=0,
        )
        log.info("feeds.adopted", feed_id=str(feed.id), amazon_feed_id=adopted.feed_id, unknown=len(unknown))
        return dataclasses.replace(
            feed, status="processing", amazon_feed_id=adopted.feed_id, attempts=0, failures=0
        )

    async def _poll(self, feed: Snapshot, client: FeedClient) -> float | None:
        assert feed.amazon_feed_id is not None
        try:
            found = await client.feeds.get_feed(feed.amazon_feed_id)
        except AmazonNotFound:
            await self._finish(feed, "error", error="Amazon no longer knows this feed (404).")
            return None
        state = job_state(found.processing_status)
        if state in ("pending", "in_progress"):
            await self._save(feed, processing_status=found.processing_status, attempts=0, failures=0)
            started = feed.submit_started_at or feed.created_at
            return document_poll_delay((self.now() - started).total_seconds())
        if state == "cancelled":
            await self._finish(
                feed, "cancelled", processing_status=found.processing_status, error=CANCELLED, attempts=0
            )
            return None
        outcome = "done" if state == "done" else "fatal"
        values: dict[str, Any] = {"processing_status": found.processing_status, "attempts": 0, "failures": 0}
        if found.result_feed_document_id is not None:
            values.update(await self._store_report(feed, client, found.result_feed_document_id))
        if outcome == "fatal":
            values["error"] = FATAL
        await self._finish(feed, outcome, **values)
        return None

    async def _store_report(self, feed: Snapshot, client: FeedClient, document_id: str) -> dict[str, Any]:
        """Download the processing report into storage (once), parse it into `feed_results`; the
        feed's values to save (summary, a sentence for feed-wide issues)."""
        async with self.uow() as session:
            stored = await FeedRepository(session).document_of(feed.tenant_id, feed.id, "result")
            key = stored.storage_key if stored is not None else None
            stored_id = stored.amazon_document_id if stored is not None else None
        if key is None or stored_id != document_id:
            key = storage_key(feed, f"processing_report_{feed.amazon_feed_id}")
            written = await self.storage.write(key, self._download(client, document_id))
            kind = _report_type(await self._head(key))
            async with self.uow() as session:
                await FeedRepository(session).save_document(
                    tenant_id=feed.tenant_id,
                    feed_id=feed.id,
                    role="result",
                    amazon_document_id=document_id,
                    storage_key=key,
                    content_type=kind,
                    size_bytes=written.size_bytes,
                )
            log.info("feeds.report_stored", feed_id=str(feed.id), size_bytes=written.size_bytes)
        values: dict[str, Any] = {"result_document_id": document_id}
        if feed.feed_type != "JSON_LISTINGS_FEED":
            # Other feed types' reports (text, XML) are kept as Amazon wrote them, not parsed.
            return values
        report = await self._read(key)
        async with self.uow() as session:
            input_doc = await FeedRepository(session).document_of(feed.tenant_id, feed.id, "input")
        content = await self._read(input_doc.storage_key) if input_doc is not None else b""
        parsed = feed_report_results(report, content)
        if parsed is None:
            values["error"] = "Amazon's processing report could not be read: download it to see it."
            return values
        async with self.uow() as session:
            await FeedRepository(session).replace_results(feed.tenant_id, feed.id, parsed.rows)
        values["summary"] = parsed.summary
        if parsed.feed_error:
            values["error"] = parsed.feed_error
        return values

    def _download(self, client: FeedClient, document_id: str) -> AsyncIterator[bytes]:
        """The report's bytes (GZIP or not) through a fresh pre-signed URL, fetched again once if
        it expired."""

        async def fresh_url() -> str:
            return (await client.feeds.get_feed_document(document_id)).url

        return fresh_document_bytes(client.transport.http, fresh_url)

    async def _read(self, key: str) -> bytes:
        return b"".join([chunk async for chunk in self.storage.read(key)])

    async def _head(self, key: str) -> bytes:
        """The stored file's first chunk (what kind of file it is)."""
        chunks = self.storage.read(key)
        try:
            return await anext(chunks, b"")
        finally:
            await chunks.aclose()  # type: ignore[attr-defined]

    # Writes ------------------------------------------------------------------------------------

    async def _save(self, feed: Snapshot, **values: Any) -> None:
        async with self.uow() as session:
            await FeedRepository(session).update(feed.tenant_id, feed.id, **values)

    async def _finish(self, feed: Snapshot, status: str, **values: Any) -> None:
        await self._save(feed, status=status, finished_at=self.now(), next_check_at=None, **values)
        log.info("feeds.finished", feed_id=str(feed.id), status=status)


class MissingInput(Exception):
    """The feed's stored file is gone (storage changed under a running system)."""


def _report_type(report: bytes) -> str:
    """JSON reports (JSON_LISTINGS_FEED) or text ones (flat files); XML for the legacy XML feeds."""
    head = report.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if head in (b"{", b"["):
        return "application/json"
    return "text/xml" if head == b"<" else "text/plain"


def _refusal(exc: AmazonError) -> str:
    details = "; ".join(e.message for e in exc.errors if e.message)[:500]
    return "Amazon refused the feed" + (f": {details}" if details else f" (HTTP {exc.status}).")
