"""Fixtures of the sync tests: the Amazon client fixtures (in-process emulator, token manager), and
`harness`: the engine's harness (the planned backfill, the default) on a seller of one marketplace
connected as the OAuth callback leaves it, for a module that sets `ORDERS` (the seller's orders)
and `SELLER_SEED`. A module may define its own."""

from __future__ import annotations

import uuid

import httpx
import pytest
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine

from app.amazon_http import AmazonTransport
from app.settings import Settings
from tests.amazon.support import *  # noqa: F403  (fixtures)
from tests.sync.support import US
from tests.sync.test_service import Harness, connected_harness


@pytest.fixture
async def harness(
    request: pytest.FixtureRequest,
    engine: AsyncEngine,
    emulator_http: httpx.AsyncClient,
    amazon_settings: Settings,
    redis_client: aioredis.Redis,
    transport: AmazonTransport,
) -> tuple[Harness, str, uuid.UUID]:
    assert amazon_settings.sync.sync_backfill_paths == "planned"
    return await connected_harness(
        engine,
        emulator_http,
        amazon_settings,
        redis_client,
        transport,
        orders=request.module.ORDERS,
        marketplaces=[US],
        seed=request.module.SELLER_SEED,
    )
