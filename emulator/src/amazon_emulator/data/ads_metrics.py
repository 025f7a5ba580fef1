"""Daily Sponsored Products metrics, derived from the seller's own orders so that ads numbers and order
numbers agree the way they do on Amazon.

Rules (per profile, per local day of the profile's timezone):

* Only orders of the profile's marketplace that are not (and will not be) canceled can be attributed.
* Each order line is attributed at most once, by a draw seeded with the order and line ids: to the serving
  product ad of its own ASIN (40%: a same-SKU purchase) or to a random serving ad of the profile (5%: an
  other-SKU "halo" purchase); otherwise it is organic. So the attributed sales of an ASIN on a day never
  exceed that ASIN's order sales that day, and the same order is never counted twice.
* Each attributed line also draws the smallest attribution window that contains it (1, 7, 14 or 30 days), so
  ``sales1d <= sales7d <= sales14d <= sales30d``; the purchase is reported on the day of the click, which here
  is the purchase day.
* Traffic per serving ad: ``clicks >= purchases`` (a conversion rate of 6-12%; on days without purchases,
  clicks in line with the product's usual demand), ``impressions`` 150-420 per click plus some, and
  ``cost`` = clicks x CPC with a CPC of 0.50-1.60 USD scaled to the currency. The current day is pro-rated
  by the time elapsed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from amazon_emulator.data.ads import AdsAccount, ProductAd, money_factor
from amazon_emulator.data.models import CANCELED, Seller

WINDOWS = (1, 7, 14, 30)
P_SAME = 0.4
P_HALO = 0.05
PLACEMENTS = (("Top of Search on-Amazon", 0.35), ("Detail Page on-Amazon", 0.25), ("Other on-Amazon", 0.40))


@dataclass(frozen=True)
class Attribution:
    """One order line credited to an ad."""

    order_id: str
    purchased_asin: str
    purchased_sku: str
    units: int
    sales: float
    window: int  # the smallest attribution window (days) containing the purchase


@dataclass
class AdDay:
    ad: ProductAd
    day: date
    impressions: int
    clicks: int
    cost: float
    placement: str
    top_of_search_share: float
    lines: list[Attribution] = field(default_factory=list)


def _window(draw: float) -> int:
    if draw < 0.72:
        return 1
    if draw < 0.9:
        return 7
    return 14 if draw < 0.97 else 30


def day_metrics(account: AdsAccount, seller: Seller, day: date, as_of: float) -> list[AdDay]:
    """Metrics of every serving ad of the profile on the local ``day``, as known at epoch ``as_of``."""
    start, end = account.profile.day_bounds(day)
    if start > as_of:
        return []
    ads = account.serving_ads(day)
    if not ads:
        return []
    market = account.profile.marketplace.marketplace_id
    own = {ad.asin: ad for ad in ads}
    lines: dict[str, list[Attribution]] = {ad.ad_id: [] for ad in ads}
    for order in seller.purchased_between(start, min(end - 1e-6, as_of)):
        if order.marketplace_id != market or order.timeline[-1][1] == CANCELED:
            continue
        for item in order.items:
            rng = random.Random(f"{account.seed}:{order.amazon_order_id}:{item.order_item_id}:ads")
            draw = rng.random()
            owner = own.get(item.product.asin)
            if owner is not None and draw < P_SAME:
                target = owner
            elif draw >= 1.0 - P_HALO:
                target = ads[rng.randrange(len(ads))]
            else:
                continue
            value = round(item.unit_price * item.quantity, 2)
            lines[target.ad_id].append(
                Attribution(order.amazon_order_id, item.product.asin, item.product.sku, item.quantity, value,
                            _window(rng.random()))
            )  # fmt: skip
    elapsed = 1.0 if end <= as_of else max(0.0, (as_of - start) / (end - start))
    factor = money_factor(account.profile.currency)
    names = [p[0] for p in PLACEMENTS]
    weights = [p[1] for p in PLACEMENTS]
    out: list[AdDay] = []
    for ad in ads:
        rng = random.Random(f"{account.seed}:{ad.ad_id}:{day.isoformat()}:traffic")
        credited = lines[ad.ad_id]
        orders = len({line.order_id for line in credited})
        cvr = rng.uniform(0.06, 0.12)
        if orders:
            clicks = max(orders, round(orders / cvr))
        else:
            # Traffic in line with the product's usual demand, so ACOS stays plausible for small sellers too.
            expected = account.daily_lines_per_product * P_SAME / cvr * rng.uniform(0.5, 1.5)
            clicks = int(expected + rng.random())
        per_click = rng.randint(150, 420)
        extra = rng.randint(5, 120)
        cpc = rng.uniform(0.5, 1.6) * factor
        placement = rng.choices(names, weights)[0]
        share = round(rng.uniform(0.02, 0.3), 4)
        clicks = max(orders, round(clicks * elapsed))
        impressions = clicks * per_click + round(extra * elapsed)
        out.append(AdDay(ad, day, impressions, clicks, round(clicks * cpc, 2), placement, share, credited))
    return out


class MetricsCache:
    """Finished days never change: keep them (the current day is recomputed on each call)."""

    def __init__(self) -> None:
        self._days: dict[tuple[int, date], list[AdDay]] = {}

    def forget(self, profile_id: int) -> None:
        self._days = {k: v for k, v in self._days.items() if k[0] != profile_id}

    def days(self, account: AdsAccount, seller: Seller, first: date, last: date, as_of: float) -> list[AdDay]:
        out: list[AdDay] = []
        day = first
        while day <= last:
            key = (account.profile.profile_id, day)
            cached = self._days.get(key)
            if cached is None:
                cached = day_metrics(account, seller, day, as_of)
                if account.profile.day_bounds(day)[1] <= as_of:
                    self._days[key] = cached
            out.extend(cached)
            day += timedelta(days=1)
        return out


def attributed(lines: Iterable[Attribution], window: int, advertised_asin: str | None = None,
               same: bool | None = None) -> tuple[int, int, float]:  # fmt: skip
    """(purchases as distinct orders, units, sales) of the lines within ``window`` days.

    ``same`` restricts to same-SKU (True) or other-SKU (False) purchases of ``advertised_asin``.
    """
    orders: set[str] = set()
    units = 0
    sales = 0.0
    for line in lines:
        if line.window > window:
            continue
        if same is not None and (line.purchased_asin == advertised_asin) != same:
            continue
        orders.add(line.order_id)
        units += line.units
        sales += line.sales
    return len(orders), units, round(sales, 2)


def totals(days: Iterable[AdDay]) -> dict[str, float | int]:
    """Sums a sync must reproduce: traffic and, per window, purchases / units / sales."""
    out: dict[str, float | int] = defaultdict(int)
    for row in days:
        out["impressions"] += row.impressions
        out["clicks"] += row.clicks
        out["cost"] += row.cost
        for window in WINDOWS:
            purchases, units, sales = attributed(row.lines, window)
            out[f"purchases{window}d"] += purchases
            out[f"unitsSoldClicks{window}d"] += units
            out[f"sales{window}d"] += sales
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in out.items()}


def order_sales(
    account: AdsAccount, seller: Seller, first: date, last: date, as_of: float
) -> dict[str, float]:
    """Sales per ASIN of the profile's non-canceled orders over local days ``first..last`` (the upper bound of
    any attribution)."""
    start = account.profile.day_bounds(first)[0]
    end = account.profile.day_bounds(last)[1]
    market = account.profile.marketplace.marketplace_id
    out: dict[str, float] = defaultdict(float)
    for order in seller.purchased_between(start, min(end - 1e-6, as_of)):
        if order.marketplace_id != market or order.timeline[-1][1] == CANCELED:
            continue
        for item in order.items:
            out[item.product.asin] += item.unit_price * item.quantity
    return {asin: round(value, 2) for asin, value in out.items()}
