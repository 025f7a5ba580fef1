"""Sponsored Products reporting v3 requests: the two report types the product uses, built so that
Amazon accepts them (groupBy, columns and filters are bound together per report type)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import msgspec

MAX_RANGE_DAYS = 31
RETENTION_DAYS = 95

# Report ids are numbers in the reports (strings in campaign management): either is taken, the
# table keeps their text. A metric Amazon leaves out or sends as null is None here (0 when stored).
Id = int | str | None
Count = int | None
# Amounts decode straight from the JSON number's text into `Decimal`: exactly as Amazon wrote
# them, never through a float.
Amount = Decimal | None


class AdvertisedProductRow(msgspec.Struct, gc=False):
    """One spAdvertisedProduct row (DAILY, groupBy advertiser) as the GZIP JSON report writes it,
    decoded by msgspec in C with its types checked (`amazon_http.documents.json_array_blocks`): one
    row per ad and day. The fields are the columns the product asks for, in this order: what the per-product
    metrics need: traffic and cost, conversions at every attribution window the report has (1, 7,
    14, 30 days), and the advertised SKU's own conversions (same SKU) at 7 and 14."""

    date: dt.date | None = None
    campaignId: Id = None
    adGroupId: Id = None
    adId: Id = None
    advertisedAsin: str | None = None
    advertisedSku: str | None = None
    campaignBudgetCurrencyCode: str | None = None
    impressions: Count = None
    clicks: Count = None
    cost: Amount = None
    purchases1d: Count = None
    purchases7d: Count = None
    purchases14d: Count = None
    purchases30d: Count = None
    unitsSoldClicks1d: Count = None
    unitsSoldClicks7d: Count = None
    unitsSoldClicks14d: Count = None
    unitsSoldClicks30d: Count = None
    sales1d: Amount = None
    sales7d: Amount = None
    sales14d: Amount = None
    sales30d: Amount = None
    purchasesSameSku7d: Count = None
    purchasesSameSku14d: Count = None
    unitsSoldSameSku7d: Count = None
    unitsSoldSameSku14d: Count = None
    attributedSalesSameSku7d: Amount = None
    attributedSalesSameSku14d: Amount = None


class PurchasedProductRow(msgspec.Struct, gc=False):
    """One spPurchasedProduct row (DAILY, groupBy asin): another ASIN bought after a click on an
    advertised ASIN/SKU of an ad group (the halo), with its 7- and 14-day conversions."""

    date: dt.date | None = None
    campaignId: Id = None
    adGroupId: Id = None
    advertisedAsin: str | None = None
    advertisedSku: str | None = None
    purchasedAsin: str | None = None
    campaignBudgetCurrencyCode: str | None = None
    purchases7d: Count = None
    purchases14d: Count = None
    unitsSoldClicks7d: Count = None
    unitsSoldClicks14d: Count = None
    sales7d: Amount = None
    sales14d: Amount = None


ADVERTISED_PRODUCT_COLUMNS: tuple[str, ...] = AdvertisedProductRow.__struct_fields__
PURCHASED_PRODUCT_COLUMNS: tuple[str, ...] = PurchasedProductRow.__struct_fields__

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
