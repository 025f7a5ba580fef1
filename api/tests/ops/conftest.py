"""Fixtures of the operator's view tests: the Amazon client fixtures (in-process emulator, token
manager), with the transport counting calls per connection as the product's does. No rate limiter:
a 429 empties Amazon's bucket for a minute for the slow operations these tests call, and what is
counted does not depend on it."""

import httpx
import pytest
import redis.asyncio as aioredis

from app.amazon_http import AmazonTransport
from app.amazon_http.call_counts import DailyCallCounts
from tests.amazon.support import *  # noqa: F403  (fixtures)
from tests.amazon.support import FAST_RETRY


@pytest.fixture
def transport(emulator_http: httpx.AsyncClient, redis_client: aioredis.Redis) -> AmazonTransport:
    return AmazonTransport(
        emulator_http,
        limiter=None,
        retry=FAST_RETRY,
        calls=DailyCallCounts(redis_client),
    )
