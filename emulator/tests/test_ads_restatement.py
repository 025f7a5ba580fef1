"""Restatement: a day's conversions grow for 28 days after it, and ``POST /_emulator/ads/{id}/restate``
restates one day at once; reports and ``/truth`` follow, and attributed sales never pass the orders."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from test_ads_api import AP_COLUMNS, ads_token, create, headers, report_body

from amazon_emulator.apis._ads_common import account_for, store
from amazon_emulator.app import create_app
from amazon_emulator.config import DEMO_SELLER_ID, EmulatorConfig
from amazon_emulator.data.ads import profiles_of
from amazon_emulator.data.ads_metrics import RESTATEMENT_DAYS, day_metrics, totals
from amazon_emulator.seeding import create_seller
from amazon_emulator.state import EmulatorState

SELLER = "A2RESTATESELLER1"
COLUMNS = [*AP_COLUMNS, "attributedSalesSameSku7d", "purchasesSameSku14d", "unitsSoldSameSku14d"]


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=200)


async def _us_profile_id(client: httpx.AsyncClient) -> int:
    created = await client.post(
        "/_emulator/sellers",
        json={"selling_partner_id": SELLER, "orders": 4000, "months": 4, "marketplaces": ["US"]},
    )
    assert created.status_code == 201, created.text
    profiles = (await client.get(f"/_emulator/ads/sellers/{SELLER}/profiles")).json()
    profile_id: int = profiles[0]["profileId"]
    return profile_id


async def _truth(client: httpx.AsyncClient, profile_id: int, first: date, last: date) -> dict[str, Any]:
    r = await client.get(
        f"/_emulator/ads/{profile_id}/truth", params={"start": first.isoformat(), "end": last.isoformat()}
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _local_today(state: EmulatorState) -> date:
    seller = state.sellers[SELLER]
    return profiles_of(seller)[0].local_date(state.clock.time())


def test_conversions_grow_for_28_days_then_stay() -> None:
    state = EmulatorState(EmulatorConfig(seed=11))
    seller = create_seller(state, DEMO_SELLER_ID, orders=2500, months=6, marketplaces=["US"])
    profile = profiles_of(seller)[0]
    account = account_for(state, seller, profile)
    today = profile.local_date(state.clock.time())
    grew = 0
    for back in range(35, 60):
        day = today - timedelta(days=back)
        moments = [profile.day_bounds(day + timedelta(days=n))[0] + 1 for n in (1, 2, 8, RESTATEMENT_DAYS)]
        seen = [totals(day_metrics(account, seller, day, moment)) for moment in moments]
        final = totals(day_metrics(account, seller, day, state.clock.time()))
        assert seen[-1] == final, day  # nothing changes after 28 days
        sales = [t.get("sales30d", 0) for t in seen]
        assert sales == sorted(sales), day
        assert {t.get("clicks") for t in seen} == {final.get("clicks")}  # only conversions are restated
        grew += sales[0] < sales[-1]
    assert grew >= 5


async def test_restate_credits_more_lines_within_order_sales(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    profile_id = await _us_profile_id(client)
    day = _local_today(state) - timedelta(days=5)
    before = await _truth(client, profile_id, day, day)
    r = await client.post(f"/_emulator/ads/{profile_id}/restate", json={"date": day.isoformat()})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["date"] == day.isoformat()
    assert answer["before"] == before["totals"]
    after = await _truth(client, profile_id, day, day)
    assert answer["after"] == after["totals"]
    assert after["totals"]["sales30d"] > before["totals"]["sales30d"]
    assert after["totals"]["attributedSalesSameSku30d"] > before["totals"]["attributedSalesSameSku30d"]
    for traffic in ("impressions", "clicks", "cost"):
        assert after["totals"][traffic] == before["totals"][traffic]
    assert after["totals"]["clicks"] >= after["totals"]["purchases30d"]
    # Each ASIN's credited sales (same-SKU on its own ad, other-SKU on others) stay within its order sales.
    seller = state.sellers[SELLER]
    profile = profiles_of(seller)[0]
    rows = store(state).metrics.days(
        account_for(state, seller, profile), seller, day, day, state.clock.time()
    )
    credited: dict[str, float] = defaultdict(float)
    for row in rows:
        assert row.clicks >= len({line.order_id for line in row.lines})
        for line in row.lines:
            credited[line.purchased_asin] += line.sales
    order_sales = after["orderSalesByAsinDate"]
    for asin, sales in credited.items():
        assert sales <= order_sales[asin][day.isoformat()] + 0.005, asin
    assert len({line.line_id for row in rows for line in row.lines}) == sum(len(row.lines) for row in rows)
    # Restating again credits more, until the day's organic lines run out.
    seen = [after["totals"]["sales30d"]]
    for _ in range(12):
        again = (
            await client.post(f"/_emulator/ads/{profile_id}/restate", json={"date": day.isoformat()})
        ).json()
        assert again["before"]["sales30d"] == seen[-1]
        seen.append(again["after"]["sales30d"])
    assert seen == sorted(seen) and seen[-1] > seen[0]


async def test_reports_show_the_restated_day(client: httpx.AsyncClient, state: EmulatorState) -> None:
    profile_id = await _us_profile_id(client)
    token = await ads_token(client, SELLER)
    hdrs = headers(token, profile_id)
    day = _local_today(state) - timedelta(days=3)
    body = report_body(days=1, end_ago=0, columns=COLUMNS)
    body["startDate"] = body["endDate"] = day.isoformat()

    async def report_rows() -> list[dict[str, Any]]:
        created = await create(client, hdrs, body)
        assert created.status_code == 200, created.text
        state.clock.advance(31)
        done = (await client.get(f"/reporting/reports/{created.json()['reportId']}", headers=hdrs)).json()
        rows: list[dict[str, Any]] = json.loads(gzip.decompress((await client.get(done["url"])).content))
        return rows

    first = await report_rows()
    restated = (
        await client.post(f"/_emulator/ads/{profile_id}/restate", json={"date": day.isoformat()})
    ).json()
    second = await report_rows()
    for column, key in (("sales7d", "sales7d"), ("attributedSalesSameSku7d", "attributedSalesSameSku7d")):
        assert sum(r[column] for r in first) == pytest.approx(restated["before"][key], abs=0.01)
        assert sum(r[column] for r in second) == pytest.approx(restated["after"][key], abs=0.01)
    for column in ("purchasesSameSku14d", "unitsSoldSameSku14d", "clicks", "impressions"):
        assert sum(r[column] for r in second) == restated["after"][column], column
    assert sum(r["sales7d"] for r in second) > sum(r["sales7d"] for r in first)
    truth = await _truth(client, profile_id, day, day)
    for row in second:
        per_day = truth["byAsinDate"][row["advertisedAsin"]][day.isoformat()]
        assert row["sales14d"] == pytest.approx(per_day["sales14d"], abs=0.01)


async def test_restate_window_and_errors(client: httpx.AsyncClient, state: EmulatorState) -> None:
    profile_id = await _us_profile_id(client)
    today = _local_today(state)
    url = f"/_emulator/ads/{profile_id}/restate"
    oldest = today - timedelta(days=RESTATEMENT_DAYS)
    assert (await client.post(url, json={"date": oldest.isoformat()})).status_code == 200
    assert (await client.post(url, json={"date": today.isoformat()})).status_code == 200
    too_old = await client.post(url, json={"date": (oldest - timedelta(days=1)).isoformat()})
    assert too_old.status_code == 422 and oldest.isoformat() in too_old.text
    future = await client.post(url, json={"date": (today + timedelta(days=1)).isoformat()})
    assert future.status_code == 422
    assert (await client.post(url, json={"date": "yesterday"})).status_code == 422
    assert (await client.post(url, json={})).status_code == 422
    assert (
        await client.post("/_emulator/ads/123/restate", json={"date": today.isoformat()})
    ).status_code == 404


async def test_restatement_is_seeded() -> None:
    answers = []
    for _ in range(2):
        fresh = create_app(EmulatorConfig(seed=7, demo=True, demo_orders=200))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=fresh), base_url="http://e.test") as c:
            profile_id = await _us_profile_id(c)
            day = _local_today(fresh.state.emulator) - timedelta(days=9)
            r = await c.post(f"/_emulator/ads/{profile_id}/restate", json={"date": day.isoformat()})
            answers.append(r.json())
    assert answers[0] == answers[1] and answers[0]["after"] != answers[0]["before"]


async def test_truth_breakdowns_add_up(client: httpx.AsyncClient, state: EmulatorState) -> None:
    profile_id = await _us_profile_id(client)
    last = _local_today(state) - timedelta(days=1)
    first = last - timedelta(days=13)
    truth = await _truth(client, profile_id, first, last)
    totals_ = truth["totals"]
    for key in ("clicks", "purchases7d", "purchasesSameSku14d", "unitsSoldSameSku7d"):
        assert sum(t[key] for per in truth["byAsinDate"].values() for t in per.values()) == totals_[key]
    same = sum(t["attributedSalesSameSku14d"] for per in truth["byAsinDate"].values() for t in per.values())
    assert same == pytest.approx(totals_["attributedSalesSameSku14d"], abs=0.01)
    assert totals_["attributedSalesSameSku14d"] <= totals_["sales14d"]
    halo = sum(t["sales14d"] for t in truth["purchasedByAdvertisedAsin"].values())
    assert halo > 0
    assert halo + totals_["attributedSalesSameSku14d"] == pytest.approx(totals_["sales14d"], abs=0.01)
    for asin, per_day in truth["byAsinDate"].items():
        for day, figures in per_day.items():
            ordered = truth["orderSalesByAsinDate"].get(asin, {}).get(day, 0.0)
            assert figures["attributedSalesSameSku30d"] <= ordered + 0.005, (asin, day)
    for asin, sales in truth["orderSalesByAsin"].items():
        assert sales == pytest.approx(sum(truth["orderSalesByAsinDate"][asin].values()), abs=0.01)
    assert set(truth["orderSalesByAsinDate"]) and all(
        first.isoformat() <= day <= last.isoformat()
        for per_day in truth["orderSalesByAsinDate"].values()
        for day in per_day
    )
