"""A profile with campaigns, ad groups, product ads, daily rows and the linked seller's orders, and
the figures the read API should give computed again here in Python from the inserted rows."""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.ads.models import AdsAd, AdsSpAdvertisedProductDaily, AdsSpPurchasedProductDaily
from app.connections.models import AdsProfile, Connection
from tests.auth.helpers import sign_up
from tests.factories.ads import (
    add_rows,
    advertised_day,
    make_ad,
    make_ad_group,
    make_campaign,
    make_profile,
    purchased_day,
)
from tests.factories.connections import make_connection
from tests.factories.orders import store_order

# The US marketplace's reporting time zone: total sales come from the kept days. Another time zone
# (READ_FROM_LINES) makes them come from the order lines.
TZ = "America/Los_Angeles"
READ_FROM_LINES = "America/New_York"
FIRST = date(2026, 3, 1)
DAYS = 20
LAST = FIRST + timedelta(days=DAYS - 1)
# Days without any ad row: the series must still show them (zeros).
QUIET = {FIRST + timedelta(days=4), FIRST + timedelta(days=11)}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Line:
    local_day: date
    asin: str
    amount: Decimal
    counted: bool  # the profile's marketplace and currency, not canceled


@dataclass
class World:
    tenant_id: str
    profile: AdsProfile
    seller: Connection | None
    ads: dict[str, AdsAd] = field(default_factory=dict)
    advertised: list[AdsSpAdvertisedProductDaily] = field(default_factory=list)
    purchased: list[AdsSpPurchasedProductDaily] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    @property
    def profile_id(self) -> str:
        return self.profile.profile_id


def money(rnd: random.Random, high: int) -> Decimal:
    return (Decimal(rnd.randrange(0, high * 100)) * CENT).quantize(CENT)


async def new_tenant(client: httpx.AsyncClient, name: str = "Acme") -> str:
    await sign_up(client)
    response = await client.post("/api/tenants", json={"name": name})
    assert response.status_code == 201, response.text
    tenant_id: str = response.json()["id"]
    return tenant_id


