"""Feeds: a tenant with an active seller connection, and feed rows as the service leaves them (the
input stored in the document storage, its `feed_documents` row, status `pending`)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.storage import DocumentStorage
from app.feeds.models import Feed, FeedDocument
from tests.factories.connections import make_connection
from tests.factories.tenants import make_tenant

US = "ATVPDKIKX0DER"
TSV = "text/tab-separated-values; charset=UTF-8"
JSON_TYPE = "application/json; charset=UTF-8"
INVENTORY_LOADER = "POST_FLAT_FILE_INVLOADER_DATA"


@dataclass(frozen=True)
class FeedSeller:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    account_id: str


async def make_feed_seller(
    session: AsyncSession, *, account_id: str | None = None, marketplaces: list[str] | None = None
) -> FeedSeller:
    tenant = await make_tenant(session)
    connection = await make_connection(
        session, tenant.id, account_id=account_id, marketplaces=marketplaces or [US], status="active"
    )
    return FeedSeller(tenant.id, connection.id, connection.account_id)


def inventory_tsv(rows: int = 3) -> bytes:
    lines = ["sku\tquantity"] + [f"SKU-{n}\t{n * 10}" for n in range(1, rows + 1)]
    return ("\n".join(lines) + "\n").encode()


async def make_feed(
    session: AsyncSession,
    seller: FeedSeller,
    storage: DocumentStorage,
    content: bytes,
    *,
    feed_type: str = INVENTORY_LOADER,
    content_type: str = TSV,
    marketplace_ids: list[str] | None = None,
    **values: Any,
) -> Feed:
    """A `feeds` row as `FeedsService.create` leaves it (pending, input stored), without its checks."""
    feed = Feed(
        tenant_id=seller.tenant_id,
        connection_id=seller.connection_id,
        feed_type=feed_type,
        marketplace_ids=marketplace_ids or [US],
        content_type=content_type,
        **{"status": "pending", "source": "raw", **values},
    )
    session.add(feed)
    await session.flush()
    key = f"{seller.tenant_id}/feeds/{feed.id}/input"

    async def chunks() -> AsyncIterator[bytes]:
        yield content

    written = await storage.write(key, chunks())
    session.add(
        FeedDocument(
            tenant_id=seller.tenant_id,
            feed_id=feed.id,
            role="input",
            storage_key=key,
            content_type=content_type,
            size_bytes=written.size_bytes,
        )
    )
    await session.flush()
    return feed
