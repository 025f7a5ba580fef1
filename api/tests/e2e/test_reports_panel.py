"""The reports story in a real browser, with the product's worker and scheduler against the emulator:
an admin requests a sales and traffic report from the Reports page, watches it finish, downloads the
document (byte for byte what the emulator served) and sees its rows; then turns Data Kiosk on for the
tenant, requests the same type again and sees it arrive "via Data Kiosk" into the same rows (the
emulator's request log proves which API was called). Screenshots land in
test-results/screenshots/reports-*.png."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from amazon_emulator.config import DEMO_CLIENT_ID, EmulatorConfig
from playwright.sync_api import Page, expect
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import create_async_engine

from app.db.session import create_sessionmaker, unit_of_work
from app.reports.models import Report
from app.settings import get_settings
from app.tokens.repository import SqlTokenStore
from app.worker.broker import setup_broker
from app.worker.enqueue import enqueue_job
from tests.amazon.support import LoopbackEmulator
from tests.factories.connections import make_connection
from tests.fixtures.browser import in_thread, screenshot, sign_up_with_a_tenant
from tests.sync.procs import Product, product_env
from tests.sync.support import US

TIMEOUT_MS = 30_000
SALES = "GET_SALES_AND_TRAFFIC_REPORT"


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(
        seed=5, demo=True, demo_orders=10, report_processing_seconds=3, query_processing_seconds=3
    )


async def _connect(tenant_id: str, seller: str, refresh: str) -> str:
    """An active connection of the tenant with its refresh token and no sync rows (the orders sync
    stays out of the way of the report's createReport quota), and the settlement scan that
    `ConnectionAuthorized` sets off."""
    engine = create_async_engine(get_settings().db.sqlalchemy_url)
    try:
        sessionmaker = create_sessionmaker(engine)
        async with unit_of_work(sessionmaker) as session:
            connection = await make_connection(
                session, uuid.UUID(tenant_id), account_id=seller, marketplaces=[US], status="active"
            )
            await SqlTokenStore(sessionmaker, get_settings().security.encryption_keys).store_refresh_token(
                session, tenant_id, str(connection.id), refresh
            )
            setup_broker()
            enqueue_job(
                session, "reports.discover_settlements", connection_id=str(connection.id), tenant_id=tenant_id
            )
            return str(connection.id)
    finally:
        await engine.dispose()


async def _stored(tenant_id: str) -> tuple[list[Report], int, Decimal]:
    """The tenant's sales and traffic reports (oldest first), its by-date rows and their sales."""
    engine = create_async_engine(get_settings().db.sqlalchemy_url)
    try:
        async with create_sessionmaker(engine)() as session:
            tid = uuid.UUID(tenant_id)
            reports = list(
                (
                    await session.execute(
                        select(Report)
                        .where(Report.tenant_id == tid, Report.report_type == SALES)
                        .order_by(Report.created_at)
                    )
                ).scalars()
            )
            count, sales = (
                await session.execute(
                    text(
                        "SELECT count(*), coalesce(sum(ordered_product_sales), 0)"
                        " FROM report_sales_traffic_by_date WHERE tenant_id = :tenant"
                    ),
                    {"tenant": tid},
                )
            ).one()
            return reports, int(count), Decimal(sales)
    finally:
        await engine.dispose()


def _request_sales_report(page: Page, connection_id: str) -> None:
    form = page.get_by_role("form", name="Request a report")
    form.get_by_label("Connection", exact=True).select_option(connection_id)
    form.get_by_label("Marketplace", exact=True).select_option(US)
    form.get_by_label("Report type", exact=True).select_option(SALES)
    form.get_by_role("button", name="Request report").click()


def test_reports_page_tells_the_story(
    clean_state: None, live_api: str, served: LoopbackEmulator, page: Page, tmp_path: Path
) -> None:
    emulator = served.url
    seller = f"A{uuid.uuid4().hex[:12].upper()}"
    created = httpx.post(
        f"{emulator}/_emulator/sellers",
        json={"selling_partner_id": seller, "marketplaces": [US], "orders": 300, "months": 2, "seed": 6},
        timeout=60,
    )
    assert created.status_code == 201, created.text
    refresh = httpx.post(
        f"{emulator}/_emulator/self-authorize",
        json={"client_id": DEMO_CLIENT_ID, "selling_partner_id": seller, "kind": "spapi"},
        timeout=30,
    ).json()["refresh_token"]

    tenant_id = sign_up_with_a_tenant(
        page, live_api, f"reports-{uuid.uuid4().hex[:8]}@example.com", "Reports Story"
    )
    connection_id = in_thread(_connect(tenant_id, seller, refresh))

    product = Product(product_env(emulator), "reports-panel")
    product.start_worker()
    product.start_scheduler()
    try:
        page.goto(f"{live_api}/dashboard/tenants/{tenant_id}/reports")
        _request_sales_report(page, connection_id)
        # The list also shows the seller's settlements, found at Amazon when it was connected.
        sales_rows = page.locator('[data-testid="report-row"]', has_text="Sales and traffic")
        expect(sales_rows).to_have_count(1, timeout=TIMEOUT_MS)
        first = sales_rows.first
        expect(first.get_by_test_id("report-via")).to_have_text("via Reports API")
        screenshot(page, "reports-1-requested")
        expect(first).to_have_attribute("data-status", "done", timeout=60_000)
        settlements = page.locator('[data-testid="report-row"]', has_text="Settlements")
        expect(settlements.first).to_have_attribute("data-status", "done", timeout=TIMEOUT_MS)

        # The document, downloaded through the browser, is what the emulator served.
        with page.expect_download() as download_info:
            first.get_by_role("link", name="Download document").click()
        download = download_info.value
        assert download.suggested_filename.startswith(f"{SALES}_")
        downloaded = Path(download.path()).read_bytes()
        reports, by_date, sales = in_thread(_stored(tenant_id))
        [report] = reports
        assert report.status == "done" and report.via == "report"
        served_bytes = httpx.get(f"{emulator}/_emulator/documents/{report.document_id}/content", timeout=30)
        assert served_bytes.status_code == 200
        assert downloaded == served_bytes.content

        # Its rows, as stored, in the table and the chart.
        assert by_date > 0 and sales > 0
        data = page.get_by_test_id("report-rows")
        page.get_by_label("Data type").select_option(SALES)
        expect(data.get_by_test_id("report-data-row")).to_have_count(by_date, timeout=TIMEOUT_MS)
        expect(page.get_by_role("img", name=re.compile("Ordered product sales"))).to_be_visible()
        screenshot(page, "reports-2-done-with-rows")

        # Data Kiosk on for the tenant: same page, same type, same rows, another API.
        page.goto(f"{live_api}/dashboard/tenants/{tenant_id}")
        # A switch that flips once the server has saved the flag (not on the click itself).
        page.get_by_label("FEATURE_USE_DATA_KIOSK").click()
        expect(page.get_by_label("FEATURE_USE_DATA_KIOSK")).to_be_checked()
        page.goto(f"{live_api}/dashboard/tenants/{tenant_id}/reports")
        _request_sales_report(page, connection_id)
        expect(sales_rows).to_have_count(2, timeout=TIMEOUT_MS)
        newest = sales_rows.filter(has_text="via Data Kiosk")
        expect(newest).to_have_count(1, timeout=TIMEOUT_MS)
        expect(newest).to_have_attribute("data-status", "done", timeout=60_000)
        screenshot(page, "reports-3-via-data-kiosk")

        reports, by_date_after, sales_after = in_thread(_stored(tenant_id))
        assert [r.via for r in reports] == ["report", "datakiosk"]
        assert reports[1].status == "done", reports[1].error
        assert (by_date_after, sales_after) == (by_date, sales), "the same rows, updated in place"
        page.get_by_label("Data type").select_option(SALES)
        expect(data.get_by_test_id("report-data-row")).to_have_count(by_date, timeout=TIMEOUT_MS)
        log = httpx.get(f"{emulator}/_emulator/requests", timeout=30).json()
        operations = [entry.get("operation") for entry in log]
        assert operations.count("reports.createReport") == 1
        assert operations.count("dataKiosk.createQuery") == 1
    finally:
        product.stop()
