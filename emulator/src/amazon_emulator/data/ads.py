"""Seeded Sponsored Products structure of a seller: profiles, campaigns, ad groups and product ads.

Everything derives from the seller's seed, id and marketplace, so the same seller always gets the same ids and
names. An advertiser is a seller (the account that authorized on ``/ap/oa``); it has one profile per
marketplace. Each advertised catalogue product has exactly one product ad per profile, so every attributed
sale has one owner (see :mod:`amazon_emulator.data.ads_metrics`).

Entities that are not ENABLED stopped serving some days before the account was first built (``stopped_on``,
the first local day without traffic), so a report over older days still shows their history.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from amazon_emulator.data.marketplaces import PRICE_FACTOR
from amazon_emulator.data.models import Marketplace, Product, Seller

# Profiles API country codes differ from ISO for the UK.
PROFILE_COUNTRY = {"GB": "UK"}
# The profile timezones the Profiles model lists per country.
TIMEZONES = {
    "US": "America/Los_Angeles",
    "CA": "America/Los_Angeles",
    "MX": "America/Los_Angeles",
    "BR": "America/Sao_Paulo",
    "UK": "Europe/London",
    "DE": "Europe/Paris",
    "FR": "Europe/Paris",
    "IT": "Europe/Paris",
    "ES": "Europe/Paris",
    "JP": "Asia/Tokyo",
    "AU": "Australia/Sydney",
}
REGIONS = {"US": "NA", "CA": "NA", "MX": "NA", "BR": "NA", "JP": "FE", "AU": "FE"}

ENABLED, PAUSED, ARCHIVED = "ENABLED", "PAUSED", "ARCHIVED"
_PROFILE_SPAN = 8 * 10**15  # profile ids stay below 2**53 so JavaScript clients read them exactly


def money_factor(currency: str) -> float:
    return PRICE_FACTOR.get(currency, 1.0)


@dataclass(frozen=True)
class AdsProfile:
    profile_id: int
    seller_id: str
    seller_name: str
    marketplace: Marketplace
    country_code: str
    currency: str
    timezone: str
    daily_budget: float

    @property
    def region(self) -> str:
        return REGIONS.get(self.country_code, "EU")

    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local_date(self, epoch: float) -> date:
        return datetime.fromtimestamp(epoch, tz=self.tz()).date()

    def day_bounds(self, day: date) -> tuple[float, float]:
        """Epoch seconds of the local day's start (inclusive) and end (exclusive)."""
        tz = self.tz()
        start = datetime(day.year, day.month, day.day, tzinfo=tz)
        nxt = day + timedelta(days=1)
        end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz)
        return start.timestamp(), end.timestamp()


def profile_id_for(seller_id: str, marketplace_id: str) -> int:
    digest = hashlib.sha256(f"ads-profile:{seller_id}:{marketplace_id}".encode()).hexdigest()
    return 10**15 + int(digest[:16], 16) % _PROFILE_SPAN


def profiles_of(seller: Seller) -> list[AdsProfile]:
    out = []
    for market in seller.marketplaces:
        country = PROFILE_COUNTRY.get(market.country_code, market.country_code)
        rng = random.Random(f"{seller.seed}:{seller.selling_partner_id}:profile:{market.marketplace_id}")
        budget = round(rng.choice((50, 75, 100, 150, 200)) * money_factor(market.currency), 2)
        out.append(
            AdsProfile(
                profile_id=profile_id_for(seller.selling_partner_id, market.marketplace_id),
                seller_id=seller.selling_partner_id,
                seller_name=seller.store_name,
                marketplace=market,
                country_code=country,
                currency=market.currency,
                timezone=TIMEZONES.get(country, "America/Los_Angeles"),
                daily_budget=budget,
            )
        )
    return out


@dataclass(frozen=True)
class Keyword:
    keyword_id: int
    text: str
    keyword_type: str  # report keywordType: BROAD | PHRASE | EXACT | TARGETING_EXPRESSION_PREDEFINED
    match_type: str


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    name: str
    targeting_type: str  # AUTO | MANUAL
    state: str
    budget: float
    start_date: date
    created_ts: float
    stopped_on: date | None = None


@dataclass(frozen=True)
class AdGroup:
    ad_group_id: str
    campaign_id: str
    name: str
    default_bid: float
    state: str
    keyword: Keyword
    created_ts: float
    stopped_on: date | None = None


@dataclass(frozen=True)
class ProductAd:
    ad_id: str
    ad_group_id: str
    campaign_id: str
    asin: str
    sku: str
    state: str
    created_ts: float
    stopped_on: date | None = None


