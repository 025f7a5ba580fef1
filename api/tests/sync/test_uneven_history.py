"""Planned backfills of sellers whose orders are not spread as the plan first thinks.

* A seller whose orders shrink over the two years (or whose newest days are quiet: a season that
  ended): the newest window the plan first counts (the probe) is its sparsest, and a plan on it
  alone gives searchOrders far more of the oldest (densest) windows than its burst of 20 pages
  holds. The oldest window is read alone first, so what pages take after it is planned on both
  ends of the history, and nothing is handed to reports for holding more orders than planned. The
  emulator makes sellers that grow; this one is such a seller's history turned round
  (`shrink_history`).
* A seller with a season inside the history (3,000 more orders in one month) that neither end
  shows: the range searchOrders takes after the oldest window runs past the orders planned for it
  into the bucket's emptiness, where a page waits 3 minutes and a report takes one. The range is
  handed to reports (`run_backfill.pages_overran`; its job row ends `replanned`), and pages take
  nothing more.
* A seller so large that its newest ten days alone (the probe) hold more orders than searchOrders'
  burst: the probe is handed to reports the same way, and every window goes by report.

Either way no 429, each window closed once, and every order equal to the emulator's truth. The
emulator's clock runs 10 times Amazon's (usage plans, report processing), so the reports past
createReport's burst take seconds. At that clock a refused page waits 18 s, less than the minute the
plan assumes a report takes until it has seen one of this seller's: pages may wait out a page or two
before the first report is seen.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.sync import planner
from app.sync.models import Job, SyncState
from tests.amazon.support import request_log
from tests.sync.job_rows import BackfillLedger, assert_each_backfill_window_once
from tests.sync.procs import hold_still
from tests.sync.support import comparable, ours, truth
from tests.sync.test_planned_backfill import Killed, onboarded, until_backfilled
from tests.sync.test_service import Harness
from tests.sync.truth import assert_every_row_equal

pytestmark = pytest.mark.usefixtures("clean_state")

# Shrunk (`shrink_history`), the oldest 30 days hold about 970 orders and the newest 10 (the probe)
# about 8: the first plan sees a seller of a few hundred orders.
ORDERS = 4000
SEASON = 3000
# Orders added to the newest ten days for the seller too large for the probe: 25 pages of 100,
# more than searchOrders' burst of 20.
PROBE_SEASON = 2500
SELLER_SEED = 23
DAY = 86400.0


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    # Ten times Amazon's clock (usage plans, report processing): past createReport's burst a report
    # is asked for every 6 s, not every minute.
    return EmulatorConfig(seed=3, demo=True, demo_orders=10, time_scale=10.0)


def shrink_history(app: FastAPI, seller_id: str, days: float = 730.0) -> tuple[int, int]:
    """The seller's orders of the last `days` turned into a shrinking seller's: an order at fraction
    x of the range (0 its start, 1 now) moves to (1 - x)^2, its timeline with it (the emulator's
    sellers grow; mirrored and squared, the oldest month holds about a quarter of the orders and
    the newest ten days a few). (orders in the oldest 30 days, in the newest 10) afterwards."""
    state = app.state.emulator
    now = state.clock.time()
    span = days * DAY
    start = now - span
    seller = state.seller(seller_id)
    with seller.lock:
        moved = []
        for order in seller.orders:
            if not start <= order.purchase_ts <= now:
                moved.append(order)
                continue
            x = (order.purchase_ts - start) / span
            shift = start + span * (1.0 - x) ** 2 - order.purchase_ts
            moved.append(
                replace(
                    order,
                    purchase_ts=order.purchase_ts + shift,
                    timeline=tuple((when + shift, status) for when, status in order.timeline),
                    touches=tuple(when + shift for when in order.touches),
                )
            )
        seller.orders[:] = sorted(moved, key=lambda o: o.purchase_ts)
        seller.orders_by_id.clear()
        seller.orders_by_id.update({o.amazon_order_id: o for o in seller.orders})
        oldest = sum(1 for o in seller.orders if start <= o.purchase_ts < start + 30 * DAY)
        newest = sum(1 for o in seller.orders if now - 10 * DAY <= o.purchase_ts <= now)
    return oldest, newest


async def backfilled_and_compared(
    h: Harness, seller: str, connection_id: uuid.UUID, emulator_http: httpx.AsyncClient, engine: AsyncEngine
) -> tuple[list[dict[str, Any]], list[Job], BackfillLedger]:
    """The backfill run to its end, then checked: no 429, each window closed once, every order and
    line equal to the truth. The emulator's request log and the backfill's job rows."""
    await until_backfilled(h, 300.0, survive=Killed)
    calls = await request_log(emulator_http)
    assert not [c for c in calls if c["status"] == 429]
    async with h.sessionmaker() as session:
        state = (await session.execute(select(SyncState))).scalars().one()
        jobs = list(
            (
                await session.execute(select(Job).where(Job.kind == "backfill").order_by(Job.window_start))
            ).scalars()
        )
    assert state.backfill_from is not None and state.backfill_to is not None
    windows = planner.split_windows(state.backfill_from, state.backfill_to, planner.REPORT_WINDOW)
    ledger = await assert_each_backfill_window_once(engine, connection_id, windows=len(windows))
    expected = await truth(emulator_http, seller)
    assert await ours(engine, connection_id) == comparable(expected)
    await assert_every_row_equal(engine, emulator_http, [seller])
    return calls, jobs, ledger


def searches(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for c in calls if c["operation"] == "orders2026.searchOrders"]


@pytest.mark.timeout(420)
async def test_a_shrinking_seller_is_planned_on_both_ends_of_its_history(
    harness: tuple[Harness, str, uuid.UUID],
    emulator_http: httpx.AsyncClient,
    emulator_app: FastAPI,
    engine: AsyncEngine,
) -> None:
    h, seller, connection_id = harness
    await onboarded(h, connection_id)
    oldest, newest = shrink_history(emulator_app, seller)
    assert oldest > 50 * newest, (oldest, newest)
    hold_still(emulator_app, seller)
    await emulator_http.delete("/_emulator/requests")

    _, jobs, ledger = await backfilled_and_compared(h, seller, connection_id, emulator_http, engine)

    # Planned on the probe alone (a seller of a few hundred orders), pages would have been given
    # every window as one range and met 4,000 orders in it: past searchOrders' burst, a page every
    # 18 s at this clock, longer than `backfilled_and_compared` waits. Read alone first, the oldest
    # window tells the plan better, and nothing is handed to reports for holding more than planned.
    # (At this clock the plan may still send pages a few pages past the burst on purpose: until it
    # has seen one of this seller's reports it assumes Amazon's minute, ten times this clock's.)
    assert ledger.replanned == 0, ledger
    first = jobs[0]  # by window start: the oldest window's
    assert first.window_start is not None and first.window_end is not None
    assert first.window_end - first.window_start == planner.REPORT_WINDOW, first
    assert (first.result or {}).get("path") == "api"
    # Pages read the newest window (the probe) and the oldest; reports the most of the rest.
    paths = [(j.result or {}).get("path") for j in jobs if j.status == "done"]
    assert paths[0] == paths[-1] == "api" and paths.count("report") > len(paths) // 2, paths


def add_season(app: FastAPI, seller_id: str, start: float, end: float, orders: int) -> None:
    """`orders` more orders of the seller, purchased evenly over [`start`, `end`) (epoch seconds)."""
    from amazon_emulator.seeding import factories

    state = app.state.emulator
    seller = state.seller(seller_id)
    factory = factories(state)[seller_id]
    with seller.lock:
        for n in range(orders):
            seller.add_order(factory.make(start + (end - start) * (n + 0.5) / orders))


async def season_handed_over(
    h: Harness,
    seller: str,
    connection_id: uuid.UUID,
    emulator_http: httpx.AsyncClient,
    emulator_app: FastAPI,
    engine: AsyncEngine,
    window: int,
    orders: int,
) -> tuple[planner.Window, list[dict[str, Any]], Job, list[Job]]:
    """`orders` more orders in window `window` of the backfill's grid (-1: the newest, the probe's),
    the backfill run and checked (`backfilled_and_compared`), and what a hand-over leaves: exactly
    one `replanned` job row, handed to reports, spanning that window, which a report then read.
    (The window, the searchOrders calls, the `replanned` row, the backfill's job rows.)"""
    state = await onboarded(h, connection_id)
    assert state.backfill_from is not None and state.backfill_to is not None
    season = planner.split_windows(state.backfill_from, state.backfill_to, planner.REPORT_WINDOW)[window]
    add_season(emulator_app, seller, season.start.timestamp(), season.end.timestamp(), orders)
    hold_still(emulator_app, seller)
    await emulator_http.delete("/_emulator/requests")

    calls, jobs, ledger = await backfilled_and_compared(h, seller, connection_id, emulator_http, engine)

    [handed] = [j for j in jobs if j.status == "replanned"]
    assert ledger.replanned == 1
    assert handed.window_start is not None and handed.window_end is not None
    assert handed.window_start <= season.start and season.end <= handed.window_end
    assert (handed.result or {}).get("handed_to") == "report"
    [read] = [j for j in jobs if j.status == "done" and j.window_start == season.start]
    assert (read.result or {}).get("path") == "report"
    return season, searches(calls), handed, jobs


@pytest.mark.timeout(420)
async def test_a_season_the_plan_did_not_see_hands_the_range_to_reports(
    harness: tuple[Harness, str, uuid.UUID],
    emulator_http: httpx.AsyncClient,
    emulator_app: FastAPI,
    engine: AsyncEngine,
) -> None:
    # The range that meets the season (window 4) is handed to reports unfinished.
    _, searched, _, _ = await season_handed_over(
        *harness, emulator_http, emulator_app, engine, window=4, orders=SEASON
    )
    # Pages stopped a few pages past the burst (see the module's doc): read to its end, the range
    # would have taken about 40.
    assert len(searched) < 26, len(searched)


@pytest.mark.timeout(420)
async def test_a_seller_too_large_for_the_probe_hands_it_to_reports(
    harness: tuple[Harness, str, uuid.UUID],
    emulator_http: httpx.AsyncClient,
    emulator_app: FastAPI,
    engine: AsyncEngine,
) -> None:
    # The probe meets more orders than the burst holds and is handed over unfinished.
    newest, searched, handed, jobs = await season_handed_over(
        *harness, emulator_http, emulator_app, engine, window=-1, orders=PROBE_SEASON
    )
    assert (handed.window_start, handed.window_end) == (newest.start, newest.end)
    assert 0 < handed.orders_seen < PROBE_SEASON, handed.orders_seen
    # Pages took nothing after the probe: every window was read by a report.
    paths = {(j.result or {}).get("path") for j in jobs if j.status == "done"}
    assert paths == {"report"}, paths
    # Read to its end, the probe would have taken 26 pages, the last 6 of them 18 s apart.
    assert len(searched) < 25, len(searched)
