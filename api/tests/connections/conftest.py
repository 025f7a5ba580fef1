"""The API under test talks to a real emulator process (consent pages, LWA, Sellers, Ads)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.dependencies import get_session
from app.main import create_app
from tests.connections.support import API_BASE, RegisteredApp, emulator_settings, emulator_url, register_app

__all__ = ["emulator_url"]


@pytest.fixture(scope="session")
def registered_app(emulator_url: str) -> RegisteredApp:
    return register_app(emulator_url, API_BASE)


@pytest.fixture
async def app(
    session: AsyncSession, emulator_url: str, registered_app: RegisteredApp
) -> AsyncIterator[FastAPI]:
    """Like the root `app` fixture, with every Amazon URL pointing at the emulator."""
    application = create_app(emulator_settings(emulator_url, API_BASE, registered_app))

    async def test_session() -> AsyncIterator[AsyncSession]:
        yield session

    application.dependency_overrides[get_session] = test_session
    async with application.router.lifespan_context(application):
        yield application
