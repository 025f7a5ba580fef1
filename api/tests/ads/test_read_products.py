"""GET /api/ads/products: figures per product (TACOS, organic and halo included) equal to those
computed again from the inserted rows and orders, the drill-down, and keyset pages over computed
sort values (ties and nulls included)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.ads.read_repository import SORT_SQL
from app.ads.schemas import AdsProductsOut
from tests.ads.read_world import FIRST, LAST, READ_FROM_LINES, TZ, World, build_world, expected_products

MONEY = ("spend", "ad_sales", "total_sales", "organic_sales", "halo_sales")
RATIOS = ("acos", "roas", "tacos", "cpc", "ctr", "conversion_rate", "halo_share")


async def pages(client: httpx.AsyncClient, world: World, **params: Any) -> list[dict[str, Any]]:
    """Every page of a query, each checked against the documented response model."""
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"tenant_id": world.tenant_id, "profile_id": world.profile_id, **params}
        response = await client.get(
            "/api/ads/products", params={**query, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200, response.text
        body = response.json()
        AdsProductsOut.model_validate(body)
        assert body["currency_code"] == "USD"
        seen.extend(body["items"])
        cursor = body["next_cursor"]
        if not cursor:
            return seen


def assert_same(got: dict[str, Any], want: dict[str, Any]) -> None:
    for name in ("impressions", "clicks", "purchases", "units"):
        assert got[name] == want[name], name
    for name in MONEY:
        assert (None if got[name] is None else Decimal(got[name])) == want[name], name
    for name in RATIOS:
        if want[name] is None:
            assert got[name] is None, name
        else:
            assert got[name] == pytest.approx(want[name], rel=1e-9), name


@pytest.mark.parametrize(("attribution", "timezone"), [(7, TZ), (14, TZ), (7, READ_FROM_LINES)])
async def test_figures_per_product(
    client: httpx.AsyncClient, session: AsyncSession, attribution: int, timezone: str
) -> None:
    world = await build_world(client, session, timezone=timezone)
    start, end = FIRST + timedelta(days=2), FIRST + timedelta(days=15)
    items = await pages(
        client, world, start=start.isoformat(), end=end.isoformat(), attribution=attribution, limit=200
    )
    want = expected_products(world, start, end, n=attribution)
    assert {(i["asin"], i["campaign_id"], i["ad_group_id"]) for i in items} == set(want)
    for item in items:
        expected = want[(item["asin"], None, None)]
        assert_same(item, expected)
        assert item["skus"] == expected["skus"]
    x = next(i for i in items if i["asin"] == "B0XXXXXXX1")
    # Two SKUs advertised, orders, halo: every figure is real work.
    assert x["skus"] == ["X-1", "X-2"] and Decimal(x["total_sales"]) > 0 and Decimal(x["halo_sales"]) > 0
    assert x["tacos"] is not None and Decimal(x["organic_sales"]) == Decimal(x["total_sales"]) - sum(
        (r.sales_same_sku_7d if attribution == 7 else r.sales_same_sku_14d)
        for r in world.advertised
        if r.advertised_asin == "B0XXXXXXX1" and start <= r.date <= end and r.currency == "USD"
    )
    never_clicked = next(i for i in items if i["asin"] == "B0NNNNNNN1")
    assert never_clicked["acos"] is None and never_clicked["cpc"] is None and never_clicked["ctr"] == 0.0


async def test_drill_down_into_campaigns_and_ad_groups(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await build_world(client, session)
    start, end = FIRST, LAST
    x = "B0XXXXXXX1"
    params = {"start": start.isoformat(), "end": end.isoformat(), "asin": x}
    by_group = await pages(client, world, **params, group="ad_group")
    want = expected_products(world, start, end, group="ad_group", asin=x)
    assert {(i["asin"], i["campaign_id"], i["ad_group_id"]) for i in by_group} == set(want)
    names = {(i["campaign_name"], i["ad_group_name"]) for i in by_group}
    assert names == {("Mugs: auto", "A1"), ("Mugs: auto", "A2")}
    for item in by_group:
        assert_same(item, want[(item["asin"], item["campaign_id"], item["ad_group_id"])])
        # The product's total sales on each row; organic sales are the product's, not a group's.
        assert item["organic_sales"] is None
    by_campaign = await pages(client, world, **params, group="campaign")
    want = expected_products(world, start, end, group="campaign", asin=x)
    assert [(i["campaign_id"], i["ad_group_id"], i["campaign_name"]) for i in by_campaign] == [
        (world.ads["x1"].campaign_id, None, "Mugs: auto")
    ]
    assert_same(by_campaign[0], want[(x, world.ads["x1"].campaign_id, None)])
    # The campaign's rows add up to the product's.
    (product,) = await pages(client, world, **params)
    assert Decimal(product["spend"]) == sum(Decimal(i["spend"]) for i in by_group)
    only_b = await pages(client, world, start=start.isoformat(), end=end.isoformat(), group="ad_group",
                         campaign_id=world.ads["z1"].campaign_id)  # fmt: skip
    assert {i["asin"] for i in only_b} == {"B0ZZZZZZZ1", "B0TTTTTTT1", "B0TTTTTTT2", "B0NNNNNNN1"}


def sort_value(row: dict[str, Any], sort: str) -> Decimal | None:
    """The sort value from the expected figures, exactly (ratios from the exact sums)."""
    if sort in ("spend", "ad_sales", "total_sales", "clicks", "impressions", "units"):
        value = row[sort]
        return None if value is None else Decimal(value)
    numerator, denominator = {
        "acos": ("spend", "ad_sales"),
        "roas": ("ad_sales", "spend"),
        "tacos": ("spend", "total_sales"),
        "cpc": ("spend", "clicks"),
        "ctr": ("clicks", "impressions"),
    }[sort]
    return None if not row[denominator] else Decimal(row[numerator]) / Decimal(row[denominator])


@pytest.mark.parametrize("group", ["asin", "ad_group"])
async def test_keyset_pages_over_every_sort(
    client: httpx.AsyncClient, session: AsyncSession, group: str
) -> None:
    world = await build_world(client, session)
    start, end = FIRST, LAST
    want = expected_products(world, start, end, group=group)
    assert len(want) >= 6
    for sort in SORT_SQL:
        for order in ("desc", "asc"):
            items = await pages(
                client, world, start=start.isoformat(), end=end.isoformat(), group=group, sort=sort,
                order=order, limit=2,
            )  # fmt: skip
            keys = [(i["asin"], i["campaign_id"] or "", i["ad_group_id"] or "") for i in items]
            assert len(keys) == len(set(keys)) == len(want), (sort, order)
            values = [sort_value(want[(k[0], k[1] or None, k[2] or None)], sort) for k in keys]
            present = [v for v in values if v is not None]
            # Nulls last whatever the order, then by the key.
            assert values[: len(present)] == present and all(v is None for v in values[len(present) :])
            assert present == sorted(present, reverse=order == "desc"), (sort, order)
            for a, b, ka, kb in zip(values, values[1:], keys, keys[1:], strict=False):
                if a == b:
                    assert ka < kb, (sort, order, ka, kb)
    # Ties (T1 and T2 have the same figures) and nulls (N's ACOS) are both in the data.
    spends = [row["spend"] for row in want.values()]
    assert len(spends) > len(set(spends))
    assert any(row["acos"] is None for row in want.values())


async def test_a_cursor_only_serves_its_own_sort(client: httpx.AsyncClient, session: AsyncSession) -> None:
    world = await build_world(client, session)
    base = {
        "tenant_id": world.tenant_id,
        "profile_id": world.profile_id,
        "start": FIRST.isoformat(),
        "end": (FIRST + timedelta(days=9)).isoformat(),
        "limit": 1,
    }
    first = (await client.get("/api/ads/products", params=base)).json()
    assert first["next_cursor"]
    other = await client.get(
        "/api/ads/products", params={**base, "sort": "acos", "cursor": first["next_cursor"]}
    )
    assert other.status_code == 400 and other.json()["error"]["code"] == "invalid_cursor"
    garbage = await client.get("/api/ads/products", params={**base, "cursor": "not-a-cursor"})
    assert garbage.status_code == 400 and garbage.json()["error"]["code"] == "invalid_cursor"


async def test_without_a_linked_seller_total_sales_are_unknown(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await build_world(client, session, linked=False)
    start, end = FIRST, LAST
    items = await pages(client, world, start=start.isoformat(), end=end.isoformat(), sort="tacos")
    want = expected_products(world, start, end)
    assert len(items) == len(want)
    for item in items:
        assert item["total_sales"] is None and item["tacos"] is None and item["organic_sales"] is None
        assert_same(item, want[(item["asin"], None, None)])
    # All null: the order is the key's.
    assert [i["asin"] for i in items] == sorted(i["asin"] for i in items)


async def test_no_rows_in_the_range(client: httpx.AsyncClient, session: AsyncSession) -> None:
    world = await build_world(client, session)
    day = date(2025, 1, 1)
    assert await pages(client, world, start=day.isoformat(), end=day.isoformat()) == []
