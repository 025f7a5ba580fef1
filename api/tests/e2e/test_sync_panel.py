"""The user story in a real browser: right after a seller is connected, with nothing more to do, the
tenant overview shows each marketplace's backfill progressing (progress bar, orders so far, ETA),
then "Up to date", then deltas (last run, next run, watermark, orders changed, 429s, request ids).

Every figure is compared with the database: mid-backfill the worker is frozen (SIGSTOP) so the card
must show exactly the stored orders and progress, and an ETA consistent with them; "Run delta now"
(with nothing else due for minutes) must start a new delta per marketplace, whose orders changed,
429s (as many as the emulator injected) and request ids (Amazon's, from its request log) the card
then shows; and the synced rows equal the emulator's, field by field.
Screenshots land in test-results/screenshots/sync-*.png."""

from __future__ import annotations

import os
import re
import signal
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
import psycopg
import pytest
from amazon_emulator.config import EmulatorConfig
from playwright.sync_api import Locator, Page, expect
from sqlalchemy.ext.asyncio import create_async_engine

from app.settings import get_settings
from app.sync.planner import backfill_progress
from app.sync.run_backfill import plan_finish, planned_progress
from app.sync.views import backfill_path
from tests.amazon.support import LoopbackEmulator
from tests.fixtures.browser import in_thread, screenshot, sign_up_with_a_tenant
from tests.sync.procs import (
    Product,
    backdated_activity,
    connect_onboarded,
    emulator_client,
    hold_still,
    product_env,
)
from tests.sync.support import CA, US
from tests.sync.truth import assert_every_row_equal

SCALE = 120.0
# The card's words for each path (web/src/features/sync/components/SyncCard.tsx).
BACKFILL_PATHS = {
    "report": "order reports",
    "api": "Orders API",
    "report+api": "order reports and Orders API at once",
}
TIMEOUT_MS = 20_000


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=4, demo=True, demo_orders=10, time_scale=SCALE)


def _db() -> psycopg.Connection[Any]:
    url = get_settings().db.sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(url, autocommit=True)


def _stored_orders(connection_id: str) -> dict[str, int]:
    with _db() as db:
        rows = db.execute(
            "SELECT marketplace_id, count(*) FROM orders WHERE connection_id = %s GROUP BY 1",
            (connection_id,),
        ).fetchall()
    return {market: int(count) for market, count in rows}


def _states(connection_id: str) -> dict[str, dict[str, Any]]:
    with _db() as db:
        rows = db.execute(
            "SELECT marketplace_id, backfill_from, backfill_to, backfill_done_until, backfill_started_at,"
            " backfill_completed_at, extra FROM sync_state WHERE connection_id = %s AND entity = 'orders'",
            (connection_id,),
        ).fetchall()
    names = ("from", "to", "done_until", "started_at", "completed_at", "extra")
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}


def _delta_jobs(connection_id: str) -> list[dict[str, Any]]:
    """Every delta job row, newest first."""
    with _db() as db:
        rows = db.execute(
            "SELECT id, marketplace_id, status, orders_inserted + orders_updated, throttled_429, request_ids,"
            " created_at FROM jobs WHERE connection_id = %s AND type = 'sync' AND kind = 'delta'"
            " ORDER BY created_at DESC",
            (connection_id,),
        ).fetchall()
    names = ("id", "market", "status", "changed", "throttled", "request_ids", "created_at")
    return [dict(zip(names, row, strict=True)) for row in rows]


def _delta_facts(connection_id: str, market: str) -> dict[str, str]:
    """What the card's facts must read for the marketplace's last finished delta (`—` before any)."""
    last = next(
        (j for j in _delta_jobs(connection_id) if j["market"] == market and j["status"] != "running"), None
    )
    if last is None:
        return {"Orders changed": "—", "429s": "—", "Request ids": "—"}
    return {
        "Orders changed": str(last["changed"]),
        "429s": str(last["throttled"]),
        "Request ids": ", ".join(last["request_ids"][-2:]) or "—",
    }


def _row(card: Locator, market: str) -> Locator:
    return card.locator('[data-testid="sync-marketplace"]').filter(has_text=market)


def _fact(row: Locator, label: str) -> Locator:
    return row.locator(f'xpath=.//dt[normalize-space(.)="{label}"]/following-sibling::dd[1]')


def _shows(locator: Locator, expected: Any, what: str, seconds: float = 20) -> None:
    """`locator` comes to read what the database says (`expected()`, read again while they differ)."""
    deadline = time.monotonic() + seconds
    while True:
        want = expected()
        try:
            expect(locator).to_have_text(want, timeout=2_000)
            return
        except AssertionError:
            if time.monotonic() > deadline:
                got = locator.all_inner_texts()
                raise AssertionError(f"{what}: the card shows {got}, the database says {want!r}") from None


