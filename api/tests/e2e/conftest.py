"""The emulator of the end-to-end tests: served on loopback from this process (so the product's
processes reach it and tests can act on its state), and a client for its admin routes. Each test
module sets `emulator_config`; a module may replace `served` with its own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig

from tests.amazon.support import LoopbackEmulator
from tests.sync.procs import emulator_client


@pytest.fixture
def emulator_app(emulator_config: EmulatorConfig) -> Any:
    from amazon_emulator.app import create_app

    return create_app(emulator_config)


@pytest.fixture
def served(emulator_app: Any) -> Iterator[LoopbackEmulator]:
    server = LoopbackEmulator(emulator_app).start()
    yield server
    server.stop()


@pytest.fixture
async def amazon(served: LoopbackEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with emulator_client(served.url) as client:
        yield client
