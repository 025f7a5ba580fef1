"""Reporting v3 rules per Sponsored Products report type (groupBy, columns, filters, time units, date limits),
typed from Amazon's report-type pages, and the validation of a create request against them.

Error texts follow what Amazon answers (400 ``{"code": "400", "detail": ...}``), e.g. "configuration columns
includes invalid values: (x). Allowed values: (...)". A filter is allowed only when every groupBy of the
request allows it. ``date`` goes with DAILY, ``startDate``/``endDate`` with SUMMARY.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from amazon_emulator.apis._ads_common import AdsError

_W = ("1d", "7d", "14d", "30d")


def _windows(*stems: str) -> tuple[str, ...]:
    return tuple(f"{stem}{w}" for stem in stems for w in _W)


_BOOKS = ("kindleEditionNormalizedPagesRead14d", "kindleEditionNormalizedPagesRoyalties14d")
_CAMPAIGN_DIMS = (
    "campaignName",
    "campaignId",
    "campaignStatus",
    "campaignBudgetAmount",
    "campaignBudgetType",
    "campaignRuleBasedBudgetAmount",
    "campaignApplicableBudgetRuleId",
    "campaignApplicableBudgetRuleName",
    "campaignBudgetCurrencyCode",
    "topOfSearchImpressionShare",
)
_STATES = ("ENABLED", "PAUSED", "ARCHIVED")


@dataclass(frozen=True)
class GroupBy:
    columns: tuple[str, ...] = ()
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class ReportType:
    report_type_id: str
    ad_product: str
    max_days: int
    retention_days: int
    base_columns: tuple[str, ...]
    group_bys: dict[str, GroupBy]
    time_units: tuple[str, ...] = ("SUMMARY", "DAILY")
    formats: tuple[str, ...] = ("GZIP_JSON",)


REPORT_TYPES: dict[str, ReportType] = {
    "spCampaigns": ReportType(
        "spCampaigns", "SPONSORED_PRODUCTS", 31, 95,
        ("impressions", "addToList", "qualifiedBorrows", "royaltyQualifiedBorrows", "clicks", "cost",
         *_windows("purchases", "purchasesSameSku", "unitsSoldClicks", "sales", "attributedSalesSameSku",
                   "unitsSoldSameSku"),
         *_BOOKS, "date", "startDate", "endDate", "campaignBiddingStrategy", "costPerClick",
         "clickThroughRate", "spend"),
        {
            "campaign": GroupBy(tuple(_CAMPAIGN_DIMS), {"campaignStatus": _STATES}),
            "adGroup": GroupBy(("adGroupName", "adGroupId", "adStatus"), {"adStatus": _STATES}),
            "campaignPlacement": GroupBy(("placementClassification", *_CAMPAIGN_DIMS),
                                         {"campaignSite": ("AmazonBusiness",)}),
        },
    ),
    "spAdvertisedProduct": ReportType(
        "spAdvertisedProduct", "SPONSORED_PRODUCTS", 31, 95,
        ("date", "startDate", "endDate", "campaignName", "campaignId", "adGroupName", "adGroupId", "adId",
         "addToList", "qualifiedBorrows", "royaltyQualifiedBorrows", "portfolioId", "impressions", "clicks",
         "costPerClick", "clickThroughRate", "cost", "spend", "campaignBudgetCurrencyCode",
         "campaignBudgetAmount", "campaignBudgetType", "campaignStatus", "advertisedAsin", "advertisedSku",
         *_windows("purchases", "purchasesSameSku", "unitsSoldClicks", "sales", "attributedSalesSameSku"),
         "salesOtherSku7d", *_windows("unitsSoldSameSku"), "unitsSoldOtherSku7d", *_BOOKS,
         "acosClicks7d", "acosClicks14d", "roasClicks7d", "roasClicks14d"),
        {"advertiser": GroupBy((), {"adCreativeStatus": _STATES})},
    ),
    "spPurchasedProduct": ReportType(
        "spPurchasedProduct", "SPONSORED_PRODUCTS", 31, 95,
        ("date", "startDate", "endDate", "addToList", "addToListFromClicks", "qualifiedBorrows",
         "qualifiedBorrowsFromClicks", "royaltyQualifiedBorrows", "royaltyQualifiedBorrowsFromClicks",
         "portfolioId", "campaignName", "campaignId", "adGroupName", "adGroupId", "keywordId", "keyword",
         "keywordType", "advertisedAsin", "purchasedAsin", "advertisedSku", "campaignBudgetCurrencyCode",
         "matchType",
         *_windows("unitsSoldClicks", "sales", "purchases", "unitsSoldOtherSku", "salesOtherSku",
                   "purchasesOtherSku"),
         *_BOOKS),
        {"asin": GroupBy()},
    ),
}  # fmt: skip

AD_PRODUCTS = ("SPONSORED_PRODUCTS", "SPONSORED_BRANDS", "SPONSORED_DISPLAY", "SPONSORED_TELEVISION",
               "DEMAND_SIDE_PLATFORM", "ALL")  # fmt: skip


@dataclass(frozen=True)
class ReportRequest:
    """A validated create request."""

    name: str | None
    start: date
    end: date
    report_type: ReportType
    group_by: tuple[str, ...]
    columns: tuple[str, ...]
    time_unit: str
    filters: tuple[tuple[str, tuple[str, ...]], ...]
    configuration: dict[str, Any]  # as sent, echoed in AsyncReport

    def dedupe_key(self) -> tuple[Any, ...]:
        return (self.start, self.end, self.report_type.report_type_id, tuple(sorted(self.group_by)),
                tuple(sorted(self.columns)), self.time_unit, tuple(sorted(self.filters)))  # fmt: skip


def _bad(text: str) -> AdsError:
    return AdsError("reporting", 400, text)


def _strings(value: Any) -> list[str] | None:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        return None
    return list(value)


def _date(body: dict[str, Any], name: str) -> date:
    raw = body.get(name)
    try:
        if not isinstance(raw, str) or len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise _bad(f"Required fields are invalid or missing: {name}") from None


def allowed_columns(report_type: ReportType, group_by: list[str], time_unit: str) -> list[str]:
    columns = list(report_type.base_columns)
    for name in group_by:
        columns += [c for c in report_type.group_bys[name].columns if c not in columns]
    dropped = {"startDate", "endDate"} if time_unit == "DAILY" else {"date"}
    return [c for c in columns if c not in dropped]


def validate(body: dict[str, Any], today: date) -> ReportRequest:
    """Check a CreateAsyncReportRequest; ``today`` is the profile's local date."""
    config = body.get("configuration")
    if not isinstance(config, dict):
        raise _bad("Required fields are invalid or missing: configuration")
    start, end = _date(body, "startDate"), _date(body, "endDate")
    name = body.get("name")
    if name is not None and not isinstance(name, str):
        raise _bad("name must be a string")
    missing = [f for f in ("adProduct", "groupBy", "columns", "reportTypeId", "timeUnit", "format")
               if config.get(f) in (None, "", [])]  # fmt: skip
    if missing:
        raise _bad(
            "Required fields are invalid or missing: " + ", ".join(f"configuration {m}" for m in missing)
        )
    if config["adProduct"] not in AD_PRODUCTS:
        raise _bad(f"configuration adProduct is invalid: {config['adProduct']}")
    report_type = REPORT_TYPES.get(str(config["reportTypeId"]))
    if report_type is None:
        raise _bad(f"configuration reportTypeId is invalid: {config['reportTypeId']}. "
                   f"Allowed values: ({', '.join(REPORT_TYPES)})")  # fmt: skip
    if config["adProduct"] != report_type.ad_product:
        raise _bad(f"configuration adProduct {config['adProduct']} is invalid for reportTypeId "
                   f"{report_type.report_type_id}")  # fmt: skip
    if config["timeUnit"] not in report_type.time_units:
        raise _bad("configuration timeUnit is not supported for this report type")
    if config["format"] not in report_type.formats:
        raise _bad(f"configuration format is invalid: {config['format']}. "
                   f"Allowed values: ({', '.join(report_type.formats)})")  # fmt: skip
    group_by = _strings(config["groupBy"])
    if group_by is None:
        raise _bad("Required fields are invalid or missing: configuration groupBy")
    wrong_groups = [g for g in group_by if g not in report_type.group_bys]
    if wrong_groups:
        raise _bad(f"configuration groupBy includes invalid values: ({', '.join(wrong_groups)}). "
                   f"Allowed values: ({', '.join(report_type.group_bys)})")  # fmt: skip
    columns = _strings(config["columns"])
    if columns is None:
        raise _bad("Required fields are invalid or missing: configuration columns")
    allowed = allowed_columns(report_type, group_by, config["timeUnit"])
    wrong_columns = [c for c in columns if c not in allowed]
    if wrong_columns:
        raise _bad(f"configuration columns includes invalid values: ({', '.join(wrong_columns)}). "
                   f"Allowed values: ({', '.join(allowed)})")  # fmt: skip
    filters = _filters(config.get("filters"), report_type, group_by)
    if end < start:
        raise _bad("endDate must not be before startDate")
    if (end - start).days + 1 > report_type.max_days:
        raise _bad(f"Report date range cannot exceed {report_type.max_days} days.")
    retained_from = today - timedelta(days=report_type.retention_days)
    if start < retained_from:
        # Amazon's text for a start before the report type's retention.
        raise _bad(f"startDate ({start}) must be equal to or after report type data retention start date "
                   f"({retained_from})")  # fmt: skip
    if end > today:
        raise _bad("endDate cannot be in the future.")
    return ReportRequest(name, start, end, report_type, tuple(group_by), tuple(columns), config["timeUnit"],
                         filters, config)  # fmt: skip