async def build_world(
    client: httpx.AsyncClient,
    session: AsyncSession,
    *,
    seed: int = 18,
    linked: bool = True,
    timezone: str = TZ,
) -> World:
    """Campaign A (ad groups A1: X and Y, A2: X under another SKU), campaign B (B1: Z, T1 and T2
    with identical figures, N never clicked, Z again in CAD), random figures over 20 days but two,
    halo rows, and orders at the edges of local days, canceled, in another marketplace or currency."""
    rnd = random.Random(seed)
    tenant_id = await new_tenant(client)
    tenant = uuid.UUID(tenant_id)
    seller = await make_connection(session, tenant, marketplaces=["ATVPDKIKX0DER"]) if linked else None
    profile = await make_profile(session, tenant, seller=seller, timezone=timezone)
    world = World(tenant_id, profile, seller)
    campaign_a = await make_campaign(session, profile, name="Mugs: auto")
    campaign_b = await make_campaign(session, profile, name="Mugs: manual", targeting_type="MANUAL")
    a1 = await make_ad_group(session, campaign_a, name="A1")
    a2 = await make_ad_group(session, campaign_a, name="A2")
    b1 = await make_ad_group(session, campaign_b, name="B1")
    for key, group, asin, sku in (
        ("x1", a1, "B0XXXXXXX1", "X-1"),
        ("y1", a1, "B0YYYYYYY1", "Y-1"),
        ("x2", a2, "B0XXXXXXX1", "X-2"),
        ("z1", b1, "B0ZZZZZZZ1", "Z-1"),
        ("t1", b1, "B0TTTTTTT1", "T-1"),
        ("t2", b1, "B0TTTTTTT2", "T-2"),
        ("n1", b1, "B0NNNNNNN1", "N-1"),
        # Reported in another currency than the profile's (never added to its money).
        ("zc", b1, "B0ZZZZZZZ1", "Z-CAD"),
    ):
        world.ads[key] = await make_ad(session, group, asin, sku)
    for offset in range(DAYS):
        day = FIRST + timedelta(days=offset)
        if day in QUIET:
            continue
        for key in ("x1", "y1", "x2", "z1"):
            clicks = rnd.randrange(0, 25)
            sales_7d = money(rnd, 80) if clicks else Decimal(0)
            same_7d = min(sales_7d, money(rnd, 60))
            extra = money(rnd, 20)
            world.advertised.append(
                advertised_day(
                    world.ads[key],
                    day,
                    impressions=clicks * rnd.randrange(100, 400) + rnd.randrange(0, 50),
                    clicks=clicks,
                    cost=money(rnd, 30) if clicks else Decimal(0),
                    sales_7d=sales_7d,
                    sales_14d=sales_7d + extra,
                    purchases_7d=rnd.randrange(0, clicks + 1),
                    purchases_14d=clicks,
                    units_sold_7d=rnd.randrange(0, clicks + 2),
                    units_sold_14d=clicks + 2,
                    sales_same_sku_7d=same_7d,
                    sales_same_sku_14d=same_7d + min(extra, money(rnd, 5)),
                )
            )
        # T1 and T2: identical figures (ties in every sort); N: shown, never clicked (null ratios).
        for key in ("t1", "t2"):
            world.advertised.append(
                advertised_day(world.ads[key], day, impressions=100, clicks=2, cost=Decimal("1.50"))
            )
        world.advertised.append(advertised_day(world.ads["n1"], day, impressions=40))
        # A row in another currency: never added to dollars.
        world.advertised.append(
            advertised_day(world.ads["zc"], day, currency="CAD", impressions=9, clicks=9, cost=Decimal(99))
        )
        world.purchased.append(
            purchased_day(
                world.ads["x1"], day, "B0QQQQQQQ1", sales_7d=money(rnd, 15), sales_14d=money(rnd, 25)
            )
        )
        world.purchased.append(
            purchased_day(world.ads["z1"], day, "B0XXXXXXX1", sales_7d=money(rnd, 9), sales_14d=money(rnd, 9))
        )
        # The advertised ASIN itself is no halo.
        world.purchased.append(
            purchased_day(world.ads["y1"], day, "B0YYYYYYY1", sales_7d=Decimal(50), sales_14d=Decimal(50))
        )
    await add_rows(session, [*world.advertised, *world.purchased])
    if seller is not None:
        await add_orders(session, world, seller, rnd)
    return world


async def add_orders(session: AsyncSession, world: World, seller: Connection, rnd: random.Random) -> None:
    zone = ZoneInfo(world.profile.timezone or "UTC")
    asins = ["B0XXXXXXX1", "B0YYYYYYY1", "B0ZZZZZZZ1", "B0PPPPPPP1", "B0TTTTTTT1"]
    n = 0
    for offset in range(-3, DAYS + 3):
        day = FIRST + timedelta(days=offset)
        # Just after midnight and just before the next one, local time: a UTC day would split them.
        for hour, minute in ((0, 5), (9, 30), (23, 50)):
            n += 1
            purchased = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
            lines = [
                (asin, f"SKU-{asin[-3:]}", money(rnd, 40) + 1, rnd.randrange(1, 3))
                for asin in rnd.sample(asins, rnd.randrange(1, 3))
            ]
            status, marketplace, currency = "SHIPPED", "ATVPDKIKX0DER", "USD"
            if n % 7 == 0:
                status = "CANCELLED"
            elif n % 11 == 0:
                marketplace, currency = "A2EUQ1WTGCTBG2", "CAD"
            elif n % 13 == 0:
                currency = "CAD"
            await store_order(
                session,
                seller.tenant_id,
                seller.id,
                f"111-{n:07d}-0000001",
                purchased=purchased,
                lines=lines,
                status=status,
                marketplace_id=marketplace,
                currency=currency,
            )
            counted = status != "CANCELLED" and marketplace == "ATVPDKIKX0DER" and currency == "USD"
            for asin, _, price, quantity in lines:
                world.lines.append(Line(day, asin, price * quantity, counted))