@contextmanager
def _worker_frozen(product: Product) -> Iterator[None]:
    """The worker's process group stopped (SIGSTOP), so nothing is written while the card is compared with
    the database. Kept to seconds: its claims go stale after REDIS_LOCK_TTL_SEC (8 s)."""
    assert product.worker is not None and product.worker.poll() is None, "the worker is not running"
    os.killpg(product.worker.pid, signal.SIGSTOP)
    try:
        time.sleep(0.3)  # a commit already sent lands
        yield
    finally:
        os.killpg(product.worker.pid, signal.SIGCONT)


_DURATION = re.compile(r"(?:(\d+) d|(\d+) h(?: (\d+) min)?|(\d+) min|(\d+) s)")


def _duration_s(text: str) -> tuple[float, float]:
    """The panel's short duration ("42 s", "3 min", "2 h 5 min", "4 d") in seconds, with its rounding."""
    match = _DURATION.fullmatch(text)
    assert match, f"not a duration the panel writes: {text!r}"
    days, hours, hour_minutes, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    if match.group(1):
        return days * 86400, 43200
    if match.group(2):
        return hours * 3600 + hour_minutes * 60, 30
    if match.group(4):
        return minutes * 60, 30
    return seconds, 0.5


def _backfill_matches_database(card: Locator, product: Product, connection_id: str) -> None:
    """Mid-backfill, with the worker frozen: each backfilling marketplace shows exactly the orders stored,
    the progress and path of its sync_state row, and the ETA: the plan's finish for a planned
    backfill, else the linear estimate from what was done."""
    with _worker_frozen(product):
        stored = _stored_orders(connection_id)
        states = _states(connection_id)
        backfilling = [m for m, s in states.items() if s["completed_at"] is None and stored.get(m)]
        assert backfilling, f"no marketplace left mid-backfill to compare: {stored}"
        for market in backfilling:
            state = states[market]
            plan = (state["extra"] or {}).get("plan")
            if plan:
                progress = planned_progress(plan, (state["extra"] or {}).get("backfill_pages"))
            else:
                progress = backfill_progress(state["from"], state["to"], state["done_until"])
            pct = int(progress * 100 + 0.5)  # Math.round
            path = BACKFILL_PATHS[backfill_path(state["extra"] or {})]
            text = _row(card, market).get_by_test_id("sync-backfill")
            expect(text).to_contain_text(
                re.compile(
                    rf"24-month backfill {pct}% \({re.escape(path)}\) · {stored[market]:,} orders so far"
                ),
                timeout=6_000,
            )
            shown = re.search(r"about (.+) left$", text.inner_text().strip())
            assert shown, f"{market}: no ETA in {text.inner_text()!r}"
            eta, rounding = _duration_s(shown.group(1))
            # The card's status was made at most a few seconds before it is read (the stream sends
            # one every 2 s).
            now = time.time()
            if plan:
                finish = plan_finish(state["extra"])
                assert finish is not None, (market, plan)
                low, high = finish.timestamp() - now, finish.timestamp() - now + 15
            else:
                # The estimate grows with the time elapsed while nothing is written.
                started = state["started_at"].timestamp()
                rate = (1 - progress) / progress
                low, high = (now - 15 - started) * rate, (now - started) * rate
            assert low - rounding <= eta <= high + rounding, (market, shown.group(1), low, high, progress)


def _card_shows_the_database(card: Locator, connection_id: str) -> None:
    """Each marketplace's orders stored and its last delta's orders changed, 429s and request ids."""
    for market in (US, CA):
        row = _row(card, market)
        _shows(
            row.get_by_test_id("sync-orders"),
            lambda m=market: f"{_stored_orders(connection_id)[m]:,} orders",
            f"{market} orders",
        )
        for label in ("Orders changed", "429s", "Request ids"):
            _shows(
                _fact(row, label),
                lambda m=market, f=label: _delta_facts(connection_id, m)[f],
                f"{market} {label}",
            )


def _nothing_due(connection_id: str) -> bool:
    """No delta running, forced or due within a minute: a delta that starts now was asked for."""
    horizon = time.time() + 60
    for state in _states(connection_id).values():
        extra = state["extra"] or {}
        due = extra.get("next_delta_at")
        if extra.get("delta") or extra.get("force_delta") or due is None:
            return False
        if datetime.fromisoformat(due).timestamp() < horizon:
            return False
    return not any(j["status"] == "running" for j in _delta_jobs(connection_id))


