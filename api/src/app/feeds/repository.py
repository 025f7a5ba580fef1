"""All SQL of the feeds domain: `feeds`, `feed_documents`, `feed_results` (and the reads of the
connection rows the feeds service checks requests against). Every query is tenant-scoped, but two
lookups of the worker that are about a seller rather than a tenant (say which): the feed ids Amazon
already gave any connection of the seller (the createFeed recovery), and the sweep of overdue feeds."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import Connection
from app.feeds.models import IN_FLIGHT, Feed, FeedDocument, FeedResult

FINAL = ("done", "cancelled", "fatal", "error")
RANKS = {"error": 0, "warning": 1, "accepted": 2}
# Rows per INSERT of the results (a 200,000-message feed is 40 statements, one transaction).
RESULTS_BATCH = 5000


@dataclass(frozen=True)
class FeedFilters:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID | None = None
    feed_type: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class ResultRow:
    message_id: int
    sku: str | None
    status: str
    issues: list[dict[str, Any]]


class FeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # Reads of other domains' rows (checks only) ------------------------------------------------

    async def connection(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> Connection | None:
        statement = select(Connection).where(
            Connection.tenant_id == tenant_id, Connection.id == connection_id
        )
        return (await self.session.execute(statement)).scalars().first()

    # feeds -------------------------------------------------------------------------------------

    async def add(self, **values: Any) -> Feed:
        feed = Feed(**values)
        self.session.add(feed)
        await self.session.flush()
        return feed

    async def get(self, tenant_id: uuid.UUID, feed_id: uuid.UUID) -> Feed | None:
        statement = select(Feed).where(Feed.tenant_id == tenant_id, Feed.id == feed_id)
        return (await self.session.execute(statement)).scalars().first()

    async def page(
        self, filters: FeedFilters, *, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> list[Feed]:
        """Newest first; keyset on (created_at, id)."""
        statement = select(Feed).where(Feed.tenant_id == filters.tenant_id)
        if filters.connection_id is not None:
            statement = statement.where(Feed.connection_id == filters.connection_id)
        if filters.feed_type:
            statement = statement.where(Feed.feed_type == filters.feed_type)
        if filters.status:
            statement = statement.where(Feed.status == filters.status)
        if after is not None:
            created, feed_id = after
            statement = statement.where(
                or_(Feed.created_at < created, and_(Feed.created_at == created, Feed.id < feed_id))
            )
        statement = statement.order_by(Feed.created_at.desc(), Feed.id.desc()).limit(limit)
        return list((await self.session.execute(statement)).scalars())

    async def update(self, tenant_id: uuid.UUID, feed_id: uuid.UUID, **values: Any) -> None:
        values.setdefault("updated_at", func.now())
        await self.session.execute(
            update(Feed).where(Feed.tenant_id == tenant_id, Feed.id == feed_id).values(**values)
        )

    async def mark_submitting(self, tenant_id: uuid.UUID, feed_id: uuid.UUID, now: datetime) -> bool:
        """`uploaded` -> `submitting` (before createFeed is called). False when another feed of the
        connection is submitting (the partial unique index): this one waits its turn."""
        try:
            async with self.session.begin_nested():
                result = await self.session.execute(
                    update(Feed)
                    .where(Feed.tenant_id == tenant_id, Feed.id == feed_id, Feed.status == "uploaded")
                    .values(status="submitting", submit_started_at=now, updated_at=func.now())
                    .returning(Feed.id)
                )
                return result.first() is not None
        except IntegrityError:
            return False

    async def known_amazon_feed_ids(self, connection_id: uuid.UUID, candidates: Sequence[str]) -> set[str]:
        """Which of `candidates` (feedIds Amazon listed) a feed of this connection's seller account
        already has, in any tenant.

        Across tenants on purpose (ids only): Amazon lists feeds per application and seller, so a
        feed another tenant's connection to the same seller made must never be taken for ours."""
        if not candidates:
            return set()
        seller = (
            select(Connection.account_id, Connection.region).where(Connection.id == connection_id).subquery()
        )
        statement = (
            select(Feed.amazon_feed_id)
            .join(Connection, Connection.id == Feed.connection_id)
            .join(
                seller,
                and_(Connection.account_id == seller.c.account_id, Connection.region == seller.c.region),
            )
            .where(Connection.provider == "amazon_sp", Feed.amazon_feed_id.in_(list(candidates)))
        )
        return {str(row[0]) for row in (await self.session.execute(statement)).all()}

    async def by_amazon_id(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID, amazon_feed_id: str
    ) -> list[Feed]:
        """Unfinished feeds following Amazon's feed `amazon_feed_id` (a notification named it)."""
        statement = select(Feed).where(
            Feed.tenant_id == tenant_id,
            Feed.connection_id == connection_id,
            Feed.amazon_feed_id == amazon_feed_id,
            Feed.status.not_in(FINAL),
        )
        return list((await self.session.execute(statement)).scalars())

    async def claim_overdue(self, now: datetime, overdue_before: datetime, limit: int = 200) -> list[Feed]:
        """In-flight feeds (every tenant: the scheduler's sweep) whose next step should have run
        before `overdue_before` (never run: by their last change), now due at `now`."""
        due = func.coalesce(Feed.next_check_at, Feed.updated_at)
        statement = (
            select(Feed)
            .where(Feed.status.in_(IN_FLIGHT), due < overdue_before)
            .order_by(due)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        feeds = list((await self.session.execute(statement)).scalars())
        if feeds:
            await self.session.execute(
                update(Feed).where(Feed.id.in_([f.id for f in feeds])).values(next_check_at=now)
            )
        return feeds

    # feed_documents ----------------------------------------------------------------------------

    async def document_of(self, tenant_id: uuid.UUID, feed_id: uuid.UUID, role: str) -> FeedDocument | None:
        statement = select(FeedDocument).where(
            FeedDocument.tenant_id == tenant_id, FeedDocument.feed_id == feed_id, FeedDocument.role == role
        )
        return (await self.session.execute(statement)).scalars().first()

    async def documents_of(
        self, tenant_id: uuid.UUID, feed_ids: Sequence[uuid.UUID]
    ) -> dict[tuple[uuid.UUID, str], FeedDocument]:
        """(feed id, role) -> the stored file, for a page of feeds."""
        if not feed_ids:
            return {}
        statement = select(FeedDocument).where(
            FeedDocument.tenant_id == tenant_id, FeedDocument.feed_id.in_(list(feed_ids))
        )
        return {(d.feed_id, d.role): d for d in (await self.session.execute(statement)).scalars()}

    async def save_document(self, **values: Any) -> None:
        """The stored file of a feed in its role; a second one (a new upload, a re-run after a
        crash) replaces the first."""
        statement = insert(FeedDocument).values(id=uuid.uuid4(), **values)
        statement = statement.on_conflict_do_update(
            index_elements=["tenant_id", "feed_id", "role"],
            set_={
                key: statement.excluded[key]
                for key in ("amazon_document_id", "storage_key", "content_type", "size_bytes")
            },
        )
        await self.session.execute(statement)

    async def set_document_amazon_id(
        self, tenant_id: uuid.UUID, feed_id: uuid.UUID, role: str, amazon_document_id: str
    ) -> None:
        await self.session.execute(
            update(FeedDocument)
            .where(
                FeedDocument.tenant_id == tenant_id,
                FeedDocument.feed_id == feed_id,
                FeedDocument.role == role,
            )
            .values(amazon_document_id=amazon_document_id)
        )

    # feed_results ------------------------------------------------------------------------------

    async def replace_results(
        self, tenant_id: uuid.UUID, feed_id: uuid.UUID, rows: Sequence[ResultRow]
    ) -> None:
        """The feed's results, as one report said them (a re-run after a crash writes them again)."""
        await self.session.execute(
            delete(FeedResult).where(FeedResult.tenant_id == tenant_id, FeedResult.feed_id == feed_id)
        )
        for start in range(0, len(rows), RESULTS_BATCH):
            batch = rows[start : start + RESULTS_BATCH]
            await self.session.execute(
                insert(FeedResult).values(
                    [
                        {
                            "tenant_id": tenant_id,
                            "feed_id": feed_id,
                            "message_id": row.message_id,
                            "sku": row.sku,
                            "status": row.status,
                            "rank": RANKS[row.status],
                            "issues": row.issues,
                        }
                        for row in batch
                    ]
                )
            )

    async def results_page(
        self,
        tenant_id: uuid.UUID,
        feed_id: uuid.UUID,
        *,
        errors_only: bool,
        after: tuple[int, int] | None,
        limit: int,
    ) -> list[FeedResult]:
        """Errors first, then warnings, then accepted; messageId order within; keyset on (rank, messageId)."""
        statement = select(FeedResult).where(FeedResult.tenant_id == tenant_id, FeedResult.feed_id == feed_id)
        if errors_only:
            statement = statement.where(FeedResult.rank == RANKS["error"])
        if after is not None:
            rank, message_id = after
            statement = statement.where(
                or_(FeedResult.rank > rank, and_(FeedResult.rank == rank, FeedResult.message_id > message_id))
            )
        statement = statement.order_by(FeedResult.rank, FeedResult.message_id).limit(limit)
        return list((await self.session.execute(statement)).scalars())

    async def result_counts(self, tenant_id: uuid.UUID, feed_id: uuid.UUID) -> dict[str, int]:
        statement = (
            select(FeedResult.status, func.count())
            .where(FeedResult.tenant_id == tenant_id, FeedResult.feed_id == feed_id)
            .group_by(FeedResult.status)
        )
        counts = dict.fromkeys(RANKS, 0)
        for status, count in (await self.session.execute(statement)).all():
            counts[status] = int(count)
        return counts

    async def delete_for_connection(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> list[str]:
        """The connection's feeds with their documents and results (retention); returns the storage
        keys of the stored inputs and processing reports."""
        keys = await self.session.scalars(
            select(FeedDocument.storage_key)
            .join(Feed, Feed.id == FeedDocument.feed_id)
            .where(Feed.tenant_id == tenant_id, Feed.connection_id == connection_id)
        )
        storage_keys = list(keys)
        feed_ids = select(Feed.id).where(Feed.tenant_id == tenant_id, Feed.connection_id == connection_id)
        await self.session.execute(
            delete(FeedResult).where(FeedResult.tenant_id == tenant_id, FeedResult.feed_id.in_(feed_ids))
        )
        await self.session.execute(
            delete(FeedDocument).where(
                FeedDocument.tenant_id == tenant_id, FeedDocument.feed_id.in_(feed_ids)
            )
        )
        await self.session.execute(
            delete(Feed).where(Feed.tenant_id == tenant_id, Feed.connection_id == connection_id)
        )
        return storage_keys
