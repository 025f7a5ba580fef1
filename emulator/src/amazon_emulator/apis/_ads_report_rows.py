"""Rows of a reporting v3 file from the daily ad metrics: grouped per the request's groupBy and timeUnit, one
key per requested column, ids as numbers (as Amazon's report files carry them), money in the profile currency.

* spAdvertisedProduct (groupBy advertiser): one row per product ad (and day when DAILY).
* spPurchasedProduct (groupBy asin): one row per product ad and purchased ASIN other than the advertised one
  (the other-SKU purchases), so ``sales*`` equals ``salesOtherSku*`` there.
* spCampaigns: per campaign, ad group, and/or campaign x placement (each ad-day serves in one placement).

Rows with no impressions are left out, as Amazon does. Ratios: ``clickThroughRate`` and ``acosClicks*`` in
percent, ``roasClicks*`` as sales / cost, ``costPerClick`` as cost / clicks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from amazon_emulator.apis._ads_report_types import ReportRequest
from amazon_emulator.data.ads import AdsAccount
from amazon_emulator.data.ads_metrics import WINDOWS, AdDay, attributed

Metrics = dict[str, float]
_ZERO = (
    "addToList",
    "addToListFromClicks",
    "qualifiedBorrows",
    "qualifiedBorrowsFromClicks",
    "royaltyQualifiedBorrows",
    "royaltyQualifiedBorrowsFromClicks",
    "kindleEditionNormalizedPagesRead14d",
    "kindleEditionNormalizedPagesRoyalties14d",
)
_COUNTED = ("sales", "attributedSalesSameSku", "salesOtherSku", "cost", "purchases", "unitsSold")


def _ad_metrics(row: AdDay) -> Metrics:
    out: Metrics = {"impressions": row.impressions, "clicks": row.clicks, "cost": row.cost}
    asin = row.ad.asin
    for w in WINDOWS:
        out[f"purchases{w}d"], out[f"unitsSoldClicks{w}d"], out[f"sales{w}d"] = attributed(row.lines, w)
        same = attributed(row.lines, w, asin, same=True)
        out[f"purchasesSameSku{w}d"], out[f"unitsSoldSameSku{w}d"], out[f"attributedSalesSameSku{w}d"] = same
        other = attributed(row.lines, w, asin, same=False)
        out[f"purchasesOtherSku{w}d"], out[f"unitsSoldOtherSku{w}d"], out[f"salesOtherSku{w}d"] = other
    return out


def _purchased_metrics(row: AdDay) -> dict[str, Metrics]:
    out: dict[str, Metrics] = {}
    for asin in sorted({line.purchased_asin for line in row.lines if line.purchased_asin != row.ad.asin}):
        lines = [line for line in row.lines if line.purchased_asin == asin]
        metrics: Metrics = {}
        for w in WINDOWS:
            purchases, units, sales = attributed(lines, w)
            for stem, value in (("purchases", purchases), ("unitsSoldClicks", units), ("sales", sales),
                                ("purchasesOtherSku", purchases), ("unitsSoldOtherSku", units),
                                ("salesOtherSku", sales)):  # fmt: skip
                metrics[f"{stem}{w}d"] = value
        out[asin] = metrics
    return out


def _dimensions(account: AdsAccount, row: AdDay) -> dict[str, Any]:
    ad = row.ad
    campaign = account.campaign_by_id[ad.campaign_id]
    group = account.ad_group_by_id[ad.ad_group_id]
    return {
        "campaignId": int(campaign.campaign_id),
        "campaignName": campaign.name,
        "campaignStatus": campaign.state,
        "campaignBudgetAmount": campaign.budget,
        "campaignBudgetType": "DAILY_BUDGET",
        "campaignBudgetCurrencyCode": account.profile.currency,
        "campaignBiddingStrategy": "legacyForSales",
        "campaignRuleBasedBudgetAmount": None,
        "campaignApplicableBudgetRuleId": None,
        "campaignApplicableBudgetRuleName": None,
        "portfolioId": None,
        "adGroupId": int(group.ad_group_id),
        "adGroupName": group.name,
        "adStatus": group.state,
        "adId": int(ad.ad_id),
        "advertisedAsin": ad.asin,
        "advertisedSku": ad.sku,
        "keywordId": group.keyword.keyword_id,
        "keyword": group.keyword.text,
        "keywordType": group.keyword.keyword_type,
        "matchType": group.keyword.match_type,
        "placementClassification": row.placement,
        "topOfSearchImpressionShare": row.top_of_search_share,
    }


def _passes(account: AdsAccount, row: AdDay, filters: Iterable[tuple[str, tuple[str, ...]]]) -> bool:
    for name, values in filters:
        if name == "adCreativeStatus" and row.ad.state not in values:
            return False
        if name == "campaignStatus" and account.campaign_by_id[row.ad.campaign_id].state not in values:
            return False
        if name == "adStatus" and account.ad_group_by_id[row.ad.ad_group_id].state not in values:
            return False
        if name == "campaignSite":
            return False  # no Amazon Business traffic in the emulator
    return True


def _key(request: ReportRequest, row: AdDay) -> tuple[Any, ...]:
    groups = set(request.group_by)
    rtype = request.report_type.report_type_id
    if rtype in ("spAdvertisedProduct", "spPurchasedProduct"):
        key: tuple[Any, ...] = (row.ad.campaign_id, row.ad.ad_group_id, row.ad.ad_id)
    else:
        key = (
            row.ad.campaign_id if groups & {"campaign", "campaignPlacement"} else "",
            row.ad.ad_group_id if "adGroup" in groups else "",
            row.placement if "campaignPlacement" in groups else "",
        )
    return ((row.day.isoformat(),) if request.time_unit == "DAILY" else ()) + key


def _finish(metrics: Metrics) -> Metrics:
    out = {k: round(v, 2) if isinstance(v, float) else v for k, v in metrics.items()}
    clicks, cost, impressions = out.get("clicks", 0), out.get("cost", 0.0), out.get("impressions", 0)
    out["spend"] = cost
    out["costPerClick"] = round(cost / clicks, 2) if clicks else 0.0
    out["clickThroughRate"] = round(clicks / impressions * 100, 4) if impressions else 0.0
    for w in (7, 14):
        sales = out.get(f"sales{w}d", 0.0)
        out[f"acosClicks{w}d"] = round(cost / sales * 100, 2) if sales else 0.0
        out[f"roasClicks{w}d"] = round(sales / cost, 2) if cost else 0.0
    return out


def build_rows(request: ReportRequest, account: AdsAccount, days: list[AdDay]) -> list[dict[str, Any]]:
    """The report file's rows (a list of flat objects with exactly the requested columns)."""
    groups: dict[tuple[Any, ...], tuple[dict[str, Any], Metrics]] = {}
    purchased = request.report_type.report_type_id == "spPurchasedProduct"

    def add(key: tuple[Any, ...], row: AdDay, metrics: Metrics, extra: dict[str, Any]) -> None:
        entry = groups.get(key)
        if entry is None:
            groups[key] = ({**_dimensions(account, row), **extra, "date": row.day.isoformat()}, dict(metrics))
            return
        total = entry[1]
        for name, value in metrics.items():
            total[name] = total.get(name, 0) + value

    for row in days:
        if row.impressions <= 0 or not _passes(account, row, request.filters):
            continue
        if purchased:
            for asin, metrics in _purchased_metrics(row).items():
                add((*_key(request, row), asin), row, metrics, {"purchasedAsin": asin})
        else:
            add(_key(request, row), row, _ad_metrics(row), {})

    rows = []
    for key in sorted(groups):
        dims, metrics = groups[key]
        values = {**dims, **_finish(metrics), "startDate": request.start.isoformat(),
                  "endDate": request.end.isoformat()}  # fmt: skip
        values.update(dict.fromkeys(_ZERO, 0))
        rows.append({column: _value(values, column) for column in request.columns})
    return rows


def _value(values: dict[str, Any], column: str) -> Any:
    value = values.get(column)
    if value is None and column in values:
        return None
    if value is None:
        return 0 if any(column.startswith(stem) for stem in _COUNTED) else None
    return value
