"""Fixtures of the feeds tests: the Amazon client fixtures (an in-process emulator), a unit of work
on the test's session, a local document storage, a seller whose connection is the emulator's demo
seller (the one `sp_client` speaks for)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.storage import DocumentStorage, LocalStorage
from tests.amazon.support import *  # noqa: F403  (fixtures)
from tests.amazon.support import DEMO_SELLER_ID
from tests.factories.feeds import FeedSeller, make_feed_seller


@pytest.fixture
def uow(session: AsyncSession) -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
    """Each step's unit of work, on the test's transaction (a flush stands for the commit)."""

    @asynccontextmanager
    async def unit() -> AsyncIterator[AsyncSession]:
        yield session
        await session.flush()

    return unit


@pytest.fixture
async def seller(session: AsyncSession) -> FeedSeller:
    return await make_feed_seller(session, account_id=DEMO_SELLER_ID)


@pytest.fixture
def storage(tmp_path: Path) -> DocumentStorage:
    return LocalStorage(tmp_path / "documents")