def _filters(
    raw: Any, report_type: ReportType, group_by: list[str]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _bad("configuration filters must be a list")
    out: list[tuple[str, tuple[str, ...]]] = []
    for item in raw:
        values = _strings(item.get("values")) if isinstance(item, dict) else None
        if not isinstance(item, dict) or not isinstance(item.get("field"), str) or values is None:
            raise _bad("configuration filters must be objects with a field and values")
        out.append((item["field"], tuple(values)))
    fields = [f for f, _ in out]
    invalid = [f for f in fields if not all(f in report_type.group_bys[g].filters for g in group_by)]
    if invalid:
        allowed = "; ".join(
            f"Allowed filters for groupBy {g}: ("
            + ", ".join(
                f"field: {f}, values: {', '.join(v)}" for f, v in report_type.group_bys[g].filters.items()
            )
            + ")"
            for g in group_by
        )
        raise _bad(f"configuration filters includes fields: ({', '.join(invalid)}) which are invalid for "
                   f"groupBys: {', '.join(group_by)}. {allowed}")  # fmt: skip
    for name, wanted in out:
        allowed_values = report_type.group_bys[group_by[0]].filters[name]
        bad_values = [v for v in wanted if v not in allowed_values]
        if bad_values:
            raise _bad(f"configuration filters {name} includes invalid values: ({', '.join(bad_values)}). "
                       f"Allowed values: ({', '.join(allowed_values)})")  # fmt: skip
    return tuple(out)
