"""The Ads story in a real browser, with the product's processes (API, worker, scheduler) against the
emulator: a user signs up, connects a seller on the emulator's Seller Central consent page, then an
Ads account on its Login with Amazon page, as a user does. The page shows the first backfill and then
the figures; for two custom ranges (and both attribution windows) the headline cards and every product
row show the spend, ad sales, ACOS and TACOS computed here from the emulator's truth (its Ads reports'
sums and its orders' sales), the charts draw one value per day, and a product opens its campaign and
ad group as the emulator built them. Screenshots land in test-results/screenshots/ads-*.png.

The ranges end on a local day that ended at least 30 hours ago: by then every order of those days is
paid and every cancellation has happened (order timelines run on the wall clock), so the orders the
product synced and the truth's order sales agree; and no conversion of those days becomes visible
between the reports and the check (they appear when payments clear or at local midnights)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from amazon_emulator.config import EmulatorConfig
from playwright.sync_api import Browser, Locator, Page, expect

from app.kit.embedded import free_port
from tests.amazon.support import LoopbackEmulator
from tests.connections.support import emulator_env, register_app
from tests.fixtures.app import REPO_ROOT, wait_for_http
from tests.fixtures.browser import screenshot, sign_up_with_a_tenant
from tests.sync.procs import Product, product_env
from tests.sync.support import CA, US

# Amazon's minutes in real tenths of a second: a report takes 30 Amazon seconds (50 ms here).
SCALE = 600.0
TIMEOUT_MS = 20_000
SYNCED_MS = 90_000
SETTLED = timedelta(hours=30)
CENT = Decimal("0.01")


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(seed=11, time_scale=SCALE, extra={"ads_report_processing_seconds": 30})


@dataclass(frozen=True)
class Running:
    url: str
    product: Product


@pytest.fixture
def running(served: LoopbackEmulator) -> Iterator[Running]:
    """`spapi-saas api` (serving the built panel), a worker and the scheduler, every Amazon URL at the
    emulator, with an application registered there whose redirect URIs are this API's callbacks."""
    if not (REPO_ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the panel is not built: run `cd web && npm run build` (make test does it)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = register_app(served.url, base)
    env = product_env(
        served.url,
        **emulator_env(served.url, base, app),
        API_PORT=str(port),
        PUBLIC_URL=base,
        WEB_DIST_DIR=str(REPO_ROOT / "web" / "dist"),
    )
    product = Product(env, "ads-panel")
    log = (REPO_ROOT / "test-results" / "ads-panel-api.log").open("wb")
    api = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "api"], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_for_http(f"{base}/health", proc=api)
        product.start_worker()
        product.start_scheduler()
        yield Running(base, product)
    finally:
        product.stop()
        api.terminate()
        api.wait(timeout=15)
        log.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # The panel formats with the browser's locale: fixed, so the figures read as computed here.
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


# What the emulator says -----------------------------------------------------------------------------


def _money(value: float | int) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


@dataclass(frozen=True)
class Figures:
    spend: Decimal
    ad_sales: Decimal
    total_sales: Decimal

    @property
    def acos(self) -> Decimal | None:
        return self.spend / self.ad_sales if self.ad_sales else None

    @property
    def tacos(self) -> Decimal | None:
        return self.spend / self.total_sales if self.total_sales else None


@dataclass(frozen=True)
class Truth:
    days: list[str]
    totals: Figures
    by_asin: dict[str, Figures]
    # Per day: spend, ad sales, total sales (the charts' points).
    by_date: dict[str, Figures]


