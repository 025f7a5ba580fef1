"""A planned backfill end to end in this process, against Amazon's own usage plans (the emulator's clock
at Amazon's pace; only its reports are made faster): the newest window read by searchOrders first (the
probe), then the oldest windows by searchOrders as one range and the rest by report, both at once. Orders
sit exactly on every edge of the window grid, the meeting point of the two paths among them
(searchOrders' createdAfter/createdBefore include their edges, as the emulator's report ranges do, so
such an order is read by both windows). Every order and line must equal the emulator's truth and the
job rows must tile the history."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.orders.sync import OrdersDataset
from app.spapi.primitives import iso_z
from app.sync import planner
from app.sync.models import Job, SyncState
from app.sync.repository import SyncRepository
from app.sync.run_backfill import grid
from app.sync.run_base import utcnow
from app.sync.service import connection_onboarded
from tests.amazon.support import request_log
from tests.sync.job_rows import assert_each_backfill_window_once
from tests.sync.procs import hold_still
from tests.sync.support import US, comparable, ours, truth
from tests.sync.test_service import Harness
from tests.sync.truth import assert_every_row_equal

pytestmark = pytest.mark.usefixtures("clean_state")

# 3,000 orders over 24 months: about 120 a window, more than searchOrders' burst of 20 pages can hold
# after the delta and the probe, and fewer windows left over than createReport's burst of 15: the plan
# must split them.
ORDERS = 3000
SELLER_SEED = 17


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    # Amazon's clock and usage plans; a report is made in 2 s instead of about a minute.
    return EmulatorConfig(seed=3, demo=True, demo_orders=10, time_scale=1.0, report_processing_seconds=2.0)


def put_orders_on_edges(app: FastAPI, seller_id: str, edges: list[float]) -> list[str]:
    """Move one order of the seller onto each instant of `edges` (epoch seconds), its whole timeline
    with it; the ids moved."""
    seller = app.state.emulator.seller(seller_id)
    moved: list[str] = []
    with seller.lock:
        for edge in edges:
            order = min(
                (o for o in seller.orders if o.amazon_order_id not in moved and o.marketplace_id == US),
                key=lambda o: abs(o.purchase_ts - edge),
            )
            shift = edge - order.purchase_ts
            shifted = replace(
                order,
                purchase_ts=edge,
                timeline=tuple((when + shift, status) for when, status in order.timeline),
                touches=tuple(when + shift for when in order.touches),
            )
            seller.orders.remove(order)
            seller.add_order(shifted)
            moved.append(order.amazon_order_id)
    return moved


async def onboarded(h: Harness, connection_id: uuid.UUID) -> SyncState:
    """What the OAuth callback does last (`connection_onboarded`); the row as it then stands."""
    async with h.uow() as session:
        state = (await session.execute(select(SyncState))).scalars().one()
        await connection_onboarded(session, state.tenant_id, connection_id)
    async with h.sessionmaker() as session:
        return (await session.execute(select(SyncState))).scalars().one()


async def until_backfilled(h: Harness, seconds: float, survive: type[BaseException]) -> None:
    """Runs as the worker would, each when its row is due, until every row's backfill is complete. A
    run that dies with `survive` leaves its row claimed, as a killed worker does; its claim is let go
    stale at once (what the lock's TTL does) for the next dispatch to take over."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for message in await h.dispatch():
            try:
                await h.run(message)
            except survive:
                async with h.uow() as session:
                    await session.execute(
                        update(SyncState)
                        .where(SyncState.id == uuid.UUID(message["state_id"]))
                        .values(claimed_at=utcnow() - timedelta(hours=1))
                    )
        async with h.sessionmaker() as session:
            states = list((await session.execute(select(SyncState))).scalars())
        if states and all(s.backfill_completed_at is not None for s in states):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the backfill did not complete within {seconds}s")


class Killed(BaseException):
    """The worker dies here: no handler of the engine runs (a BaseException, as a kill would be)."""


async def backfill_and_compare(
    harness: tuple[Harness, str, uuid.UUID],
    emulator_http: httpx.AsyncClient,
    emulator_app: FastAPI,
    engine: AsyncEngine,
) -> list[dict[str, Any]]:
    """Onboard, put orders on the edges, backfill, and check the mix, the edges and every row against
    the truth; the emulator's request log of the backfill."""
    h, seller, connection_id = harness
    state = await onboarded(h, connection_id)
    assert state.backfill_from is not None and state.backfill_to is not None
    windows = planner.split_windows(state.backfill_from, state.backfill_to, planner.REPORT_WINDOW)
    assert len(windows) == 25
    # An order on every edge inside the history and on its end (the oldest edge is just older than
    # Amazon's 24 months by the time anything asks).
    edges = [w.start for w in windows[1:]] + [state.backfill_to]
    moved = put_orders_on_edges(emulator_app, seller, [e.timestamp() for e in edges])
    hold_still(emulator_app, seller)
    await emulator_http.delete("/_emulator/requests")

    # Generous: reports are made in seconds and the plan keeps within the bursts (no 3-minute wait
    # for a searchOrders token); a slow machine only makes the local work longer.
    await until_backfilled(h, 600.0, survive=Killed)

    async with h.sessionmaker() as session:
        state = (await session.execute(select(SyncState))).scalars().one()
        jobs = list(
            (
                await session.execute(select(Job).where(Job.kind == "backfill").order_by(Job.window_start))
            ).scalars()
        )
    plan: dict[str, Any] = (state.extra or {})["plan"]
    assert grid(plan) == windows and sorted(plan["done"]) == list(range(25))

    # A mix, seen at Amazon: searchOrders pages for the oldest windows (and the newest, the probe),
    # reports for the rest.
    calls = await request_log(emulator_http)
    created = [c for c in calls if c["operation"] == "reports.createReport" and c["status"] == 202]
    searched = [c for c in calls if c["operation"] == "orders2026.searchOrders" and c["status"] == 200]
    paths = [(j.result or {}).get("path") for j in jobs]
    split = int(plan["split"])
    assert 0 < split < 24, plan
    ranged = len(paths) - (24 - split) - 1  # one job row per searchOrders range
    assert ranged >= 1 and paths == ["api"] * ranged + ["report"] * (24 - split) + ["api"], paths
    assert len(created) == 24 - split, [c["query"] for c in created]
    # Searches by creation date, each paged to its end: the probe (the newest window), then ranges
    # from the oldest window on, each where the last one ended, the last one up to the meeting
    # point; with the delta, every page within the burst of 20.
    firsts = [parse_qs(c["query"]) for c in searched if "paginationToken" not in c["query"]]
    ranges = [(q["createdAfter"][0], q["createdBefore"][0]) for q in firsts if "createdAfter" in q]
    assert ranges[0][0] == iso_z(windows[24].start), ranges
    assert [a for a, _ in ranges[1:]] == [iso_z(windows[0].start)] + [b for _, b in ranges[1:-1]], ranges
    assert len(searched) <= 20, len(searched)
    assert not [c for c in calls if c["status"] == 429]

    # The paths meet on an edge of the grid, where an order sits.
    last_pages = jobs[ranged - 1]
    first_report = jobs[ranged]
    assert last_pages.window_end == first_report.window_start == windows[split].start
    assert windows[split].start in edges
    await assert_each_backfill_window_once(engine, connection_id, windows=25)

    # Every order once (the moved ones too), every line equal to the truth, field by field.
    expected = await truth(emulator_http, seller)
    assert await ours(engine, connection_id) == comparable(expected)
    await assert_every_row_equal(engine, emulator_http, [seller])
    async with h.sessionmaker() as session:
        inserted = sum(j.orders_inserted for j in (await session.execute(select(Job))).scalars())
    # Each order inserted once, by whichever window (or the delta) read it first.
    assert inserted == expected["total_orders"]
    assert len(moved) == len(edges)
    return calls


async def test_report_and_api_windows_meet_exactly_and_reproduce_the_truth(
    harness: tuple[Harness, str, uuid.UUID],
    emulator_http: httpx.AsyncClient,
    emulator_app: FastAPI,
    engine: AsyncEngine,
) -> None:
    await backfill_and_compare(harness, emulator_http, emulator_app, engine)


async def test_worker_killed_mid_range_resumes_from_the_saved_page(
    harness: tuple[Harness, str, uuid.UUID],
    emulator_http: httpx.AsyncClient,
    emulator_app: FastAPI,
    engine: AsyncEngine,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The worker dies while the pages path is inside its range (three pages stored, the fourth not
    asked for yet): the run that takes the row over goes on from the saved page token, in the same job
    row, and nothing is lost or read twice."""
    original = OrdersDataset.pages
    kills: list[str | None] = []

    async def pages(
        self: OrdersDataset, client: Any, scope: Any, kind: Any, window: planner.Window, token: str | None
    ) -> AsyncIterator[Any]:
        n = 0
        async for page in original(self, client, scope, kind, window, token):
            yield page
            n += 1
            if kind == "backfill" and window.days > 31 and n == 3 and not kills:
                kills.append(page.next_token)
                raise Killed

    monkeypatch.setattr(OrdersDataset, "pages", pages)
    calls = await backfill_and_compare(harness, emulator_http, emulator_app, engine)
    assert len(kills) == 1 and kills[0] is not None
    tokens = [parse_qs(c["query"]).get("paginationToken", [None])[0] for c in calls]
    sent = [t for t in tokens if t is not None]
    # The saved token was the next one asked for, and no page was asked for twice.
    assert kills[0] in sent and len(sent) == len(set(sent))


async def test_a_plan_left_by_an_earlier_version_is_dropped_and_its_windows_read_again(
    harness: tuple[Harness, str, uuid.UUID],
    emulator_http: httpx.AsyncClient,
    emulator_app: FastAPI,
    engine: AsyncEngine,
) -> None:
    """A row whose plan has the earlier shape (no probe; documents from the oldest window, pages from
    the newest), each lane with a window open, as a version before this one left it when the
    worker was upgraded: the open windows' jobs end `replanned`, a new plan starts from the
    backfill's beginning, and every window is then read once, to the truth."""
    h, seller, connection_id = harness
    state = await onboarded(h, connection_id)
    async with h.uow() as session:
        assert state.backfill_from is not None and state.backfill_to is not None
        windows = planner.split_windows(state.backfill_from, state.backfill_to, planner.REPORT_WINDOW)
        repo = SyncRepository(session)
        open_jobs = {}
        for lane, window in (("backfill", windows[0]), ("backfill_pages", windows[-1])):
            open_jobs[lane] = await repo.create_job(
                tenant_id=state.tenant_id,
                connection_id=connection_id,
                entity="orders",
                kind="backfill",
                marketplace_id=US,
                window_start=window.start,
                window_end=window.end,
                payload={},
                now=utcnow(),
            )
        earlier = {
            "plan": {
                "from": state.backfill_from.isoformat(),
                "to": state.backfill_to.isoformat(),
                "size_s": planner.REPORT_WINDOW.total_seconds(),
                "split": 12,
                "done": [],
            },
            "backfill": {
                "start": windows[0].start.isoformat(),
                "end": windows[0].end.isoformat(),
                "path": "report",
                "document": None,
                "job_id": str(open_jobs["backfill"]),
            },
            "backfill_pages": {
                "start": windows[-1].start.isoformat(),
                "end": windows[-1].end.isoformat(),
                "next_token": None,
                "job_id": str(open_jobs["backfill_pages"]),
            },
        }
        await session.execute(
            update(SyncState).where(SyncState.id == state.id).values(extra={**(state.extra or {}), **earlier})
        )
    hold_still(emulator_app, seller)

    await until_backfilled(h, 600.0, survive=Killed)

    async with h.sessionmaker() as session:
        ended = {j.id: j.status for j in (await session.execute(select(Job))).scalars()}
        state = (await session.execute(select(SyncState))).scalars().one()
    assert [ended[j] for j in open_jobs.values()] == ["replanned", "replanned"]
    assert "probed" in (state.extra or {})["plan"]
    ledger = await assert_each_backfill_window_once(engine, connection_id, windows=25)
    assert ledger.replanned == 2
    expected = await truth(emulator_http, seller)
    assert await ours(engine, connection_id) == comparable(expected)
    await assert_every_row_equal(engine, emulator_http, [seller])
