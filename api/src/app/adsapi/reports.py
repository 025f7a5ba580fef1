"""Sponsored Products reporting v3 requests: the two report types the product uses, built so that
Amazon accepts them (groupBy, columns and filters are bound together per report type)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

MAX_RANGE_DAYS = 31
RETENTION_DAYS = 95
ID_COLUMNS = frozenset({"campaignId", "adGroupId", "adId", "portfolioId", "keywordId"})

# What the per-product metrics need: traffic and cost, conversions at every attribution window the
# report has (1, 7, 14, 30 days), and the advertised SKU's own conversions (same SKU) at 7 and 14.
ADVERTISED_PRODUCT_COLUMNS = (
    "date",
    "campaignId",
    "adGroupId",
    "adId",
    "advertisedAsin",
    "advertisedSku",
    "campaignBudgetCurrencyCode",
    "impressions",
    "clicks",
    "cost",
    "purchases1d",
    "purchases7d",
    "purchases14d",
    "purchases30d",
    "unitsSoldClicks1d",
    "unitsSoldClicks7d",
    "unitsSoldClicks14d",
    "unitsSoldClicks30d",
    "sales1d",
    "sales7d",
    "sales14d",
    "sales30d",
    "purchasesSameSku7d",
    "purchasesSameSku14d",
    "unitsSoldSameSku7d",
    "unitsSoldSameSku14d",
    "attributedSalesSameSku7d",
    "attributedSalesSameSku14d",
)
PURCHASED_PRODUCT_COLUMNS = (
    "date",
    "campaignId",
    "adGroupId",
    "advertisedAsin",
    "advertisedSku",
    "purchasedAsin",
    "campaignBudgetCurrencyCode",
    "purchases7d",
    "purchases14d",
    "unitsSoldClicks7d",
    "unitsSoldClicks14d",
    "sales7d",
    "sales14d",
)

_DUPLICATE = re.compile(r"duplicate\s+of\s*:?\s*([A-Za-z0-9-]+)", re.IGNORECASE)


def _window(start: date, end: date) -> None:
    if end < start:
        raise ValueError("end date before start date")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValueError(f"an SP report covers at most {MAX_RANGE_DAYS} days")


def report_request(
    report_type: str,
    group_by: Sequence[str],
    columns: Sequence[str],
    start: date,
    end: date,
    *,
    filters: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    _window(start, end)
    configuration: dict[str, Any] = {
        "adProduct": "SPONSORED_PRODUCTS",
        "reportTypeId": report_type,
        "groupBy": list(group_by),
        "columns": list(columns),
        "timeUnit": "DAILY",
        "format": "GZIP_JSON",
    }
    if filters:
        configuration["filters"] = list(filters)
    return {
        # A deterministic name: the same window asked twice is recognisable in the console and logs.
        "name": f"{report_type} {start.isoformat()}..{end.isoformat()}",
        "startDate": start.isoformat(),
        "endDate": end.isoformat(),
        "configuration": configuration,
    }


def sp_advertised_product(
    start: date, end: date, columns: Sequence[str] = ADVERTISED_PRODUCT_COLUMNS
) -> dict[str, Any]:
    return report_request("spAdvertisedProduct", ["advertiser"], columns, start, end)


def sp_purchased_product(
    start: date, end: date, columns: Sequence[str] = PURCHASED_PRODUCT_COLUMNS
) -> dict[str, Any]:
    return report_request("spPurchasedProduct", ["asin"], columns, start, end)


def windows(start: date, end: date, days: int = MAX_RANGE_DAYS) -> list[tuple[date, date]]:
    """[start, end] cut into report-sized windows."""
    out = []
    cursor = start
    while cursor <= end:
        last = min(end, cursor + timedelta(days=days - 1))
        out.append((cursor, last))
        cursor = last + timedelta(days=1)
    return out


def duplicate_report_id(text: str) -> str | None:
    """The running report's id from a 425 answer ("... duplicate of : <reportId>")."""
    found = _DUPLICATE.search(text)
    return found.group(1) if found else None


def normalise_row(row: dict[str, Any]) -> dict[str, Any]:
    """Ids as strings (reports send numbers; campaign management sends strings), in place: a report
    holds hundreds of thousands of rows, and only its few id columns change."""
    for key in ID_COLUMNS:
        value = row.get(key)
        if value is not None and type(value) is not str:
            row[key] = str(value)
    return row