# The figures, again, in Python --------------------------------------------------------------------

COUNTS = ("impressions", "clicks", "purchases", "units")


def ratio(a: Decimal | int, b: Decimal | int | None) -> float | None:
    return None if not b else float(Decimal(a) / Decimal(b))


def _in(world: World, rows: Iterable[Any], start: date, end: date) -> list[Any]:
    return [r for r in rows if start <= r.date <= end and r.currency in (None, world.profile.currency_code)]


def sums(rows: Iterable[AdsSpAdvertisedProductDaily], n: int = 7) -> dict[str, Any]:
    out: dict[str, Any] = dict.fromkeys(COUNTS, 0) | {
        "spend": Decimal(0),
        "ad_sales": Decimal(0),
        "own": Decimal(0),
    }
    for r in rows:
        out["impressions"] += r.impressions
        out["clicks"] += r.clicks
        out["spend"] += r.cost
        out["ad_sales"] += getattr(r, f"sales_{n}d")
        out["purchases"] += getattr(r, f"purchases_{n}d")
        out["units"] += getattr(r, f"units_sold_{n}d")
        out["own"] += getattr(r, f"sales_same_sku_{n}d")
    return out


def total_sales(world: World, start: date, end: date, asins: set[str] | None = None) -> Decimal | None:
    if world.seller is None:
        return None
    return sum(
        (
            line.amount
            for line in world.lines
            if line.counted and start <= line.local_day <= end and (asins is None or line.asin in asins)
        ),
        Decimal(0),
    )


def with_ratios(figures: dict[str, Any], total: Decimal | None) -> dict[str, Any]:
    return {
        **figures,
        "total_sales": total,
        "acos": ratio(figures["spend"], figures["ad_sales"]),
        "roas": ratio(figures["ad_sales"], figures["spend"]),
        "tacos": None if total is None else ratio(figures["spend"], total),
        "cpc": ratio(figures["spend"], figures["clicks"]),
        "ctr": ratio(figures["clicks"], figures["impressions"]),
        "conversion_rate": ratio(figures["purchases"], figures["clicks"]),
    }


def expected_products(
    world: World, start: date, end: date, group: str = "asin", n: int = 7, asin: str | None = None
) -> dict[tuple[str, str | None, str | None], dict[str, Any]]:
    """Each row of the per-product table by (asin, campaign_id, ad_group_id)."""

    def key(r: Any) -> tuple[str, str | None, str | None]:
        return (
            r.advertised_asin,
            r.campaign_id if group != "asin" else None,
            r.ad_group_id if group == "ad_group" else None,
        )

    rows = [r for r in _in(world, world.advertised, start, end) if asin is None or r.advertised_asin == asin]
    grouped: dict[tuple[str, str | None, str | None], list[Any]] = defaultdict(list)
    for r in rows:
        grouped[key(r)].append(r)
    halo: dict[Any, Decimal] = defaultdict(Decimal)
    for p in _in(world, world.purchased, start, end):
        if p.purchased_asin != p.advertised_asin:
            halo[key(p)] += getattr(p, f"sales_{n}d")
    out = {}
    for k, found in grouped.items():
        figures = sums(found, n)
        total = total_sales(world, start, end, {k[0]})
        own = figures.pop("own")
        row = with_ratios(figures, total)
        row["skus"] = sorted({r.advertised_sku for r in found})
        row["halo_sales"] = halo.get(k, Decimal(0))
        row["halo_share"] = ratio(row["halo_sales"], row["ad_sales"])
        row["organic_sales"] = None if total is None or group != "asin" else total - own
        out[k] = row
    return out