def _truth(
    emulator: str, profile_id: str, start: date, end: date, attribution: int, as_of: datetime
) -> Truth:
    """The range's figures as Amazon reported them at `as_of`, as sums of the emulator's rows: per ASIN
    and day (each report row's money is in cents, as the product stores it), and the order sales of
    every ASIN of the marketplace."""
    answer = httpx.get(
        f"{emulator}/_emulator/ads/{profile_id}/truth",
        params={"start": start.isoformat(), "end": end.isoformat(), "as_of": as_of.isoformat()},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    sales = f"sales{attribution}d"
    days = [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    spend_of: dict[tuple[str, str], Decimal] = {}
    ad_sales_of: dict[tuple[str, str], Decimal] = {}
    for asin, per_day in body["byAsinDate"].items():
        for day, reported in per_day.items():
            spend_of[asin, day] = _money(reported["cost"])
            ad_sales_of[asin, day] = _money(reported[sales])
    sold_of = {
        (asin, day): _money(amount)
        for asin, per_day in body["orderSalesByAsinDate"].items()
        for day, amount in per_day.items()
    }

    def figures(asins: set[str] | None, on: set[str]) -> Figures:
        def total(values: dict[tuple[str, str], Decimal]) -> Decimal:
            return sum(
                (v for (a, d), v in values.items() if (asins is None or a in asins) and d in on),
                Decimal(0),
            )

        return Figures(total(spend_of), total(ad_sales_of), total(sold_of))

    every = set(days)
    return Truth(
        days=days,
        totals=figures(None, every),
        by_asin={asin: figures({asin}, every) for asin in body["byAdvertisedAsin"]},
        by_date={day: figures(None, {day}) for day in days},
    )


# What the page says ----------------------------------------------------------------------------------


def _usd(value: Decimal) -> str:
    return f"${value.quantize(CENT, ROUND_HALF_UP):,}"


def _percent(ratio: Decimal | None) -> str:
    if ratio is None:
        return "—"
    return f"{(ratio * 100).quantize(Decimal('0.1'), ROUND_HALF_UP):,}%"


def _ratio_matches(shown: str, want: Decimal | None, what: str) -> None:
    if want is None:
        assert shown == "", f"{what}: the page has {shown!r}, the truth has no ratio"
        return
    assert abs(Decimal(shown) - want) < Decimal("1e-9"), f"{what}: the page has {shown}, the truth {want}"


def _check_cards(page: Page, want: Figures, what: str) -> None:
    for metric, raw in (("spend", want.spend), ("ad_sales", want.ad_sales)):
        card = page.get_by_test_id(f"ads-card-{metric}")
        expect(card).to_have_attribute("data-value", re.compile(r".+"))
        assert Decimal(card.get_attribute("data-value") or "nan") == raw, (what, metric, raw)
        expect(card.get_by_test_id("ads-card-value")).to_have_text(_usd(raw))
    for metric, ratio in (("acos", want.acos), ("tacos", want.tacos)):
        card = page.get_by_test_id(f"ads-card-{metric}")
        _ratio_matches(card.get_attribute("data-value") or "", ratio, f"{what} {metric}")
        expect(card.get_by_test_id("ads-card-value")).to_have_text(_percent(ratio))


def _cell(row: Locator, column: str) -> Locator:
    return row.locator(f'[data-col="{column}"]')


def _check_row(row: Locator, want: Figures, what: str) -> None:
    for column, money in (
        ("spend", want.spend),
        ("ad_sales", want.ad_sales),
        ("total_sales", want.total_sales),
    ):
        cell = _cell(row, column)
        assert Decimal(cell.get_attribute("data-value") or "nan") == money, (what, column, money)
        expect(cell).to_have_text(_usd(money))
    for column, ratio in (("acos", want.acos), ("tacos", want.tacos)):
        cell = _cell(row, column)
        _ratio_matches(cell.get_attribute("data-value") or "", ratio, f"{what} {column}")
        expect(cell).to_have_text(_percent(ratio))


def _check_products(page: Page, truth: Truth, what: str) -> list[str]:
    """Every product row of the first page equals the truth; returns their ASINs (highest spend first)."""
    rows = page.get_by_test_id("ads-product-row")
    expect(rows.first).to_be_visible()
    asins = [a for a in (r.get_attribute("data-asin") for r in rows.all()) if a]
    assert len(asins) >= 3, f"{what}: only {asins} on the page"
    spends = [truth.by_asin[a].spend for a in asins]
    assert spends == sorted(spends, reverse=True), f"{what}: not by spend, highest first: {spends}"
    # The page's first rows are the truth's highest spends.
    top = sorted((f.spend for f in truth.by_asin.values()), reverse=True)[: len(asins)]
    assert spends == top, (what, spends, top)
    for asin in asins:
        row = page.locator(f'[data-testid="ads-product-row"][data-asin="{asin}"]')
        _check_row(row, truth.by_asin[asin], f"{what} {asin}")
    return asins


def _vertices(chart: Locator, test_id: str) -> int:
    """The points of a drawn line (`M x,y L x,y ...`)."""
    path = chart.locator(f'[data-testid="{test_id}"]')
    expect(path).to_have_count(1)
    return len(re.findall(r"[ML]", path.get_attribute("d") or ""))


def _check_charts(page: Page, truth: Truth, what: str) -> None:
    """One point per day on the sales lines, a bar per day with spend, a ratio per day that has one."""
    spend_sales = page.get_by_test_id("ads-chart-spend-sales")
    ratios = page.get_by_test_id("ads-chart-acos-tacos")
    expect(spend_sales.locator("svg.recharts-surface[role=application]")).to_be_visible()
    expect(ratios.locator("svg.recharts-surface[role=application]")).to_be_visible()
    days = len(truth.days)
    with_spend = sum(1 for f in truth.by_date.values() if f.spend > 0)
    expect(spend_sales.locator('[data-testid="ads-bars-spend"]')).to_have_count(with_spend)
    assert _vertices(spend_sales, "ads-line-ad_sales") == days, what
    assert _vertices(spend_sales, "ads-line-total_sales") == days, what
    acos_days = sum(1 for f in truth.by_date.values() if f.acos is not None)
    tacos_days = sum(1 for f in truth.by_date.values() if f.tacos is not None)
    assert acos_days and tacos_days, f"{what}: no ratio to draw"
    assert _vertices(ratios, "ads-line-acos") == acos_days, what
    assert _vertices(ratios, "ads-line-tacos") == tacos_days, what


def _custom_range(page: Page, start: date, end: date) -> None:
    page.get_by_role("button", name="Custom").click()
    page.locator("#ads-start").fill(start.isoformat())
    page.locator("#ads-end").fill(end.isoformat())
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_test_id("ads-range")).not_to_have_text("")


# The story ---------------------------------------------------------------------------------------------


def _connect_seller(page: Page, base: str, emulator: str, tenant_id: str) -> None:
    page.goto(f"{base}/dashboard/tenants/{tenant_id}/integrations/amazon")
    page.get_by_role("button", name="Connect Amazon").click()
    expect(page).to_have_url(re.compile(re.escape(emulator) + r"/apps/authorize/consent\?"))
    page.locator("#authorize").click()
    expect(page).to_have_url(f"{base}/dashboard/tenants/{tenant_id}/integrations/amazon?connected=1")


def _connect_ads(page: Page, base: str, emulator: str, tenant_id: str) -> None:
    page.get_by_role("button", name="Connect Ads").click()
    expect(page).to_have_url(re.compile(re.escape(emulator) + r"/ap/oa\?"))
    screenshot(page, "ads-1-login-with-amazon")
    page.locator("#allow").click()
    expect(page).to_have_url(f"{base}/dashboard/tenants/{tenant_id}/integrations/amazon?connected=ads")
    profiles = page.get_by_role("table", name="Advertising profiles")
    expect(profiles.get_by_test_id("linked-sp").filter(has_text=f"({US})")).not_to_have_text("Not linked")


def _show_profile(page: Page, profile_id: str) -> None:
    expect(page).to_have_url(re.compile(r"/ads(\?|$)"))
    page.get_by_label("Advertising profile", exact=True).select_option(profile_id)
    expect(page.get_by_test_id("ads-dashboard")).to_have_attribute("data-profile-id", profile_id)
    expect(page.get_by_test_id("ads-linked-seller")).to_contain_text(f"({US})")


def _settled_day(timezone: str) -> date:
    """The latest local day that ended at least `SETTLED` ago."""
    return (datetime.now(UTC) - SETTLED).astimezone(ZoneInfo(timezone)).date() - timedelta(days=1)


def test_ads_page_shows_the_emulators_figures(
    clean_state: None, served: LoopbackEmulator, running: Running, page: Page
) -> None:
    emulator, base = served.url, running.url
    started = time.monotonic()
    seller = f"A{uuid.uuid4().hex[:12].upper()}"
    created = httpx.post(
        f"{emulator}/_emulator/sellers",
        json={"selling_partner_id": seller, "marketplaces": [US, CA], "orders": 2500, "months": 5, "seed": 3},
        timeout=60,
    )
    assert created.status_code == 201, created.text

    tenant_id = sign_up_with_a_tenant(page, base, f"ads-{uuid.uuid4().hex[:8]}@example.com", "Ads Story")
    _connect_seller(page, base, emulator, tenant_id)
    _connect_ads(page, base, emulator, tenant_id)
    profiles = httpx.get(f"{emulator}/_emulator/ads/sellers/{seller}/profiles", timeout=30).json()
    profile = next(p for p in profiles if p["accountInfo"]["marketplaceStringId"] == US)
    profile_id, timezone = str(profile["profileId"]), profile["timezone"]

    # The Ads page right away: the US profile (the picker lists CA first) and its first backfill.
    page.get_by_role("link", name="Ads", exact=True).click()
    _show_profile(page, profile_id)
    backfill = page.get_by_test_id("ads-backfill")
    if backfill.count():
        screenshot(page, "ads-2-backfill")
    expect(backfill).to_have_count(0, timeout=SYNCED_MS)
    expect(page.get_by_test_id("ads-sync-problem")).to_have_count(0)
    # Every report was made by now: a local midnight passing later (conversions shown from then on)
    # does not move the truth.
    reported = datetime.now(UTC)

    # The seller's orders (total sales, TACOS) up to date in the tenant's sync card, then the figures.
    page.get_by_role("link", name="Overview", exact=True).click()
    synced = page.get_by_test_id("sync-card").locator(
        '[data-testid="sync-marketplace"][data-phase="up_to_date"]'
    )
    expect(synced.filter(has_text=US)).to_have_count(1, timeout=SYNCED_MS)
    page.get_by_role("link", name="Ads", exact=True).click()
    _show_profile(page, profile_id)
    expect(page.get_by_test_id("ads-card-spend")).to_be_visible()

    last = _settled_day(timezone)
    week, month = (last - timedelta(days=6), last), (last - timedelta(days=29), last)
    for (start, end), attribution, name in (
        (month, 7, "ads-3-30-days"),
        (week, 7, "ads-4-7-days"),
        (week, 14, "ads-5-7-days-14-day-attribution"),
    ):
        what = f"{start}..{end} at {attribution} days"
        if attribution == 14:
            page.get_by_label("Attribution").select_option("14")
        else:
            _custom_range(page, start, end)
        truth = _truth(emulator, profile_id, start, end, attribution, reported)
        # The page has read the range once the cards hold its figures.
        expect(page.get_by_test_id("ads-card-spend").get_by_test_id("ads-card-value")).to_have_text(
            _usd(truth.totals.spend)
        )
        expect(page.get_by_test_id("ads-card-ad_sales").get_by_test_id("ads-card-value")).to_have_text(
            _usd(truth.totals.ad_sales)
        )
        _check_cards(page, truth.totals, what)
        asins = _check_products(page, truth, what)
        _check_charts(page, truth, what)
        screenshot(page, name)

    # A product's campaign and ad group, as the emulator built them (one product ad per ASIN).
    asin = asins[0]
    page.get_by_role("button", name=f"Show the campaigns of {asin}").click()
    drill = page.locator(f'[data-testid="ads-drill-row"][data-asin="{asin}"]')
    expect(drill).to_have_count(1)
    ad, campaign, group = _structure(served, profile_id, asin)
    expect(drill).to_have_attribute("data-campaign-id", ad.campaign_id)
    expect(drill).to_have_attribute("data-ad-group-id", ad.ad_group_id)
    expect(drill).to_contain_text(campaign.name)
    expect(drill).to_contain_text(group.name)
    _check_row(drill, truth.by_asin[asin], f"drill-down {asin}")
    # The click scrolled the page: a full-page shot from there draws the sticky header mid-page.
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "ads-6-drill-down")
    print(f"ads panel story: {time.monotonic() - started:.1f} s")


def _structure(served: LoopbackEmulator, profile_id: str, asin: str) -> tuple[Any, Any, Any]:
    """The emulator's product ad of `asin` in the profile, with its campaign and ad group."""
    from amazon_emulator.apis._ads_common import account_for, find_profile

    state = served.app.state.emulator
    found = find_profile(state, int(profile_id))
    assert found is not None
    account = account_for(state, *found)
    ad = account.ad_by_asin[asin]
    return ad, account.campaign_by_id[ad.campaign_id], account.ad_group_by_id[ad.ad_group_id]
