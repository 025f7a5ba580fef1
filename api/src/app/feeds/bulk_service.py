"""The guided bulk update's use cases: a CSV read into rows the user can fix, rows checked as
submitting them would, and rows sent as JSON_LISTINGS_FEEDs.

Amazon takes at most 25,000 messages in one listings feed (the feed schema's messages.maxItems), and
a bulk update may hold up to FEED_BULK_MAX_ROWS (200,000) rows: the rows are split in file order into
as many feeds as that needs, each its own `feeds` row, stored input and `feeds.run_feed` job, all in
the request's unit of work (the jobs are sent after its commit). Nothing is recorded unless every
feed of the batch is good.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import Connection
from app.documents.storage import DocumentStorage
from app.feeds.bulk import BuiltFeed, BulkRow, build_listings_feeds, messages_per_feed, parse_csv
from app.feeds.feed_schema import FeedIssue, feed_schemas
from app.feeds.flow import storage_key
from app.feeds.schemas import (
    BulkCheckOut,
    BulkFeedIn,
    BulkRowIn,
    BulkRowsOut,
    BulkSubmitted,
    FeedIssueOut,
)
from app.feeds.service import (
    INPUT_FILE,
    JSON_LISTINGS_FEED,
    FeedsService,
    bulk_max_rows,
    issues_error,
)
from app.settings import Settings

BULK_CONTENT_TYPE = "application/json; charset=UTF-8"


def issues_out(issues: list[FeedIssue]) -> list[FeedIssueOut]:
    return [FeedIssueOut(line=i.line, sku=i.sku, field=i.field, message=i.message) for i in issues]


class BulkFeedsService:
    def __init__(self, session: AsyncSession, settings: Settings, *, per_feed: int | None = None) -> None:
        """`per_feed`: the most messages in one feed; Amazon's (`messages_per_feed`) unless given."""
        self.settings = settings
        self.per_feed = per_feed
        self.feeds = FeedsService(session, settings)

    def read_csv(self, content: bytes) -> BulkRowsOut:
        """Every row of the CSV (wrong ones too: the panel lets the user fix them) and its issues
        per line. The currency is checked later, against the marketplace."""
        rows, issues = parse_csv(content, max_rows=bulk_max_rows(self.settings))
        return BulkRowsOut(
            rows=[BulkRowIn.model_validate(row, from_attributes=True) for row in rows],
            issues=issues_out(issues),
        )

    async def check(self, tenant_id: uuid.UUID, body: BulkFeedIn) -> BulkCheckOut:
        """What submitting these rows would send: the issues, or the message and feed counts."""
        connection = await self.feeds.seller_connection(tenant_id, body.connection_id)
        built, issues = self._build(connection, body)
        return BulkCheckOut(
            issues=issues_out(issues),
            message_count=sum(feed.message_count for feed in built),
            feed_count=len(built),
            schema_checked=all(feed.schema_checked for feed in built)
            if built
            else feed_schemas(self.settings) is not None,
        )

    async def submit(
        self, tenant_id: uuid.UUID, body: BulkFeedIn, storage: DocumentStorage, *, user_id: uuid.UUID | None
    ) -> BulkSubmitted:
        """Build the rows' feeds (refused with the issues when anything is wrong), store each as its
        feed's input, record each `pending` and enqueue its job; the first feed first."""
        connection = await self.feeds.seller_connection(tenant_id, body.connection_id)
        built, issues = self._build(connection, body)
        if not built:
            raise issues_error(f"{len(issues)} row issue(s) to fix before the feed can be sent.", issues)
        # The feeds of one request share their created_at (the transaction's now()), and the list
        # orders them by id within it: descending ids list the batch in file order, first feed on top.
        feed_ids = sorted((uuid.uuid4() for _ in built), reverse=True)
        for feed_id, feed in zip(feed_ids, built, strict=True):
            await self._record(tenant_id, connection, body.marketplace_id, feed_id, feed, storage, user_id)
        return BulkSubmitted(feeds=[await self.feeds.get(tenant_id, feed_id) for feed_id in feed_ids])

    async def _record(
        self,
        tenant_id: uuid.UUID,
        connection: Connection,
        marketplace_id: str,
        feed_id: uuid.UUID,
        built: BuiltFeed,
        storage: DocumentStorage,
        user_id: uuid.UUID | None,
    ) -> None:
        async def content() -> AsyncIterator[bytes]:
            yield built.content

        feed = await self.feeds.repo.add(
            id=feed_id,
            tenant_id=tenant_id,
            connection_id=connection.id,
            feed_type=JSON_LISTINGS_FEED,
            marketplace_ids=[marketplace_id],
            status="pending",
            source="bulk",
            content_type=BULK_CONTENT_TYPE,
            message_count=built.message_count,
            created_by_user_id=user_id,
        )
        key = storage_key(feed, INPUT_FILE)
        written = await storage.write(key, content())
        await self.feeds.repo.save_document(
            tenant_id=tenant_id,
            feed_id=feed_id,
            role="input",
            amazon_document_id=None,
            storage_key=key,
            content_type=BULK_CONTENT_TYPE,
            size_bytes=written.size_bytes,
        )
        self.feeds.enqueue(tenant_id, feed_id)

    def _build(self, connection: Connection, body: BulkFeedIn) -> tuple[list[BuiltFeed], list[FeedIssue]]:
        [marketplace] = self.feeds.marketplaces(connection, [body.marketplace_id])
        schemas = feed_schemas(self.settings)
        rows = [BulkRow(**row.model_dump()) for row in body.rows]
        return build_listings_feeds(
            rows,
            seller_id=connection.account_id,
            marketplace_id=marketplace,
            schemas=schemas,
            per_feed=self.per_feed or messages_per_feed(schemas),
        )
