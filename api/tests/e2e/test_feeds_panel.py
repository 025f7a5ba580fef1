"""The feeds story in a real browser, with the product's worker against the emulator: an admin uploads a
CSV of 1,000 price and quantity changes on the Feeds page, a few of them wrong (a negative quantity, a
price "abc", an empty SKU, then a currency the marketplace does not sell in) and one SKU the seller does
not have at Amazon (our checks cannot know it). The page lists the issues line by line; the admin fixes
them in place, checks again until nothing is wrong, submits, and watches the feed go through Amazon's
queue to DONE. The per-SKU results on screen are then held against the emulator's listings: every
accepted SKU has the new price and quantity, the unknown one carries Amazon's error and changed nothing,
and the listings outside the file are as they were. Screenshots land in
test-results/screenshots/feeds-*.png."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from amazon_emulator.config import DEMO_CLIENT_ID, EmulatorConfig
from playwright.sync_api import Locator, Page, expect
from sqlalchemy.ext.asyncio import create_async_engine

from app.db.session import create_sessionmaker, unit_of_work
from app.settings import get_settings
from app.tokens.repository import SqlTokenStore
from tests.amazon.support import LoopbackEmulator
from tests.factories.connections import make_connection
from tests.fixtures.browser import in_thread, screenshot, sign_up_with_a_tenant
from tests.sync.procs import Product, product_env
from tests.sync.support import US

TIMEOUT_MS = 30_000
# Amazon's part: createFeedDocument, the upload, createFeed, then the queue and processing (5 Amazon
# seconds here), polled by the worker; two minutes is far more than it takes and still bounds the test.
FEED_DONE_MS = 120_000
LISTINGS = 1_200  # the seller's catalogue: 999 of them in the file, the rest must stay as they were
ROWS = 1_000
UNKNOWN_SKU = "NOT-AT-AMAZON-0001"
PAGE_SIZE = 50  # the results table's page (web/src/features/feeds/api.ts RESULTS_LIMIT)


@dataclass
class Change:
    """One CSV row as it should end up (after the fixes made in the page)."""

    line: int
    sku: str
    price: str
    quantity: str
    handling_time: str


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=17, demo=True, demo_orders=10, feed_processing_seconds=5)


async def _connect(tenant_id: str, seller: str, refresh: str) -> str:
    """An active connection of the tenant to the emulator's seller, with its refresh token."""
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
            return str(connection.id)
    finally:
        await engine.dispose()


