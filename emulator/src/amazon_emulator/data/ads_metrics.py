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
* Restatement: an attributed line is reported from the moment its payment clears (70%), or only from the
  start of the local day 1, 7 or 28 days after the purchase day (15%, 10%, 5%), so a day's conversions grow
  for up to :data:`RESTATEMENT_DAYS` days and are final after that. An admin restatement
  (:mod:`amazon_emulator.data.ads_restatement`) attributes more of the day's organic lines at once.
* Traffic per serving ad: ``clicks >= purchases`` (a conversion rate of 6-12% over every line the day will
  ever report; on days without purchases, clicks in line with the product's usual demand), ``impressions``
  150-420 per click plus some, and ``cost`` = clicks x CPC with a CPC of 0.50-1.60 USD scaled to the currency.
  Traffic of a finished day never changes; the current day is pro-rated by the time elapsed.
"""

from __future__ import annotations

import math
import random
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from amazon_emulator.data.ads import AdsAccount, ProductAd, money_factor
from amazon_emulator.data.models import CANCELED, PAID, Order, Seller

WINDOWS = (1, 7, 14, 30)
P_SAME = 0.4
P_HALO = 0.05
PLACEMENTS = (("Top of Search on-Amazon", 0.35), ("Detail Page on-Amazon", 0.25), ("Other on-Amazon", 0.40))
RESTATEMENT_DAYS = 28
# (days after the purchase day from which a conversion is reported, share); 0 = as soon as payment clears.
_LAGS = ((0, 0.7), (1, 0.15), (7, 0.1), (RESTATEMENT_DAYS, 0.05))


@dataclass(frozen=True)
class Attribution:
    """One order line credited to an ad (in :attr:`DayPlan.organic`: one that a restatement may credit)."""

    order_id: str
    line_id: str
    purchased_asin: str
    purchased_sku: str
    units: int
    sales: float
    window: int  # the smallest attribution window (days) containing the purchase
    visible_from: float  # epoch from which Amazon reports it (math.inf: never, the order is never paid)


# (ad id, line): a conversion and the product ad it is credited to.
Credit = tuple[str, Attribution]


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


@dataclass(frozen=True)
class DayPlan:
    """Everything a local day reports over time: traffic, and each conversion with the moment it shows up."""

    day: date
    rows: list[AdDay]  # ``lines``: every natural attribution, visible or not yet
    organic: list[Credit]  # unattributed lines of advertised ASINs, in the order a restatement takes them


def _window(draw: float) -> int:
    if draw < 0.72:
        return 1
    if draw < 0.9:
        return 7
    return 14 if draw < 0.97 else 30


def _lag(draw: float) -> int:
    for lag, share in _LAGS:
        if draw < share:
            return lag
        draw -= share
    return _LAGS[-1][0]


def _attributable(order: Order, market: str) -> bool:
    return order.marketplace_id == market and order.timeline[-1][1] != CANCELED


def plan_day(account: AdsAccount, seller: Seller, day: date, as_of: float) -> DayPlan:
    """The day's plan from the orders purchased by epoch ``as_of`` (all of them once the day is over)."""
    start, end = account.profile.day_bounds(day)
    ads = account.serving_ads(day) if start <= as_of else []
    if not ads:
        return DayPlan(day, [], [])
    market = account.profile.marketplace.marketplace_id
    own = {ad.asin: ad for ad in ads}
    lines: dict[str, list[Attribution]] = {ad.ad_id: [] for ad in ads}
    organic: list[tuple[float, Credit]] = []
    for order in seller.purchased_between(start, min(end - 1e-6, as_of)):
        if not _attributable(order, market):
            continue
        paid = order.paid_at()
        for item in order.items:
            rng = random.Random(f"{account.seed}:{order.amazon_order_id}:{item.order_item_id}:ads")
            draw = rng.random()
            owner = own.get(item.product.asin)
            if owner is not None and draw < P_SAME:
                target, credited = owner, True
            elif draw >= 1.0 - P_HALO:
                target, credited = ads[rng.randrange(len(ads))], True
            elif owner is not None:
                target, credited = owner, False  # organic: a restatement may credit it to its own ad
            else:
                continue
            sales = round(item.unit_price * item.quantity, 2)
            line = Attribution(order.amazon_order_id, item.order_item_id, item.product.asin, item.product.sku,
                               item.quantity, sales, _window(rng.random()),
                               math.inf if paid is None else paid)  # fmt: skip
            lag = _lag(rng.random())
            if not credited:
                organic.append((rng.random(), (target.ad_id, line)))
                continue
            if lag and paid is not None:
                reported = account.profile.day_bounds(day + timedelta(days=lag))[0]
                line = replace(line, visible_from=max(paid, reported))
            lines[target.ad_id].append(line)
    elapsed = 1.0 if end <= as_of else max(0.0, (as_of - start) / (end - start))
    rows = [_traffic(account, ad, day, lines[ad.ad_id], elapsed) for ad in ads]
    return DayPlan(day, rows, [credit for _, credit in sorted(organic, key=lambda item: item[0])])


def _traffic(account: AdsAccount, ad: ProductAd, day: date, credited: list[Attribution],
             elapsed: float) -> AdDay:  # fmt: skip
    rng = random.Random(f"{account.seed}:{ad.ad_id}:{day.isoformat()}:traffic")
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
    cpc = rng.uniform(0.5, 1.6) * money_factor(account.profile.currency)
    placement = rng.choices([p[0] for p in PLACEMENTS], [p[1] for p in PLACEMENTS])[0]
    share = round(rng.uniform(0.02, 0.3), 4)
    clicks = max(orders, round(clicks * elapsed))
    impressions = clicks * per_click + round(extra * elapsed)
    return AdDay(ad, day, impressions, clicks, round(clicks * cpc, 2), placement, share, credited)


def visible(plan: DayPlan, as_of: float, restated: Iterable[Credit] = ()) -> list[AdDay]:
    """The plan's rows as Amazon reports them at epoch ``as_of``, with the admin-restated lines."""
    extra: dict[str, list[Attribution]] = defaultdict(list)
    for ad_id, line in restated:
        extra[ad_id].append(line)
    return [
        AdDay(row.ad, row.day, row.impressions, row.clicks, row.cost, row.placement, row.top_of_search_share,
              [line for line in (*row.lines, *extra[row.ad.ad_id]) if line.visible_from <= as_of])
        for row in plan.rows
    ]  # fmt: skip


def day_metrics(
    account: AdsAccount, seller: Seller, day: date, as_of: float, restated: Iterable[Credit] = ()
) -> list[AdDay]:
    """Metrics of every serving ad of the profile on the local ``day``, as known at epoch ``as_of``."""
    return visible(plan_day(account, seller, day, as_of), as_of, restated)


class MetricsCache:
    """The plans of finished days (they never change; what is visible of them does) and the admin
    restatements; the current day is planned again on each call."""

    def __init__(self) -> None:
        self._plans: dict[tuple[int, date], DayPlan] = {}
        self._restated: dict[tuple[int, date], list[Credit]] = {}
        self._lock = threading.Lock()

    def forget(self, profile_id: int) -> None:
        with self._lock:
            self._plans = {k: v for k, v in self._plans.items() if k[0] != profile_id}
            self._restated = {k: v for k, v in self._restated.items() if k[0] != profile_id}

    def plan(self, account: AdsAccount, seller: Seller, day: date, as_of: float) -> DayPlan:
        key = (account.profile.profile_id, day)
        with self._lock:
            cached = self._plans.get(key)
        if cached is not None:
            return cached
        plan = plan_day(account, seller, day, as_of)
        if account.profile.day_bounds(day)[1] <= as_of:
            with self._lock:
                self._plans[key] = plan
        return plan

    def restated(self, profile_id: int, day: date) -> list[Credit]:
        with self._lock:
            return list(self._restated.get((profile_id, day), ()))

    def add_restated(self, profile_id: int, day: date, credits: Iterable[Credit]) -> None:
        with self._lock:
            self._restated.setdefault((profile_id, day), []).extend(credits)

    def days(self, account: AdsAccount, seller: Seller, first: date, last: date, as_of: float) -> list[AdDay]:
        out: list[AdDay] = []
        day = first
        while day <= last:
            plan = self.plan(account, seller, day, as_of)
            out.extend(visible(plan, as_of, self.restated(account.profile.profile_id, day)))
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
    """Sums a sync must reproduce: traffic and, per window, purchases / units / sales, all and same-SKU."""
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
            purchases, units, sales = attributed(row.lines, window, row.ad.asin, same=True)
            out[f"purchasesSameSku{window}d"] += purchases
            out[f"unitsSoldSameSku{window}d"] += units
            out[f"attributedSalesSameSku{window}d"] += sales
    return {k: round(v, 2) if isinstance(v, float) else v for k, v in out.items()}


def halo_totals(days: Iterable[AdDay]) -> dict[str, dict[str, float | int]]:
    """Per advertised ASIN, the other-SKU purchases credited to its ads: what the spPurchasedProduct rows
    (``purchases*``, ``unitsSoldClicks*``, ``sales*``) of that ``advertisedAsin`` add up to."""
    out: dict[str, dict[str, float | int]] = {}
    for row in days:
        halo = [line for line in row.lines if line.purchased_asin != row.ad.asin]
        if not halo or row.impressions <= 0:
            continue
        entry = out.setdefault(row.ad.asin, {})
        for window in WINDOWS:
            purchases, units, sales = attributed(halo, window)
            for name, value in (("purchases", purchases), ("unitsSoldClicks", units), ("sales", sales)):
                entry[f"{name}{window}d"] = entry.get(f"{name}{window}d", 0) + value
    return {
        asin: {k: round(v, 2) if isinstance(v, float) else v for k, v in entry.items()}
        for asin, entry in sorted(out.items())
    }


def order_sales_by_date(
    account: AdsAccount, seller: Seller, first: date, last: date, as_of: float
) -> dict[str, dict[str, float]]:
    """Order sales per ASIN per local day (``{asin: {day: sales}}``) of the profile's marketplace, as the
    Orders API shows them at ``as_of``: orders purchased in the local day whose status then is Unshipped,
    PartiallyShipped or Shipped (paid, not canceled; a Pending order has no price yet), each line's
    ``ItemPrice`` (unit price x quantity, in cents) summed. The ceiling of any attributed sales."""
    market = account.profile.marketplace.marketplace_id
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    day = first
    while day <= last:
        start, end = account.profile.day_bounds(day)
        for order in seller.purchased_between(start, min(end - 1e-6, as_of)):
            if order.marketplace_id != market or order.status_at(as_of) not in PAID:
                continue
            for item in order.items:
                out[item.product.asin][day.isoformat()] += round(item.unit_price * item.quantity, 2)
        day += timedelta(days=1)
    return {asin: {d: round(v, 2) for d, v in sorted(days.items())} for asin, days in sorted(out.items())}
