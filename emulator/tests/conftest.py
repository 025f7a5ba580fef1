"""Shared fixtures: an in-process emulator (demo fixtures installed), the same served by uvicorn on loopback
for clients that need a real socket, and helpers to get tokens."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import uvicorn
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
def served(app: FastAPI) -> Iterator[str]:
    """The app under uvicorn on a free loopback port (its base URL); the ``state`` fixture is the same."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the emulator did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test") as c:
        yield c


@pytest.fixture
async def token(client: httpx.AsyncClient) -> str:
    """A seller access token for the demo seller."""
    return await access_token_for(client)
