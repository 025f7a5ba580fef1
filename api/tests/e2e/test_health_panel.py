"""The Health view in a real browser, with the product's worker and scheduler against the emulator: a
user signs up and creates a tenant, a seller is onboarded (what the OAuth callback leaves behind) and
synced; its owner opens Health and sees the connection's marketplace freshly synced and, per
operation, the Amazon calls spent today: exactly the requests the emulator logged for that seller.
The screenshot lands in test-results/screenshots/health-1-synced.png."""

from __future__ import annotations

import re
import time
import uuid
from collections import Counter

import httpx
import psycopg
import pytest
from amazon_emulator.config import DEMO_CLIENT_ID, EmulatorConfig
from playwright.sync_api import Page, expect

from app.settings import get_settings
from tests.amazon.support import LoopbackEmulator
from tests.fixtures.browser import in_thread, screenshot, sign_up_with_a_tenant
from tests.sync.procs import Product, connect_onboarded, product_env
from tests.sync.support import US

SCALE = 120.0
TIMEOUT_MS = 20_000


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=5, demo=True, demo_orders=10, time_scale=SCALE)


def _backfilled(connection_id: str) -> bool:
    url = get_settings().db.sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute(
            "SELECT backfill_completed_at IS NOT NULL AND last_success_at IS NOT NULL FROM sync_state"
            " WHERE connection_id = %s AND entity = 'orders'",
            (connection_id,),
        ).fetchone()
    return bool(row and row[0])


def _emulator_calls(emulator: str, seller: str, operations: list[str]) -> dict[str, int]:
    """The emulator's request log for the seller, counted per product operation ("reports.getReport"
    is the emulator's "getReport" of the Reports API)."""
    entries = httpx.get(f"{emulator}/_emulator/requests", timeout=30).json()
    logged = Counter(e["operation"] for e in entries if e["selling_partner_id"] == seller and e["operation"])
    counts = {}
    for operation in operations:
        operation_id = operation.rsplit(".", 1)[1]
        counts[operation] = sum(
            n
            for name, n in logged.items()
            if name == operation or name.endswith("." + operation_id) or name == operation_id
        )
    return counts


def test_health_view_shows_freshness_and_calls(
    clean_state: None, live_api: str, served: LoopbackEmulator, page: Page
) -> None:
    emulator = served.url
    seller = f"A{uuid.uuid4().hex[:12].upper()}"
    created = httpx.post(
        f"{emulator}/_emulator/sellers",
        json={"selling_partner_id": seller, "marketplaces": [US], "orders": 300, "months": 24, "seed": 9},
        timeout=60,
    )
    assert created.status_code == 201, created.text
    refresh = httpx.post(
        f"{emulator}/_emulator/self-authorize",
        json={"client_id": DEMO_CLIENT_ID, "selling_partner_id": seller, "kind": "spapi"},
        timeout=30,
    ).json()["refresh_token"]
    tenant_id = sign_up_with_a_tenant(
        page, live_api, f"health-{uuid.uuid4().hex[:8]}@example.com", "Health Story"
    )

    product = Product(product_env(emulator, DELTA_SYNC_INTERVAL_MINUTES="10"), "health-panel")
    product.start_worker()
    product.start_scheduler()
    try:
        connection_id = in_thread(connect_onboarded(tenant_id, seller, refresh, [US]))
        deadline = time.monotonic() + 150
        while not _backfilled(connection_id):
            assert time.monotonic() < deadline, "the seller's backfill did not finish in 150 s"
            time.sleep(1)
    finally:
        # Nothing calls Amazon any more: the counts shown must be the emulator's, call for call.
        product.stop()

    page.get_by_role("link", name="Health").click()
    expect(page).to_have_url(f"{live_api}/dashboard/tenants/{tenant_id}/health")
    card = page.locator(f'[data-testid="health-connection"][data-connection-id="{connection_id}"]')
    expect(card).to_be_visible(timeout=TIMEOUT_MS)
    expect(card.get_by_text(seller).first).to_be_visible()
    row = card.get_by_test_id("health-dataset").filter(has_text=US)
    expect(row).to_have_attribute("data-stale", "false")
    expect(row.get_by_test_id("health-last-success")).to_have_text(re.compile(r"^\d+ (s|min) ago$"))
    expect(row.get_by_text("Fresh")).to_be_visible()

    calls = card.get_by_test_id("health-calls")
    expect(calls.first).to_be_visible()
    shown = {
        str(r.get_attribute("data-operation")): int(r.locator("td").nth(1).inner_text().replace(",", ""))
        for r in calls.all()
    }
    # A seller this small is backfilled from searchOrders pages alone (the planned backfill).
    assert "orders2026.searchOrders" in shown, shown
    assert shown == _emulator_calls(emulator, seller, list(shown)), (
        "the Health view's calls differ from Amazon's log"
    )
    expect(card.get_by_test_id("health-calls-total")).to_have_text(f"{sum(shown.values()):,}")
    screenshot(page, "health-1-synced")