def _listings(emulator: str, seller: str) -> dict[str, dict[str, Any]]:
    answer = httpx.get(
        f"{emulator}/_emulator/sellers/{seller}/listings",
        params={"marketplace_id": US, "limit": 10_000},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == LISTINGS
    return {item["sku"]: item for item in body["items"]}


def _changes(listings: dict[str, dict[str, Any]]) -> list[Change]:
    """999 changes the emulator accepts (a price 5 % up, within Amazon's pricing-error band; a quantity
    and sometimes a handling time for the offers the seller fulfils itself), then the unknown SKU."""
    changes = []
    priced = [item for item in listings.values() if item["price"] > 0]
    for index, item in enumerate(priced[: ROWS - 1]):
        price = (Decimal(str(item["price"])) * Decimal("1.05")).quantize(Decimal("0.01"))
        merchant = item["fulfillment_channel"] == "DEFAULT"
        changes.append(
            Change(
                line=index + 2,
                sku=item["sku"],
                price=str(price),
                quantity=str(index % 40 + 1) if merchant else "",
                handling_time="3" if merchant and index % 7 == 0 else "",
            )
        )
    changes.append(Change(line=ROWS + 1, sku=UNKNOWN_SKU, price="10.00", quantity="5", handling_time=""))
    return changes


def _merchant_lines(changes: list[Change], count: int) -> list[Change]:
    return [c for c in changes if c.quantity][:count]


def _csv(changes: list[Change], wrong: dict[int, dict[str, str]]) -> bytes:
    """The file as the user has it: the changes, with the `wrong` values on their lines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["sku", "price", "currency", "quantity", "handling_time"])
    for change in changes:
        values = {
            "sku": change.sku,
            "price": change.price,
            "currency": "USD",
            "quantity": change.quantity,
            "handling_time": change.handling_time,
        }
        values.update(wrong.get(change.line, {}))
        writer.writerow([values[c] for c in ("sku", "price", "currency", "quantity", "handling_time")])
    return out.getvalue().encode()


def _fix(form: Locator, line: int, column: str, value: str) -> None:
    cell = form.get_by_label(f"{column}, line {line}", exact=True)
    expect(cell).to_have_attribute("aria-invalid", "true")
    cell.fill(value)


def _issue_lines(form: Locator) -> list[str]:
    return form.get_by_test_id("feed-issue").evaluate_all(
        "items => items.map(i => i.dataset.line + ':' + i.dataset.field)"
    )


def _results_on_screen(detail: Locator) -> dict[str, str]:
    """Every row of the per-SKU results table, page by page: SKU -> accepted | warning | error."""
    results = detail.get_by_test_id("feed-results")
    seen: dict[str, str] = {}
    first = 1
    while True:
        expect(results.get_by_test_id("feed-results-range")).to_have_text(re.compile(rf"^{first:,}\u2013"))
        rows = results.get_by_test_id("feed-result-row").evaluate_all(
            "rows => rows.map(r => [r.dataset.sku, r.dataset.status])"
        )
        for sku, status in rows:
            assert sku not in seen, f"{sku} on two pages"
            seen[sku] = status
        following = results.get_by_role("button", name="Next")
        if following.is_disabled():
            return seen
        following.click()
        first += PAGE_SIZE


def test_feeds_page_tells_the_story(
    clean_state: None, live_api: str, served: LoopbackEmulator, page: Page, tmp_path: Path
) -> None:
    emulator = served.url
    seller = f"A{uuid.uuid4().hex[:12].upper()}"
    created = httpx.post(
        f"{emulator}/_emulator/sellers",
        json={"selling_partner_id": seller, "marketplaces": [US], "orders": 20, "months": 1, "seed": 18},
        timeout=60,
    )
    assert created.status_code == 201, created.text
    counted = httpx.post(
        f"{emulator}/_emulator/sellers/{seller}/listings", json={"count": LISTINGS}, timeout=30
    )
    assert counted.status_code == 200, counted.text
    refresh = httpx.post(
        f"{emulator}/_emulator/self-authorize",
        json={"client_id": DEMO_CLIENT_ID, "selling_partner_id": seller, "kind": "spapi"},
        timeout=30,
    ).json()["refresh_token"]

    before = _listings(emulator, seller)
    assert UNKNOWN_SKU not in before
    changes = _changes(before)
    quantity_line, price_line, currency_line = (c.line for c in _merchant_lines(changes, 3)[:3])
    sku_line = changes[499].line
    by_line = {c.line: c for c in changes}
    wrong = {
        quantity_line: {"quantity": "-3"},
        price_line: {"price": "abc"},
        sku_line: {"sku": ""},
        currency_line: {"currency": "EUR"},  # only a check for the marketplace can tell
    }
    upload = tmp_path / "prices.csv"
    upload.write_bytes(_csv(changes, wrong))

    tenant_id = sign_up_with_a_tenant(
        page, live_api, f"feeds-{uuid.uuid4().hex[:8]}@example.com", "Feeds Story"
    )
    connection_id = in_thread(_connect(tenant_id, seller, refresh))

    product = Product(product_env(emulator), "feeds-panel")
    product.start_worker()
    product.start_scheduler()
    try:
        page.goto(f"{live_api}/dashboard/tenants/{tenant_id}/feeds")
        form = page.get_by_role("form", name="Bulk price & quantity update")
        form.get_by_label("Connection", exact=True).select_option(connection_id)
        form.get_by_label("Marketplace", exact=True).select_option(US)
        form.get_by_label("CSV file", exact=True).set_input_files(str(upload))

        # The file's own issues, line by line; nothing can be submitted yet.
        expect(form.get_by_test_id("bulk-summary")).to_contain_text(
            "prices.csv: 1,000 rows", timeout=TIMEOUT_MS
        )
        expect(form.get_by_test_id("feed-issue")).to_have_count(3)
        assert _issue_lines(form) == [f"{quantity_line}:quantity", f"{price_line}:price", f"{sku_line}:sku"]
        submit = form.get_by_role("button", name="Submit")
        expect(submit).to_be_disabled()
        screenshot(page, "feeds-1-issues")

        _fix(form, quantity_line, "Quantity", by_line[quantity_line].quantity)
        _fix(form, price_line, "Price", by_line[price_line].price)
        _fix(form, sku_line, "SKU", by_line[sku_line].sku)
        form.get_by_role("button", name="Check again").click()
        # With the marketplace known, the currency is checked too.
        expect(form.get_by_test_id("feed-issue")).to_have_count(1, timeout=TIMEOUT_MS)
        assert _issue_lines(form) == [f"{currency_line}:currency"]
        expect(form.get_by_test_id("feed-issue")).to_contain_text("USD")
        expect(submit).to_be_disabled()
        screenshot(page, "feeds-2-currency-issue")
        _fix(form, currency_line, "Currency", "USD")
        form.get_by_role("button", name="Check again").click()
        expect(form.get_by_test_id("bulk-verdict")).to_contain_text(
            "No issues: 1,000 changes ready for Amazon", timeout=TIMEOUT_MS
        )
        expect(form.get_by_test_id("feed-issue")).to_have_count(0)
        expect(submit).to_be_enabled()
        screenshot(page, "feeds-3-checked")
        submit.click()

        # The feed on its way, then done.
        detail = page.get_by_test_id("feed-detail")
        expect(detail).to_be_visible(timeout=TIMEOUT_MS)
        expect(detail.get_by_role("progressbar", name="Progress of the feed")).to_be_visible()
        screenshot(page, "feeds-4-on-its-way")
        # Amazon's queue and processing take at least 5 seconds: the page, reading every 2, shows them.
        expect(detail).to_have_attribute("data-status", "processing", timeout=FEED_DONE_MS)
        expect(detail.get_by_test_id("feed-progress-label")).to_contain_text(
            re.compile("IN_QUEUE|IN_PROGRESS")
        )
        screenshot(page, "feeds-5-processing")
        expect(detail).to_have_attribute("data-status", "done", timeout=FEED_DONE_MS)
        expect(detail.locator('[data-step="DONE"][data-state="done"]')).to_have_count(1)
        summary = detail.get_by_test_id("feed-summary")
        expect(summary.locator('[data-summary="messages_processed"] dd')).to_have_text("1,000")
        expect(summary.locator('[data-summary="messages_accepted"] dd')).to_have_text("999")
        expect(summary.locator('[data-summary="messages_invalid"] dd')).to_have_text("1")
        results = detail.get_by_test_id("feed-results")
        expect(results.get_by_test_id("feed-result-counts")).to_have_text(
            "999 accepted · 0 with warnings · 1 with errors", timeout=TIMEOUT_MS
        )
        # Errors first: Amazon's verdict on the SKU it does not have.
        first_row = results.get_by_test_id("feed-result-row").first
        expect(first_row).to_have_attribute("data-sku", UNKNOWN_SKU)
        expect(first_row).to_have_attribute("data-status", "error")
        expect(first_row.get_by_test_id("feed-result-issue")).to_contain_text("13013")
        screenshot(page, "feeds-6-done-with-results")

        on_screen = _results_on_screen(detail)
        results.get_by_role("checkbox", name="Errors only").check()
        expect(results.get_by_test_id("feed-result-row")).to_have_count(1)
        expect(results.get_by_test_id("feed-result-row")).to_have_attribute("data-sku", UNKNOWN_SKU)
        screenshot(page, "feeds-7-errors-only")

        # The list of feeds has it, done.
        row = page.get_by_test_id("feed-row").first
        expect(row).to_have_attribute("data-status", "done")
        expect(page.get_by_test_id("feed-row")).to_have_count(1)

        # What the page says is what Amazon (the emulator) applied.
        after = _listings(emulator, seller)
        assert on_screen == {**{c.sku: "accepted" for c in changes[:-1]}, UNKNOWN_SKU: "error"}
        assert UNKNOWN_SKU not in after
        for change in changes[:-1]:
            listing = after[change.sku]
            assert Decimal(str(listing["price"])) == Decimal(change.price), change
            if change.quantity:
                assert listing["quantity"] == int(change.quantity), change
            else:
                assert listing["quantity"] == before[change.sku]["quantity"], change
            if change.handling_time:
                assert listing["handling_time"] == int(change.handling_time), change
        untouched = set(before) - {c.sku for c in changes}
        assert len(untouched) == LISTINGS - (ROWS - 1)
        assert all(after[sku] == before[sku] for sku in untouched)

        # Exactly one feed at Amazon, declared with the content type it was uploaded with.
        feeds = httpx.get(f"{emulator}/_emulator/sellers/{seller}/feeds", timeout=30).json()["feeds"]
        assert [(f["feedType"], f["processingStatus"]) for f in feeds] == [("JSON_LISTINGS_FEED", "DONE")]
        assert feeds[0]["contentType"].startswith("application/json")

        # The input, downloaded through the browser: the 1,000 PATCH messages, fixes included.
        with page.expect_download() as download_info:
            detail.get_by_test_id("feed-input-download").click()
        sent = json.loads(Path(download_info.value.path()).read_bytes())
        assert sent["header"]["sellerId"] == seller
        assert [m["sku"] for m in sent["messages"]] == [c.sku for c in changes]
    finally:
        product.stop()
