"""The Ads read API besides the per-product table: profiles with their sync state, campaigns, daily
series with the previous period, bad input, tenants kept apart, viewers reading."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.ads.schemas import AdsCampaignsOut, AdsProfilesPage, AdsTimeseriesOut
from app.sync.models import SyncState
from tests.ads.read_world import (
    FIRST,
    LAST,
    QUIET,
    READ_FROM_LINES,
    TZ,
    World,
    build_world,
    new_tenant,
    ratio,
    sums,
    total_sales,
)
from tests.auth.helpers import as_user, sign_up, sign_up_verified
from tests.factories.ads import add_rows, make_profile
from tests.tenants.helpers import join


def in_range(world: World, start: date, end: date, **match: str) -> list[Any]:
    return [
        r
        for r in world.advertised
        if start <= r.date <= end
        and r.currency == "USD"
        and all(getattr(r, k) == v for k, v in match.items())
    ]


async def series(
    client: httpx.AsyncClient, world: World, start: date, end: date, **params: Any
) -> dict[str, Any]:
    response = await client.get(
        "/api/ads/timeseries",
        params={
            "tenant_id": world.tenant_id,
            "profile_id": world.profile_id,
            "start": start.isoformat(),
            "end": end.isoformat(),
            **params,
        },
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    AdsTimeseriesOut.model_validate(body)
    return body


def check_figures(got: dict[str, Any], figures: dict[str, Any], total: Decimal | None) -> None:
    for name in ("impressions", "clicks", "purchases", "units"):
        assert got[name] == figures[name], name
    assert Decimal(got["spend"]) == figures["spend"] and Decimal(got["ad_sales"]) == figures["ad_sales"]
    assert (None if got["total_sales"] is None else Decimal(got["total_sales"])) == total
    for name, want in (
        ("acos", ratio(figures["spend"], figures["ad_sales"])),
        ("roas", ratio(figures["ad_sales"], figures["spend"])),
        ("tacos", None if total is None else ratio(figures["spend"], total)),
    ):
        assert got[name] == (None if want is None else pytest.approx(want, rel=1e-9)), name


@pytest.mark.parametrize("timezone", [TZ, READ_FROM_LINES])
async def test_a_point_per_day_totals_and_the_previous_period(
    client: httpx.AsyncClient, session: AsyncSession, timezone: str
) -> None:
    world = await build_world(client, session, timezone=timezone)
    start, end = FIRST + timedelta(days=10), LAST
    body = await series(client, world, start, end)
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    assert [p["date"] for p in body["points"]] == [d.isoformat() for d in days]
    for point, day in zip(body["points"], days, strict=True):
        check_figures(point, sums(in_range(world, day, day)), total_sales(world, day, day))
        if day in QUIET:
            assert point["clicks"] == 0 and Decimal(point["spend"]) == 0 and point["acos"] is None
    figures = sums(in_range(world, start, end))
    total = total_sales(world, start, end)
    assert total is not None
    check_figures(body["totals"], figures, total)
    assert Decimal(body["totals"]["organic_sales"]) == total - figures["ad_sales"]
    assert body["totals"]["ctr"] == pytest.approx(figures["clicks"] / figures["impressions"])
    previous_start, previous_end = start - timedelta(days=len(days)), start - timedelta(days=1)
    assert (body["previous_start"], body["previous_end"]) == (
        previous_start.isoformat(),
        previous_end.isoformat(),
    )
    # The previous period starts before the first ad day: those days count as zeros, orders do not.
    check_figures(
        body["previous"],
        sums(in_range(world, previous_start, previous_end)),
        total_sales(world, previous_start, previous_end),
    )


async def test_series_of_a_product_and_of_a_campaign(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await build_world(client, session)
    x = "B0XXXXXXX1"
    body = await series(client, world, FIRST, LAST, asin=x, attribution=14)
    figures = sums(in_range(world, FIRST, LAST, advertised_asin=x), 14)
    total = total_sales(world, FIRST, LAST, {x})
    assert total is not None
    check_figures(body["totals"], figures, total)
    assert Decimal(body["totals"]["organic_sales"]) == total - figures["own"]
    campaign = world.ads["z1"].campaign_id
    body = await series(client, world, FIRST, LAST, campaign_id=campaign)
    rows = in_range(world, FIRST, LAST, campaign_id=campaign)
    # A campaign's total sales are those of the products it advertised.
    advertised = {r.advertised_asin for r in rows}
    check_figures(body["totals"], sums(rows), total_sales(world, FIRST, LAST, advertised))
    assert body["totals"]["organic_sales"] is None
    group = world.ads["x2"].ad_group_id
    body = await series(client, world, FIRST, LAST, ad_group_id=group)
    check_figures(
        body["totals"],
        sums(in_range(world, FIRST, LAST, ad_group_id=group)),
        total_sales(world, FIRST, LAST, {x}),
    )


async def test_campaigns(client: httpx.AsyncClient, session: AsyncSession) -> None:
    world = await build_world(client, session)
    response = await client.get(
        "/api/ads/campaigns",
        params={"tenant_id": world.tenant_id, "profile_id": world.profile_id, "start": FIRST, "end": LAST},
    )
    assert response.status_code == 200, response.text
    body = AdsCampaignsOut.model_validate(response.json())
    assert body.currency_code == "USD"
    by_id = {c.campaign_id: c for c in body.items}
    a, b = world.ads["x1"].campaign_id, world.ads["z1"].campaign_id
    assert set(by_id) == {a, b}
    assert (by_id[a].name, by_id[a].ad_groups, by_id[a].ads) == ("Mugs: auto", 2, 3)
    assert (by_id[b].targeting_type, by_id[b].ad_groups, by_id[b].ads) == ("MANUAL", 1, 5)
    for campaign_id, campaign in by_id.items():
        figures = sums(in_range(world, FIRST, LAST, campaign_id=campaign_id))
        assert (campaign.spend, campaign.ad_sales, campaign.clicks) == (
            figures["spend"],
            figures["ad_sales"],
            figures["clicks"],
        )
        assert campaign.acos == pytest.approx(ratio(figures["spend"], figures["ad_sales"]))
    assert [c.spend for c in body.items] == sorted((c.spend for c in body.items), reverse=True)


async def test_profiles_with_their_sync_state(client: httpx.AsyncClient, session: AsyncSession) -> None:
    world = await build_world(client, session)
    assert world.seller is not None
    tenant = uuid.UUID(world.tenant_id)
    lonely = await make_profile(
        session, tenant, country_code="CA", currency_code="CAD", marketplace_id="A2EUQ1WTGCTBG2"
    )
    now = datetime.now(UTC)
    started = now - timedelta(hours=1)
    history_from, history_to = now - timedelta(days=95), now

    def state(profile_id: str, connection_id: uuid.UUID, entity: str, **values: Any) -> SyncState:
        return SyncState(
            tenant_id=tenant, connection_id=connection_id, marketplace_id=profile_id, entity=entity, **values
        )

    await add_rows(
        session,
        [
            # Half of the advertised-product history, all of the purchased-product one.
            state(world.profile_id, world.profile.connection_id, "ads_advertised_product",
                  backfill_from=history_from, backfill_to=history_to,
                  backfill_done_until=history_from + (history_to - history_from) / 2,
                  backfill_started_at=started),
            state(world.profile_id, world.profile.connection_id, "ads_purchased_product",
                  backfill_from=history_from, backfill_to=history_to, backfill_done_until=history_to,
                  backfill_started_at=started, backfill_completed_at=now, last_success_at=now),
            state(world.profile_id, world.profile.connection_id, "ads_structure", last_success_at=started),
            state(lonely.profile_id, lonely.connection_id, "ads_advertised_product", status="error",
                  last_error="Amazon refused the report"),
            # The linked seller's orders are synced in the profile's marketplace.
            state("ATVPDKIKX0DER", world.seller.id, "orders"),
        ],
    )  # fmt: skip
    response = await client.get("/api/ads/profiles", params={"tenant_id": world.tenant_id})
    assert response.status_code == 200, response.text
    # The profile with its seller's orders first (the panel opens on it), though CA sorts before US.
    assert [p["profile_id"] for p in response.json()["profiles"]] == [world.profile_id, lonely.profile_id]
    profiles = {p.profile_id: p for p in AdsProfilesPage.model_validate(response.json()).profiles}
    mine = profiles[world.profile_id]
    assert (mine.linked_sp_connection_id, mine.currency_code, mine.timezone) == (
        world.seller.id,
        "USD",
        "America/Los_Angeles",
    )
    assert mine.sync.state == "backfilling" and mine.sync.progress == pytest.approx(0.75, abs=1e-3)
    # Half done in an hour: another hour to go (the one row still backfilling).
    assert (
        mine.sync.eta is not None and abs((mine.sync.eta - (now + timedelta(hours=1))).total_seconds()) < 120
    )
    assert (mine.sync.data_from, mine.sync.data_to) == (
        min(r.date for r in world.advertised),
        max(r.date for r in world.advertised),
    )
    assert mine.sync.last_synced_at == now
    other = profiles[lonely.profile_id]
    assert other.linked_sp_connection_id is None and other.linked_seller_name is None
    assert (other.sync.state, other.sync.last_error, other.sync.data_from) == (
        "error",
        "Amazon refused the report",
        None,
    )


@pytest.mark.parametrize(
    ("path", "params", "status", "words"),
    [
        ("/api/ads/products", {"start": "2026-03-10", "end": "2026-03-01"}, 422, "before start"),
        ("/api/ads/timeseries", {"start": "2025-01-01", "end": "2026-01-02"}, 422, "at most 366"),
        ("/api/ads/campaigns", {"start": "2026-02-30", "end": "2026-03-01"}, 422, "start"),
        ("/api/ads/products", {"start": "2026-03-01", "end": "2026-03-02", "sort": "name"}, 422, "sort"),
        (
            "/api/ads/timeseries",
            {"start": "2026-03-01", "end": "2026-03-02", "attribution": 30},
            422,
            "attribution",
        ),
        ("/api/ads/timeseries", {"start": "1900-03-01", "end": "1900-03-02"}, 422, "between"),
        ("/api/ads/products", {"end": "2026-03-02"}, 422, "start"),
    ],
)
async def test_bad_input_is_a_422_that_says_why(
    client: httpx.AsyncClient,
    session: AsyncSession,
    path: str,
    params: dict[str, Any],
    status: int,
    words: str,
) -> None:
    tenant_id = await new_tenant(client)
    profile = await make_profile(session, uuid.UUID(tenant_id))
    response = await client.get(
        path, params={"tenant_id": tenant_id, "profile_id": profile.profile_id, **params}
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == "validation_error"
    assert words in response.json()["error"]["message"]


async def test_a_366_day_range_is_served(client: httpx.AsyncClient, session: AsyncSession) -> None:
    world = await build_world(client, session)
    body = await series(client, world, LAST - timedelta(days=365), LAST)
    assert len(body["points"]) == 366
    check_figures(
        body["totals"],
        sums(in_range(world, FIRST, LAST)),
        total_sales(world, LAST - timedelta(days=365), LAST),
    )


async def test_another_tenants_profile_is_not_found(client: httpx.AsyncClient, session: AsyncSession) -> None:
    world = await build_world(client, session)
    stranger = as_user(client)
    await sign_up(stranger)
    theirs = (await stranger.post("/api/tenants", json={"name": "Other"})).json()["id"]
    base = {"start": FIRST.isoformat(), "end": LAST.isoformat()}
    for path in ("/api/ads/products", "/api/ads/timeseries", "/api/ads/campaigns"):
        # Their own tenant, our profile id: not theirs.
        response = await stranger.get(
            path, params={**base, "tenant_id": theirs, "profile_id": world.profile_id}
        )
        assert response.status_code == 404, response.text
        # Our tenant: not a member.
        response = await stranger.get(
            path, params={**base, "tenant_id": world.tenant_id, "profile_id": world.profile_id}
        )
        assert response.status_code == 404, response.text
        unknown = await client.get(
            path, params={**base, "tenant_id": world.tenant_id, "profile_id": "404404"}
        )
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert (await stranger.get("/api/ads/profiles", params={"tenant_id": theirs})).json() == {"profiles": []}


async def test_viewers_read(client: httpx.AsyncClient, session: AsyncSession) -> None:
    world = await build_world(client, session)
    viewer = as_user(client)
    await sign_up_verified(viewer, session)
    await join(client, viewer, session, world.tenant_id, "viewer")
    base = {"tenant_id": world.tenant_id, "profile_id": world.profile_id, "start": FIRST, "end": LAST}
    for path in ("/api/ads/products", "/api/ads/timeseries", "/api/ads/campaigns"):
        assert (await viewer.get(path, params=base)).status_code == 200
    listed = await viewer.get("/api/ads/profiles", params={"tenant_id": world.tenant_id})
    assert [p["profile_id"] for p in listed.json()["profiles"]] == [world.profile_id]


async def test_money_is_never_added_across_currencies(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await build_world(client, session)
    # Rows in CAD on the USD profile, and orders in CAD or in Canada, are in the data...
    assert any(r.currency == "CAD" for r in world.advertised)
    assert any(not line.counted for line in world.lines)
    body = await series(client, world, FIRST, LAST)
    usd_only = [r for r in world.advertised if r.currency == "USD"]
    # ...and none of them is in the answer.
    assert Decimal(body["totals"]["spend"]) == sum(r.cost for r in usd_only)
    assert body["currency_code"] == "USD"
    tenant = uuid.UUID(world.tenant_id)
    canada = await make_profile(
        session, tenant, seller=world.seller, country_code="CA", currency_code="CAD",
        marketplace_id="A2EUQ1WTGCTBG2", timezone="America/Toronto",
    )  # fmt: skip
    response = await client.get(
        "/api/ads/timeseries",
        params={"tenant_id": world.tenant_id, "profile_id": canada.profile_id, "start": FIRST, "end": LAST},
    )
    body = response.json()
    # The Canadian profile: its own marketplace's CAD orders, none of the dollars.
    assert body["currency_code"] == "CAD" and Decimal(body["totals"]["spend"]) == 0
    assert Decimal(body["totals"]["total_sales"]) > 0