def _until(check: Any, seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


async def _rows_equal_the_truth(emulator: str, seller: str) -> None:
    engine = create_async_engine(get_settings().db.sqlalchemy_url)
    try:
        async with emulator_client(emulator) as amazon:
            await assert_every_row_equal(engine, amazon, [seller], within=30)
    finally:
        await engine.dispose()


def test_sync_card_tells_the_story(
    clean_state: None, live_api: str, served: LoopbackEmulator, page: Page
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
    # Nothing of the seller changes by itself while the test runs (a recent order shipping, or one
    # of the seller's coming orders appearing): the truth is read after the last delta, which sees
    # only up to two minutes before it ran; the test's own changes are stamped in the past.
    hold_still(served.app, seller)
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

    # A delta every 10 minutes: each marketplace's first one runs at onboarding, so the only later
    # delta is the one "Run delta now" asks for.
    product = Product(product_env(emulator, DELTA_SYNC_INTERVAL_MINUTES="10"), "sync-panel")
    product.start_worker()
    product.start_scheduler()
    try:
        connection_id = in_thread(connect_onboarded(tenant_id, seller, refresh, [US, CA]))
        # Mid-backfill: a progress bar per marketplace, orders so far and an ETA, as stored. The ETA
        # comes once pages have counted the oldest windows (until then "estimating the finish");
        # the reports of the rest take a minute more.
        backfilling = card.locator('[data-testid="sync-marketplace"][data-phase="backfill"]')
        expect(backfilling.first).to_be_visible(timeout=TIMEOUT_MS)
        expect(backfilling.first.get_by_role("progressbar")).to_be_visible()
        expect(backfilling.first.get_by_test_id("sync-backfill")).to_contain_text(
            re.compile(r"24-month backfill \d+% .* [1-9][\d,]* orders so far · about .+ left"),
            timeout=60_000,
        )
        _backfill_matches_database(card, product, connection_id)
        screenshot(page, "sync-1-backfill-in-progress")

        # Then up to date: every figure is the database's.
        done = card.locator('[data-testid="sync-marketplace"][data-phase="up_to_date"]')
        expect(done).to_have_count(2, timeout=90_000)
        expect(card.get_by_text("Up to date").first).to_be_visible()
        expect(done.first.get_by_test_id("sync-watermark")).not_to_have_text("—")
        _card_shows_the_database(card, connection_id)
        screenshot(page, "sync-2-up-to-date")

        # Changes Amazon shows (stamped minutes ago: it hides its last two) and two 429s to come.
        backdated_activity(served.app, seller, 12, 0, 250)
        backdated_activity(served.app, seller, 0, 8, 200)
        assert httpx.delete(f"{emulator}/_emulator/requests").status_code == 200
        throttle = {"operation": "orders2026.searchOrders", "error_rate": 1.0, "status": 429, "count": 2}
        assert httpx.post(f"{emulator}/_emulator/faults", json=throttle).status_code == 200
        _until(lambda: _nothing_due(connection_id), 90, "no delta due for a minute")
        before = {j["id"] for j in _delta_jobs(connection_id)}
        clicked = time.time()
        card.get_by_role("button", name="Run delta now").first.click()

        def asked_for() -> list[dict[str, Any]] | None:
            new = [j for j in _delta_jobs(connection_id) if j["id"] not in before]
            finished = [j for j in new if j["status"] == "done"]
            return new if len(finished) == 2 and len(new) == 2 else None

        # One new delta per marketplace, started by the click (nothing else was due), and no more.
        new = _until(asked_for, 60, "the deltas Run delta now asked for")
        assert {j["market"] for j in new} == {US, CA}
        assert all(j["created_at"].timestamp() >= clicked - 1 for j in new)
        log = httpx.get(
            f"{emulator}/_emulator/requests", params={"operation": "orders2026.searchOrders"}
        ).json()
        assert sum(j["throttled"] for j in new) == sum(1 for e in log if e["status"] == 429) == 2
        assert sum(j["changed"] for j in new) > 0
        amazon_ids = {e["request_id"] for e in log}
        assert all(set(j["request_ids"]) <= amazon_ids and j["request_ids"] for j in new), (new, amazon_ids)
        runs = card.get_by_role("table", name="Recent sync runs")
        expect(runs.locator("tbody tr").first).to_have_attribute("data-kind", "delta")
        _card_shows_the_database(card, connection_id)
        in_thread(_rows_equal_the_truth(emulator, seller))
        screenshot(page, "sync-3-deltas")
    finally:
        product.stop()
        httpx.delete(f"{emulator}/_emulator/faults")
