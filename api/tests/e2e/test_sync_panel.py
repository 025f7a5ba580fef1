"""The user story in a real browser: right after a seller is connected, with nothing more to do, the
tenant overview shows each marketplace's backfill progressing (progress bar, orders so far, ETA),
then "Up to date", then deltas (last run, next run, watermark, orders changed, 429s, request ids).
Screenshots land in test-results/screenshots/sync-*.png."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from playwright.sync_api import Page, expect
from sqlalchemy.ext.asyncio import create_async_engine

from app.db.session import create_sessionmaker, unit_of_work
from app.settings import get_settings
from app.worker.broker import setup_broker
from app.worker.enqueue import enqueue_job
from tests.amazon.support import LoopbackEmulator
from tests.factories.connections import make_synced_connection
from tests.fixtures.browser import screenshot, sign_up_with_a_tenant
from tests.sync.procs import Product, product_env
from tests.sync.support import CA, US

SCALE = 120.0
TIMEOUT_MS = 20_000


@pytest.fixture
def served() -> Iterator[LoopbackEmulator]:
    from amazon_emulator.app import create_app

    server = LoopbackEmulator(
        create_app(EmulatorConfig(seed=4, demo=True, demo_orders=10, time_scale=SCALE))
    ).start()
    yield server
    server.stop()


async def _connect(tenant_id: str, seller: str, refresh: str) -> None:
    """What the OAuth callback leaves behind: connection, encrypted refresh token, sync rows, and
    `sync.connection_onboarded` enqueued."""
    engine = create_async_engine(get_settings().db.sqlalchemy_url)
    try:
        sessionmaker = create_sessionmaker(engine)
        setup_broker()
        async with unit_of_work(sessionmaker) as session:
            tid = uuid.UUID(tenant_id)
            connection = await make_synced_connection(
                session,
                sessionmaker,
                tid,
                account_id=seller,
                marketplaces=[US, CA],
                refresh_token=refresh,
                encryption_keys=get_settings().security.encryption_keys,
            )
            enqueue_job(
                session, "sync.connection_onboarded", connection_id=str(connection.id), tenant_id=tenant_id
            )
    finally:
        await engine.dispose()


def _in_thread(coro: Any) -> None:
    # Playwright's sync API owns this thread's event loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coro).result()


def test_sync_card_tells_the_story(
    clean_tables: None, live_api: str, served: LoopbackEmulator, page: Page
) -> None:
    emulator = served.url
    seller = f"A{uuid.uuid4().hex[:12].upper()}"
    created = httpx.post(
        f"{emulator}/_emulator/sellers",
        json={
            "selling_partner_id": seller,
            "marketplaces": [US, CA],
            "orders": 2500,
            "months": 24,
            "seed": 8,
        },
        timeout=60,
    )
    assert created.status_code == 201, created.text
    from amazon_emulator.config import DEMO_CLIENT_ID

    refresh = httpx.post(
        f"{emulator}/_emulator/self-authorize",
        json={"client_id": DEMO_CLIENT_ID, "selling_partner_id": seller, "kind": "spapi"},
        timeout=30,
    ).json()["refresh_token"]

    tenant_id = sign_up_with_a_tenant(
        page, live_api, f"sync-{uuid.uuid4().hex[:8]}@example.com", "Sync Story"
    )
    card = page.get_by_test_id("sync-card")
    expect(card.get_by_text("Connect a seller account")).to_be_visible(timeout=TIMEOUT_MS)

    product = Product(product_env(emulator, DELTA_SYNC_INTERVAL_MINUTES="0.1"), "sync-panel")
    product.start_worker()
    product.start_scheduler()
    try:
        _in_thread(_connect(tenant_id, seller, refresh))
        # Mid-backfill: a progress bar per marketplace, orders so far and an ETA.
        backfilling = card.locator('[data-testid="sync-marketplace"][data-phase="backfill"]')
        expect(backfilling.first).to_be_visible(timeout=TIMEOUT_MS)
        expect(backfilling.first.get_by_role("progressbar")).to_be_visible()
        expect(backfilling.first.get_by_test_id("sync-backfill")).to_contain_text(
            re.compile(r"24-month backfill \d+% .* [1-9][\d,]* orders so far"), timeout=TIMEOUT_MS
        )
        screenshot(page, "sync-1-backfill-in-progress")

        # Then up to date, with deltas every interval.
        done = card.locator('[data-testid="sync-marketplace"][data-phase="up_to_date"]')
        expect(done).to_have_count(2, timeout=90_000)
        expect(card.get_by_text("Up to date").first).to_be_visible()
        expect(done.first.get_by_test_id("sync-watermark")).not_to_have_text("—")
        runs = card.get_by_role("table", name="Recent sync runs")
        expect(runs.locator('tr[data-kind="delta"]').first).to_be_visible(timeout=TIMEOUT_MS)
        screenshot(page, "sync-2-up-to-date")

        card.get_by_role("button", name="Run delta now").first.click()
        expect(runs.locator('tr[data-kind="delta"]').first).to_be_visible()
        screenshot(page, "sync-3-deltas")
    finally:
        product.stop()
