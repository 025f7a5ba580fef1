"""The orders page in a real browser against `spapi-saas api` and the emulator: filters, totals,
keyset pages, the order detail with its items, and the buyer's address on demand (audited)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from app.kit.embedded import free_port
from app.orders.orders_api_mapping import order_rows_from_2026
from app.orders.repository import OrderRepository
from app.settings import get_settings
from app.tokens.repository import SqlTokenStore
from tests.auth.mfa_helpers import enrol_browser
from tests.connections.support import DEMO_SELLER_ID, RegisteredApp, emulator_env, register_app
from tests.connections.support import emulator_url as emulator_url
from tests.factories.connections import make_connection
from tests.fixtures.app import REPO_ROOT, wait_for_http
from tests.fixtures.browser import screenshot, sign_up_with_a_tenant

TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def product(emulator_url: str) -> Iterator[tuple[str, str, RegisteredApp]]:
    """`spapi-saas api` serving the built panel, with every Amazon URL pointing at the emulator."""
    if not (REPO_ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the panel is not built: run `cd web && npm run build` (make test does it)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = register_app(emulator_url, base)
    env = {
        **os.environ,
        **emulator_env(emulator_url, base, app),
        "API_PORT": str(port),
        "PUBLIC_URL": base,
        "WEB_DIST_DIR": str(REPO_ROOT / "web" / "dist"),
    }
    log_path = REPO_ROOT / "test-results" / "orders-api.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "api"], env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            wait_for_http(f"{base}/health", proc=proc)
            yield base, emulator_url, app
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def amazon_orders(emulator: str, app: RegisteredApp, refresh_token: str) -> dict[str, Any]:
    """searchOrders on the emulator, as the sync would call it (no PII requested)."""
    token = httpx.post(
        f"{emulator}/auth/o2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": app.client_id,
            "client_secret": app.client_secret,
        },
    ).json()["access_token"]
    after = (datetime.now(UTC) - timedelta(days=330)).strftime("%Y-%m-%dT%H:%M:%SZ")
    response = httpx.get(
        f"{emulator}/orders/2026-01-01/orders",
        params={"createdAfter": after, "includedData": "PROCEEDS,FULFILLMENT", "maxResultsPerPage": "100"},
        headers={"x-amz-access-token": token},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def seed(tenant_id: uuid.UUID, refresh_token: str, body: dict[str, Any]) -> None:
    """A connection with its (encrypted) refresh token and the orders the sync would have stored."""

    async def run() -> None:
        settings = get_settings()
        engine = create_async_engine(settings.db.sqlalchemy_url)
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
        async with sessionmaker() as session, session.begin():
            connection = await make_connection(session, tenant_id, account_id=DEMO_SELLER_ID)
            store = SqlTokenStore(sessionmaker, settings.security.encryption_keys)
            await store.store_refresh_token(session, str(tenant_id), str(connection.id), refresh_token)
            mapped = order_rows_from_2026(body, tenant_id, connection.id)
            repo = OrderRepository(session)
            await repo.upsert(mapped)
        await engine.dispose()

    # Playwright's sync API owns this thread's event loop: the database work runs in another thread.
    errors: list[BaseException] = []
    thread = threading.Thread(target=lambda: _capture(errors, lambda: asyncio.run(run())))
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def _capture(errors: list[BaseException], fn: Any) -> None:
    try:
        fn()
    except BaseException as exc:
        errors.append(exc)


def _db() -> psycopg.Connection[Any]:
    return psycopg.connect(
        get_settings().db.sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    )


def test_orders_page_detail_and_address(page: Page, product: tuple[str, str, RegisteredApp]) -> None:
    email = f"orders-{uuid.uuid4().hex[:8]}@example.com"
    try:
        _orders_in_the_browser(page, product, email)
    finally:
        # Committed through a real server: remove what this test created.
        with _db() as conn:
            conn.execute(
                "DELETE FROM tenants WHERE id IN (SELECT m.tenant_id FROM memberships m"
                " JOIN users u ON u.id = m.user_id WHERE u.email = %s)",
                (email,),
            )
            conn.execute("DELETE FROM users WHERE email = %s", (email,))


def _orders_in_the_browser(page: Page, product: tuple[str, str, RegisteredApp], email: str) -> None:
    base, emulator, app = product
    page.set_default_timeout(TIMEOUT_MS)
    tenant_id = uuid.UUID(sign_up_with_a_tenant(page, base, email, "Orders Inc"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Orders").click()
    expect(page.get_by_text("No orders yet")).to_be_visible()

    grant = httpx.post(
        f"{emulator}/_emulator/self-authorize",
        json={"client_id": app.client_id, "selling_partner_id": DEMO_SELLER_ID, "kind": "spapi"},
    )
    assert grant.status_code == 200, grant.text
    refresh_token = grant.json()["refresh_token"]
    body = amazon_orders(emulator, app, refresh_token)
    orders = body["orders"]
    assert len(orders) > 50, "enough orders for two pages"
    seed(tenant_id, refresh_token, body)
    # Buyer addresses need MFA (tests/e2e/test_mfa_pii_panel.py walks the enrolment in the panel).
    enrol_browser(page, base)

    page.reload()
    table = page.get_by_role("table", name="Orders")
    expect(table.get_by_role("row")).to_have_count(51)  # header + 50
    expect(page.get_by_test_id("orders-totals").first).to_contain_text(f"{len(orders)} orders")
    screenshot(page, "orders-01-list")

    page.get_by_role("button", name="Next").first.click()
    expect(page.get_by_test_id("orders-page").first).to_have_text("Page 2")
    expect(table.get_by_role("row")).to_have_count(1 + len(orders) - 50)
    page.get_by_role("button", name="Previous").first.click()
    expect(page.get_by_test_id("orders-page").first).to_have_text("Page 1")

    shipped = sum(1 for o in orders if o["fulfillment"]["fulfillmentStatus"] == "SHIPPED")
    page.get_by_label("Status").select_option("SHIPPED")
    expect(page.get_by_test_id("orders-totals").first).to_contain_text(f"{shipped} order")
    screenshot(page, "orders-02-filtered")

    table.locator("tr[data-order-id]").first.click()
    sheet = page.get_by_role("dialog")
    expect(sheet.get_by_role("table", name="Order items")).to_be_visible()
    amazon_order_id = sheet.locator("h2").first.inner_text()
    sheet.get_by_role("button", name="Show address").click()
    address = sheet.get_by_test_id("shipping-address")
    expect(address).to_be_visible()
    screenshot(page, "orders-03-detail-with-address")

    with _db() as conn:
        audit = conn.execute(
            "SELECT data->>'amazon_order_id' FROM audit_logs WHERE tenant_id = %s AND action = 'pii_viewed'",
            (tenant_id,),
        ).fetchall()
        assert audit == [(amazon_order_id,)]
        first_line = address.inner_text().splitlines()[1]
        for table_name in ("orders", "order_items", "audit_logs"):
            hits = conn.execute(
                f"SELECT count(*) FROM {table_name} t WHERE t::text LIKE %s", (f"%{first_line}%",)
            )
            assert hits.fetchone() == (0,), f"the address is stored in {table_name}"
