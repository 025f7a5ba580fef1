"""A run that ends because the seller must re-authorize closes the job row of the window in flight, and
the run after the re-authorization finishes that window in that same row, from its saved cursor.

The worker's own path: `app.sync.tasks.run_sync` for every message the product sends (the broker replaced
by a list, the scheduler's tick called when it is empty), with the production Amazon clients (SQL token
store, `invalid_grant` marking the connection) talking to the emulator in-process. Amazon refuses the
refresh token in the middle of a backfill window: when the window's second page is asked for, the seller's
refresh token is revoked at the emulator and the access token in hand reaches the end of its life, so the
next call needs a refresh, and LWA answers `invalid_grant`.
"""

from __future__ import annotations

import asyncio
import json
import math
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from fastapi import FastAPI
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.connections.clients import AmazonClients
from app.connections.events import ConnectionAuthorized
from app.connections.models import Connection
from app.db.session import create_sessionmaker, unit_of_work
from app.kit.events import publish
from app.orders.models import Order
from app.settings import Settings
from app.sync import tasks
from app.sync.models import Job, SyncState
from app.sync.run import utcnow
from app.sync.service import RUN_ACTOR
from app.worker.actor import Reschedule
from app.worker.context import resources
from tests.amazon.support import EMULATOR_URL, self_authorize
from tests.sync.job_rows import assert_delta_windows_chained, assert_each_backfill_window_once
from tests.sync.support import US, create_seller, documents_only, make_connection
from tests.sync.truth import assert_every_row_equal

pytestmark = pytest.mark.usefixtures("clean_state")

REAUTH_ERROR = "the seller must re-authorize"
PAGE_SIZE = 100  # the Orders API's largest page, which the product asks for


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    # A fast clock, as in test_service: rates and token lifetimes are announced at that pace.
    return EmulatorConfig(seed=3, demo=True, demo_orders=10, time_scale=20000.0)


class SecondPageHook(httpx.AsyncBaseTransport):
    """The emulator in-process; `on_second_page` runs once, when a backfill page that has a next page
    comes back: the product commits that page, then asks for the next one."""

    def __init__(self, app: FastAPI) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.on_second_page: Callable[[], Awaitable[None]] | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        backfill_page = "/orders/" in request.url.path and bool(request.url.params.get("createdAfter"))
        if not backfill_page or response.status_code != 200 or self.on_second_page is None:
            return response
        body = await response.aread()
        if (json.loads(body).get("pagination") or {}).get("nextToken"):
            action, self.on_second_page = self.on_second_page, None
            await action()
        headers = [
            (k, v) for k, v in response.headers.items() if k not in ("content-encoding", "content-length")
        ]
        return httpx.Response(response.status_code, headers=headers, content=body, request=request)

    async def aclose(self) -> None:
        await self.inner.aclose()


class Worker:
    """What the worker and the scheduler do with `sync.run`, in this process: each message sent runs
    `run_sync`; a parked run's message comes back after its delay; an empty queue asks for a tick."""

    def __init__(self) -> None:
        self.queue: list[dict[str, Any]] = []

    def send(self, actor_name: str, kwargs: dict[str, Any], *, delay_ms: int | None = None) -> None:
        if actor_name == RUN_ACTOR:
            self.queue.append(kwargs)

    async def drain(self, max_runs: int = 300) -> int:
        """Run until nothing is due; returns how many runs."""
        runs = 0
        while True:
            if not self.queue:
                await tasks.sync_tick()
                if not self.queue:
                    return runs
            message = self.queue.pop(0)
            try:
                await tasks.run_sync(**message)
            except Reschedule as parked:
                await asyncio.sleep(parked.delay_s)
                self.queue.append(message)
            runs += 1
            assert runs < max_runs, "the sync never came to rest"


@dataclass
class Amazon:
    """The emulator behind the hook, and the production Amazon clients of the worker talking to it."""

    hook: SecondPageHook
    clients: AmazonClients


@pytest.fixture
async def amazon(emulator_app: FastAPI, amazon_settings: Settings) -> AsyncIterator[Amazon]:
    hook = SecondPageHook(emulator_app)
    async with httpx.AsyncClient(transport=hook, base_url=EMULATOR_URL, timeout=10) as http:
        clients = AmazonClients.build(
            amazon_settings, redis=resources.redis, sessionmaker=resources.sessionmaker, http=http
        )
        yield Amazon(hook, clients)


async def _job_rows(engine: AsyncEngine, state_id: uuid.UUID) -> list[Job]:
    async with create_sessionmaker(engine)() as session:
        state = await session.get_one(SyncState, state_id)
        rows = await session.scalars(
            select(Job)
            .where(Job.connection_id == state.connection_id, Job.marketplace_id == state.marketplace_id)
            .order_by(Job.created_at)
        )
        return list(rows)


async def _state(engine: AsyncEngine, state_id: uuid.UUID) -> SyncState:
    async with create_sessionmaker(engine)() as session:
        return await session.get_one(SyncState, state_id)


