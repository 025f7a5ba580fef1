"""Shared set-up of the report rows tests: a seller, a report of ours, a unit of work on the test's
transaction, and documents as byte streams."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.reports.catalogue import LoadTarget
from app.reports.models import Report
from tests.factories.connections import Seller, make_seller

US = "ATVPDKIKX0DER"


@pytest.fixture
async def seller(session: AsyncSession) -> Seller:
    return await make_seller(session)


@pytest.fixture
def uow(session: AsyncSession) -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
    """Units of work on the test's transaction (each commit is a savepoint release)."""

    @asynccontextmanager
    async def unit() -> AsyncIterator[AsyncSession]:
        yield session
        await session.commit()

    return unit


async def make_report(
    session: AsyncSession, seller: Seller, report_type: str, *, via: str = "report"
) -> uuid.UUID:
    report = Report(
        tenant_id=seller.tenant_id, connection_id=seller.connection_id, report_type=report_type, via=via
    )
    session.add(report)
    await session.flush()
    return report.id


def target(
    seller: Seller,
    report_id: uuid.UUID,
    marketplaces: tuple[str, ...] = (US,),
    start: datetime | None = None,
    end: datetime | None = None,
) -> LoadTarget:
    return LoadTarget(seller.tenant_id, seller.connection_id, report_id, marketplaces, start, end)


async def stream(data: bytes | Iterable[bytes], size: int = 7) -> AsyncIterator[bytes]:
    """`data` in small chunks (lines and JSON values cut anywhere), or the chunks given."""
    if isinstance(data, bytes):
        for start in range(0, len(data), size):
            yield data[start : start + size]
        return
    for chunk in data:
        yield chunk


def tsv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode()
