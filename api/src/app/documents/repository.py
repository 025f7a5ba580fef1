"""All SQL of the asynchronous-document component (`amazon_documents`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.models import AmazonDocument

IN_FLIGHT = ("pending", "processing")


class DocumentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def in_flight(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID, kind: str, request_keys: Sequence[str]
    ) -> dict[str, AmazonDocument]:
        """The newest in-flight record of each key (requested and not finished), by key."""
        if not request_keys:
            return {}
        statement = (
            select(AmazonDocument)
            .where(
                AmazonDocument.tenant_id == tenant_id,
                AmazonDocument.connection_id == connection_id,
                AmazonDocument.kind == kind,
                AmazonDocument.request_key.in_(list(request_keys)),
                AmazonDocument.status.in_(IN_FLIGHT),
            )
            .order_by(AmazonDocument.created_at)
        )
        found: dict[str, AmazonDocument] = {}
        for record in (await self.session.execute(statement)).scalars():
            found[record.request_key] = record
        return found

    async def add_pending(
        self,
        tenant_id: uuid.UUID,
        connection_id: uuid.UUID,
        kind: str,
        requests: Sequence[tuple[str, dict[str, Any]]],
        job_id: uuid.UUID | None,
    ) -> list[uuid.UUID]:
        """One `pending` row per (request_key, request body); returns their ids in order."""
        if not requests:
            return []
        ids = [uuid.uuid4() for _ in requests]
        rows = [
            {
                "id": record_id,
                "tenant_id": tenant_id,
                "connection_id": connection_id,
                "kind": kind,
                "request_key": key,
                "request": body,
                "job_id": job_id,
            }
            for record_id, (key, body) in zip(ids, requests, strict=True)
        ]
        await self.session.execute(insert(AmazonDocument).values(rows))
        return ids

    async def get(self, tenant_id: uuid.UUID, record_id: uuid.UUID) -> AmazonDocument | None:
        statement = select(AmazonDocument).where(
            AmazonDocument.tenant_id == tenant_id, AmazonDocument.id == record_id
        )
        return (await self.session.execute(statement)).scalars().first()

    async def set_amazon_id(self, record_id: uuid.UUID, amazon_id: str, now: datetime) -> None:
        await self.session.execute(
            update(AmazonDocument)
            .where(AmazonDocument.id == record_id)
            .values(amazon_id=amazon_id, status="processing", requested_at=now, updated_at=now)
        )

    async def forget(self, record_ids: Sequence[uuid.UUID]) -> None:
        """Drop `pending` rows of requests Amazon answered without creating anything (throttled,
        refused): nothing is in flight for them."""
        if record_ids:
            await self.session.execute(
                delete(AmazonDocument).where(
                    AmazonDocument.id.in_(list(record_ids)), AmazonDocument.status == "pending"
                )
            )

    async def set_status(
        self,
        record_id: uuid.UUID,
        *,
        status: str,
        processing_status: str | None,
        document_id: str | None,
        now: datetime,
        error: str | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "status": status,
            "processing_status": processing_status,
            "document_id": document_id,
            "error": error,
            "updated_at": now,
        }
        if status not in IN_FLIGHT:
            values["finished_at"] = now
        await self.session.execute(
            update(AmazonDocument).where(AmazonDocument.id == record_id).values(**values)
        )

    async def delete_for_connection(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> list[str]:
        """The connection's document records; returns the storage keys of the files they kept."""
        deleted = await self.session.execute(
            delete(AmazonDocument)
            .where(AmazonDocument.tenant_id == tenant_id, AmazonDocument.connection_id == connection_id)
            .returning(AmazonDocument.storage_key)
        )
        return [key for (key,) in deleted if key]