async def test_reauth_mid_window_closes_the_job_row_and_the_window_resumes_after_reconsent(
    engine: AsyncEngine,
    emulator_http: httpx.AsyncClient,
    amazon: Amazon,
    amazon_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clients = amazon.clients
    worker = Worker()
    monkeypatch.setattr("app.worker.broker.send_job", worker.send)
    monkeypatch.setattr(tasks, "worker_amazon_clients", lambda: clients)
    # The window in flight is a report window read by pages (no plan: one window after the other).
    planned = tasks.get_settings()
    monkeypatch.setattr(tasks, "get_settings", lambda: documents_only(planned))

    # 600 orders in the last 2 months: the backfill windows there take several pages each.
    seller = await create_seller(emulator_http, 600, [US], months=2)
    refresh = await self_authorize(emulator_http, seller)
    tenant_id, connection_id = await make_connection(
        engine,
        seller_id=seller,
        marketplaces=[US],
        refresh_token=refresh,
        encryption_keys=amazon_settings.security.encryption_keys,
    )
    # The seller has no order reports: every backfill window is read page by page.
    no_reports = await emulator_http.post(
        "/_emulator/faults", json={"operation": "createReport", "error_rate": 1.0, "status": 403}
    )
    assert no_reports.status_code == 200, no_reports.text
    async with create_sessionmaker(engine)() as session:
        state_id = await session.scalar(select(SyncState.id).where(SyncState.connection_id == connection_id))
    assert state_id is not None
    ref = await clients.ref(connection_id)

    async def seller_revokes_as_the_access_token_expires() -> None:
        revoked = await emulator_http.post("/_emulator/faults", json={"revoke_refresh_token": refresh})
        assert revoked.json()["revoked"] is True
        await clients.tokens.forget(ref)  # the access token's hour ends here: the next call refreshes

    amazon.hook.on_second_page = seller_revokes_as_the_access_token_expires

    # 1. Sync until it stops by itself: the connection needs re-authorization, nothing is due.
    await worker.drain()
    assert amazon.hook.on_second_page is None, "no backfill window took a second page: nothing was tested"

    rows = await _job_rows(engine, state_id)
    assert [(j.id, j.kind, j.window_start) for j in rows if j.status == "running"] == [], (
        "a job row of the run that ended in re-authorization was left running"
    )
    failed = [j for j in rows if j.status == "error"]
    assert len(failed) == 1, [(j.kind, j.status, j.error) for j in rows]
    hurt = failed[0]
    assert hurt.kind == "backfill" and hurt.error == REAUTH_ERROR and hurt.finished_at is not None
    assert hurt.pages >= 1, "the window's first page was committed before Amazon refused the refresh"
    pages_before, seen_before = hurt.pages, hurt.orders_seen

    state = await _state(engine, state_id)
    assert state.status == "error" and state.last_error == REAUTH_ERROR
    assert state.claimed_by is None and state.backfill_completed_at is None
    assert state.next_run_at > utcnow() + timedelta(hours=23)
    cursor = (state.extra or {}).get("backfill")
    assert cursor is not None and cursor["job_id"] == str(hurt.id) and cursor["next_token"], (
        "the cursor of the window in flight is kept for the retry"
    )
    async with create_sessionmaker(engine)() as session:
        connection = await session.get_one(Connection, connection_id)
        assert connection.status == "needs_reauth"

    # 2. The seller authorizes again (what the OAuth callback does to an existing connection).
    fresh = await self_authorize(emulator_http, seller)
    async with unit_of_work(resources.sessionmaker) as session:
        await session.execute(
            update(Connection)
            .where(Connection.id == connection_id)
            .values(status="active", last_error=None, authorized_at=func.now())
        )
        await clients.token_store.store_refresh_token(session, str(tenant_id), str(connection_id), fresh)
        await clients.forget(await session.get_one(Connection, connection_id))
        await publish(
            session,
            ConnectionAuthorized(
                tenant_id=tenant_id,
                connection_id=connection_id,
                provider="amazon_sp",
                region="NA",
                marketplace_ids=(US,),
                reconnected=True,
            ),
        )
    # Re-consent makes the row due at once (`SyncRepository.ensure_rows`), not a day later.
    state = await _state(engine, state_id)
    assert state.status == "idle" and state.last_error is None
    assert state.next_run_at <= utcnow(), "re-authorizing makes the row due again at once"
    await worker.drain()

    # 3. The window was finished in its own row, from its cursor: no page read twice, nothing lost.
    state = await _state(engine, state_id)
    assert state.status == "idle" and state.last_error is None and state.backfill_completed_at is not None
    rows = await _job_rows(engine, state_id)
    assert [j for j in rows if j.status != "done"] == [], [(j.kind, j.status, j.error) for j in rows]
    resumed = next(j for j in rows if j.id == hurt.id)
    assert resumed.error is None and resumed.finished_at is not None and resumed.pages > pages_before
    async with create_sessionmaker(engine)() as session:
        in_window = await session.scalar(
            select(func.count())
            .select_from(Order)
            .where(
                Order.connection_id == connection_id,
                Order.marketplace_id == US,
                Order.purchase_date >= resumed.window_start,
                Order.purchase_date < resumed.window_end,
            )
        )
    assert in_window is not None and in_window > PAGE_SIZE
    assert resumed.orders_seen == in_window > seen_before, (
        f"the window's row counts {resumed.orders_seen} orders seen ({seen_before} before the refusal), "
        f"the window holds {in_window}"
    )
    assert resumed.pages == math.ceil(in_window / PAGE_SIZE)
    unchanged = (resumed.result or {}).get("unchanged", 0)
    assert resumed.orders_inserted + resumed.orders_updated + unchanged == resumed.orders_seen
    await assert_each_backfill_window_once(engine, connection_id, windows=25, note="reauth mid-window")
    await assert_delta_windows_chained(engine, connection_id, note="reauth mid-window")
    await assert_every_row_equal(engine, emulator_http, [seller], note="reauth mid-window")
