"""Shared fixtures: an in-process emulator (demo fixtures installed) and helpers to get tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from amazon_emulator.app import create_app
from amazon_emulator.config import EmulatorConfig
from amazon_emulator.state import EmulatorState

from emulator_helpers import access_token_for


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=600)


@pytest.fixture
def app(config: EmulatorConfig) -> FastAPI:
    return create_app(config)


@pytest.fixture
def state(app: FastAPI) -> EmulatorState:
    emulator: EmulatorState = app.state.emulator
    return emulator


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test") as c:
        yield c


@pytest.fixture
async def token(client: httpx.AsyncClient) -> str:
    """A seller access token for the demo seller."""
    return await access_token_for(client)