@dataclass
class AdsAccount:
    """The Sponsored Products structure of one profile."""

    profile: AdsProfile
    seed: int
    campaigns: list[Campaign] = field(default_factory=list)
    ad_groups: list[AdGroup] = field(default_factory=list)
    ads: list[ProductAd] = field(default_factory=list)
    campaign_by_id: dict[str, Campaign] = field(default_factory=dict)
    ad_group_by_id: dict[str, AdGroup] = field(default_factory=dict)
    ad_by_asin: dict[str, ProductAd] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    # Average order lines per catalogue product per day in this marketplace (sizes the ads traffic).
    daily_lines_per_product: float = 0.0

    def serving(self, ad: ProductAd, day: date) -> bool:
        """Whether the ad, its ad group and its campaign all served on ``day``."""
        group = self.ad_group_by_id[ad.ad_group_id]
        campaign = self.campaign_by_id[ad.campaign_id]
        return all(
            stop is None or day < stop for stop in (ad.stopped_on, group.stopped_on, campaign.stopped_on)
        )

    def serving_ads(self, day: date) -> list[ProductAd]:
        return [ad for ad in self.ads if self.serving(ad, day)]


def _id(rng: random.Random, used: set[str]) -> str:
    while True:
        value = str(rng.randrange(10**14, 10**15))
        if value not in used:
            used.add(value)
            return value


# (name, targeting, state, share of advertised products, days stopped before the build, ad groups)
_PLAN = (
    ("Auto - All Products", "AUTO", ENABLED, 0.4, None, 1),
    ("Manual - Top Sellers", "MANUAL", ENABLED, 0.35, None, 2),
    ("Manual - Long Tail", "MANUAL", PAUSED, 0.15, 21, 1),
    ("Holiday Push", "MANUAL", ARCHIVED, 0.1, 70, 1),
)


def build_account(seller: Seller, profile: AdsProfile, built_ts: float) -> AdsAccount:
    """The profile's campaigns, ad groups and product ads (ids and names depend only on the seed)."""
    rng = random.Random(f"{seller.seed}:{seller.selling_partner_id}:ads:{profile.marketplace.marketplace_id}")
    account = AdsAccount(profile, seller.seed)
    today = profile.local_date(built_ts)
    factor = money_factor(profile.currency)
    used: set[str] = set()
    catalogue = list(seller.catalogue)
    advertised = rng.sample(catalogue, k=min(60, max(1, int(len(catalogue) * 0.7))))
    cursor = 0
    for index, (name, targeting, state, share, stopped_days, n_groups) in enumerate(_PLAN):
        count = max(1, round(len(advertised) * share)) if index < len(_PLAN) - 1 else len(advertised) - cursor
        products = advertised[cursor : cursor + count]
        cursor += len(products)
        stopped = today - timedelta(days=stopped_days) if stopped_days is not None else None
        start = today - timedelta(days=rng.randint(200, 500))
        created = datetime(start.year, start.month, start.day, 9, tzinfo=UTC).timestamp()
        campaign = Campaign(
            _id(rng, used), name, targeting, state, round(rng.choice((20, 30, 50, 80)) * factor, 2),
            start, created, stopped,
        )  # fmt: skip
        account.campaigns.append(campaign)
        for g in range(n_groups):
            group_products = products[g::n_groups]
            if not group_products:
                continue
            noun = group_products[0].title.split(",")[0].split(" ", 1)[-1].lower()
            if targeting == "AUTO":
                keyword = Keyword(int(_id(rng, used)), "close-match", "TARGETING_EXPRESSION_PREDEFINED", "-")
            else:
                match = rng.choice(("BROAD", "PHRASE", "EXACT"))
                keyword = Keyword(int(_id(rng, used)), noun, match, match)
            group = AdGroup(
                _id(rng, used),
                campaign.campaign_id,
                f"{name} - {noun.title()}" if targeting == "MANUAL" else "Auto ad group",
                round(rng.uniform(0.4, 1.5) * factor, 2),
                ARCHIVED if state == ARCHIVED else ENABLED,
                keyword,
                created + 600,
                stopped,
            )
            account.ad_groups.append(group)
            for product in group_products:
                ad_state, ad_stop = (ARCHIVED, stopped) if state == ARCHIVED else (ENABLED, None)
                if state == ENABLED and rng.random() < 0.1:
                    ad_state, ad_stop = PAUSED, today - timedelta(days=rng.randint(5, 40))
                ad = ProductAd(
                    _id(rng, used), group.ad_group_id, campaign.campaign_id, product.asin, product.sku,
                    ad_state, created + 1200, ad_stop,
                )  # fmt: skip
                account.ads.append(ad)
                account.ad_by_asin[product.asin] = ad
                account.products[product.asin] = product
    recent = seller.purchased_between(built_ts - 90 * 86400, built_ts)
    lines = sum(len(o.items) for o in recent if o.marketplace_id == profile.marketplace.marketplace_id)
    account.daily_lines_per_product = lines / 90 / max(1, len(catalogue))
    account.campaign_by_id = {c.campaign_id: c for c in account.campaigns}
    account.ad_group_by_id = {g.ad_group_id: g for g in account.ad_groups}
    return account
