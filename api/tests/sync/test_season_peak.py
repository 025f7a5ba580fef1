"""A planned backfill of a seller with a season inside its history (3,000 more orders in one month)
that neither end of the history shows: the range searchOrders takes after the probe and the oldest
window runs past the orders planned for it into the bucket's emptiness, where a page waits 3 minutes
and a report takes one. The range is handed to reports (its job row ends `replanned`), pages take
nothing more, and the backfill still closes each window once with every order equal to the truth.

The emulator's clock runs 10 times Amazon's (usage plans, report processing), so the reports past
createReport's burst (the range's windows are added to the documents' own) take seconds. At that
clock a refused page waits 18 s, less than the minute the plan assumes a report takes until it has
seen one of this seller's: pages may wait out a page or two before the first report is seen.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
import redis.asyncio as aioredis
from amazon_emulator.config import EmulatorConfig
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from app.amazon_http import AmazonTransport
from app.settings import Settings
from app.sync import planner
from tests.sync.procs import hold_still
from tests.sync.test_planned_backfill import planned_harness
from tests.sync.test_service import Harness
from tests.sync.test_shrinking_seller import backfilled_and_compared, onboarded, searches

pytestmark = pytest.mark.usefixtures("clean_tables")

ORDERS = 4000
SEASON = 3000


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=3, demo=True, demo_orders=10, time_scale=10.0)


@pytest.fixture
async def harness(
    engine: AsyncEngine,
    emulator_http: httpx.AsyncClient,
    amazon_settings: Settings,
    redis_client: aioredis.Redis,
    transport: AmazonTransport,
) -> tuple[Harness, str, uuid.UUID]:
    return await planned_harness(engine, emulator_http, amazon_settings, redis_client, transport, ORDERS, 23)


def add_season(app: FastAPI, seller_id: str, start: float, end: float, orders: int) -> None:
    """`orders` more orders of the seller, purchased evenly over [`start`, `end`) (epoch seconds)."""
    from amazon_emulator.seeding import factories

    state = app.state.emulator
    seller = state.seller(seller_id)
    factory = factories(state)[seller_id]
    with seller.lock:
        for n in range(orders):
            seller.add_order(factory.make(start + (end - start) * (n + 0.5) / orders))


@pytest.mark.timeout(420)
async def test_a_season_the_plan_did_not_see_hands_the_range_to_reports(
    harness: tuple[Harness, str, uuid.UUID],
    emulator_http: httpx.AsyncClient,
    emulator_app: FastAPI,
    engine: AsyncEngine,
) -> None:
    h, seller, connection_id = harness
    state = await onboarded(h, connection_id)
    assert state.backfill_from is not None and state.backfill_to is not None
    windows = planner.split_windows(state.backfill_from, state.backfill_to, planner.REPORT_WINDOW)
    season = windows[4]
    add_season(emulator_app, seller, season.start.timestamp(), season.end.timestamp(), SEASON)
    hold_still(emulator_app, seller)
    await emulator_http.delete("/_emulator/requests")

    calls, jobs, ledger = await backfilled_and_compared(h, seller, connection_id, emulator_http, engine)

    # The range that met the season was handed to reports unfinished: one `replanned` row over it,
    # and the season's month was read by a report.
    [handed] = [j for j in jobs if j.status == "replanned"]
    assert ledger.replanned == 1
    assert handed.window_start is not None and handed.window_end is not None
    assert handed.window_start <= season.start and season.end <= handed.window_end
    assert (handed.result or {}).get("handed_to") == "report"
    [read] = [j for j in jobs if j.status == "done" and j.window_start == season.start]
    assert (read.result or {}).get("path") == "report"
    # Pages stopped a few pages past the burst (see the module's doc): read to its end, the range
    # would have taken about 40.
    assert len(searches(calls)) < 26, len(searches(calls))
