"""Seeded ads data: deterministic, and consistent with the seller's orders."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from amazon_emulator.apis._ads_common import account_for
from amazon_emulator.config import DEMO_SELLER_ID, EmulatorConfig
from amazon_emulator.data.ads import profiles_of
from amazon_emulator.data.ads_metrics import WINDOWS, AdDay, attributed, day_metrics
from amazon_emulator.data.models import CANCELED
from amazon_emulator.seeding import create_seller
from amazon_emulator.state import EmulatorState


def _state() -> EmulatorState:
    state = EmulatorState(EmulatorConfig(seed=11))
    create_seller(state, DEMO_SELLER_ID, orders=2500, months=6)
    return state


def test_metrics_never_exceed_orders_and_keep_their_order() -> None:
    state = _state()
    seller = state.sellers[DEMO_SELLER_ID]
    now = state.clock.time()
    checked_lines = 0
    for profile in profiles_of(seller):
        account = account_for(state, seller, profile)
        today = profile.local_date(now)
        for back in range(1, 96):
            day = today - timedelta(days=back)
            rows = day_metrics(account, seller, day, now)
            start, end = profile.day_bounds(day)
            ordered: dict[str, float] = defaultdict(float)
            for order in seller.purchased_between(start, end - 1e-6):
                if (
                    order.marketplace_id == profile.marketplace.marketplace_id
                    and order.timeline[-1][1] != CANCELED
                ):
                    for item in order.items:
                        ordered[item.product.asin] += item.unit_price * item.quantity
            credited: dict[str, float] = defaultdict(float)
            for row in rows:
                purchases = [attributed(row.lines, w) for w in WINDOWS]
                assert row.impressions >= row.clicks >= purchases[-1][0] >= 0
                assert row.cost >= 0 and (row.cost > 0) == (row.clicks > 0)
                assert [p[2] for p in purchases] == sorted(p[2] for p in purchases)
                assert account.serving(row.ad, day)
                for line in row.lines:
                    credited[line.purchased_asin] += line.sales
                    checked_lines += 1
            for asin, sales in credited.items():
                assert sales <= ordered[asin] + 0.01, (profile.country_code, day, asin)
    assert checked_lines > 50


def test_same_seed_same_structure_and_numbers() -> None:
    one, two = _state(), _state()
    seller_one, seller_two = one.sellers[DEMO_SELLER_ID], two.sellers[DEMO_SELLER_ID]
    p1, p2 = profiles_of(seller_one)[0], profiles_of(seller_two)[0]
    assert p1 == p2
    a1, a2 = account_for(one, seller_one, p1), account_for(two, seller_two, p2)
    assert [c.campaign_id for c in a1.campaigns] == [c.campaign_id for c in a2.campaigns]
    assert [(a.ad_id, a.asin, a.sku) for a in a1.ads] == [(a.ad_id, a.asin, a.sku) for a in a2.ads]
    day = p1.local_date(one.clock.time()) - timedelta(days=3)
    m1 = day_metrics(a1, seller_one, day, one.clock.time())
    m2 = day_metrics(a2, seller_two, day, two.clock.time())

    # Orders are generated back from each state's clock, so payment times (``visible_from``) differ by the
    # milliseconds between the two; everything else is the same.
    def seen(rows: list[AdDay]) -> list[tuple[object, ...]]:
        return [
            (r.ad.ad_id, r.clicks, r.cost, [replace(line, visible_from=0) for line in r.lines]) for r in rows
        ]

    assert seen(m1) == seen(m2) and any(r.lines for r in m1)


def test_profiles_follow_the_model_tables() -> None:
    state = EmulatorState(EmulatorConfig(seed=3))
    seller = create_seller(state, "A2SELLERUKJP01", marketplaces=["GB", "DE", "JP"], orders=100, months=3)
    profiles = {p.country_code: p for p in profiles_of(seller)}
    assert set(profiles) == {"UK", "DE", "JP"}
    assert (profiles["UK"].currency, profiles["UK"].timezone) == ("GBP", "Europe/London")
    assert profiles["DE"].timezone == "Europe/Paris" and profiles["JP"].timezone == "Asia/Tokyo"
    assert len({p.profile_id for p in profiles.values()}) == 3


def test_days_are_local_to_the_profile() -> None:
    state = _state()
    us = next(p for p in profiles_of(state.sellers[DEMO_SELLER_ID]) if p.country_code == "US")
    start, end = us.day_bounds(date(2026, 7, 1))
    assert datetime.fromtimestamp(start, UTC) == datetime(2026, 7, 1, 7, tzinfo=UTC)  # PDT is UTC-7
    assert end - start == 86400
    assert us.local_date(datetime(2026, 7, 2, 6, 59, tzinfo=UTC).timestamp()) == date(2026, 7, 1)
