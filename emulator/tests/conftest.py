"""Shared fixtures: an in-process emulator (demo fixtures installed) and helpers to get tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from amazon_emulator.app import create_app
from amazon_emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_SELLER_ID, EmulatorConfig
from amazon_emulator.state import EmulatorState


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


async def refresh_token_for(client: httpx.AsyncClient, seller: str = DEMO_SELLER_ID) -> str:
    r = await client.post(
        "/_emulator/self-authorize", json={"client_id": DEMO_CLIENT_ID, "selling_partner_id": seller}
    )
    assert r.status_code == 200, r.text
    token: str = r.json()["refresh_token"]
    return token


async def access_token_for(client: httpx.AsyncClient, seller: str = DEMO_SELLER_ID) -> str:
    refresh = await refresh_token_for(client, seller)
    r = await client.post(
        "/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh,
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        },
    )
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token


async def grantless_token(client: httpx.AsyncClient, scope: str = "sellingpartnerapi::notifications") -> str:
    r = await client.post(
        "/auth/o2/token",
        data={
            "grant_type": "client_credentials",
            "scope": scope,
            "client_id": DEMO_CLIENT_ID,
            "client_secret": DEMO_CLIENT_SECRET,
        },
    )
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token


@pytest.fixture
async def token(client: httpx.AsyncClient) -> str:
    """A seller access token for the demo seller."""
    return await access_token_for(client)
