"""Fixtures of the reports tests: the Amazon client fixtures (an in-process emulator) and a unit of
work on the test's session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.storage import DocumentStorage, LocalStorage
from tests.amazon.support import *  # noqa: F403  (fixtures)
from tests.factories.reports import ReportSeller, make_report_seller


@pytest.fixture
def uow(session: AsyncSession) -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
    """Each step's unit of work, on the test's transaction (a flush stands for the commit)."""

    @asynccontextmanager
    async def unit() -> AsyncIterator[AsyncSession]:
        yield session
        await session.flush()

    return unit


@pytest.fixture
async def seller(session: AsyncSession) -> ReportSeller:
    return await make_report_seller(session)


@pytest.fixture
def storage(tmp_path: Path) -> DocumentStorage:
    return LocalStorage(tmp_path / "documents")
