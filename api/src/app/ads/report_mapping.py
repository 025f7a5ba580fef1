"""Rows of the Sponsored Products reports (reporting v3, GZIP JSON, ids already strings:
`adsapi.reports.normalise_row`) as the daily tables' columns (`app.ads.models`): dates as `date`,
counts as `int`, a metric Amazon left null as 0, money exactly as Amazon wrote it: the report
client hands amounts over as their JSON text (`AdsClient.report_rows`), which an advertised-product
row keeps as it is (the repository's COPY sends it and PostgreSQL parses it as numeric: no `Decimal`
made and printed again per amount), and a purchased-product row reads as `Decimal` (its amounts are
added up); an amount from elsewhere (a float, an int) becomes a `Decimal` of its shortest text.

spAdvertisedProduct: one row per ad and day (its key: `date`, `ad_id`). The report's `sales*`,
`purchases*` and `unitsSoldClicks*` at 1, 7, 14 and 30 days; the advertised SKU's own conversions
(`attributedSalesSameSku*`, `purchasesSameSku*`, `unitsSoldSameSku*`) at 7 and 14.
spPurchasedProduct: one row per advertised ASIN/SKU, ad group, day and purchased ASIN (another ASIN
bought after a click on the ad: the halo), with its 7- and 14-day conversions.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)

# (column, report field)
_ADVERTISED_COUNTS = (
    ("impressions", "impressions"),
    ("clicks", "clicks"),
    *((f"purchases_{w}d", f"purchases{w}d") for w in (1, 7, 14, 30)),
    *((f"units_sold_{w}d", f"unitsSoldClicks{w}d") for w in (1, 7, 14, 30)),
    *((f"purchases_same_sku_{w}d", f"purchasesSameSku{w}d") for w in (7, 14)),
    *((f"units_same_sku_{w}d", f"unitsSoldSameSku{w}d") for w in (7, 14)),
)
_ADVERTISED_MONEY = (
    ("cost", "cost"),
    *((f"sales_{w}d", f"sales{w}d") for w in (1, 7, 14, 30)),
    *((f"sales_same_sku_{w}d", f"attributedSalesSameSku{w}d") for w in (7, 14)),
)
_PURCHASED_COUNTS = (
    *((f"purchases_{w}d", f"purchases{w}d") for w in (7, 14)),
    *((f"units_{w}d", f"unitsSoldClicks{w}d") for w in (7, 14)),
)
_PURCHASED_MONEY = tuple((f"sales_{w}d", f"sales{w}d") for w in (7, 14))

# The metric columns of each table (what a repeated key adds up).
ADVERTISED_METRICS = tuple(c for c, _ in (*_ADVERTISED_COUNTS, *_ADVERTISED_MONEY))
PURCHASED_METRICS = tuple(c for c, _ in (*_PURCHASED_COUNTS, *_PURCHASED_MONEY))
PURCHASED_KEY = ("date", "campaign_id", "ad_group_id", "advertised_asin", "advertised_sku", "purchased_asin")


def money(value: Any) -> Decimal:
    """An amount as Amazon wrote it: its text (the report client's) read as is; a float (another
    source) by its shortest text, so 12.34 stays 12.34."""
    if isinstance(value, Decimal):
        return value
    if value is None:
        return ZERO
    return Decimal(repr(value)) if value.__class__ is float else Decimal(str(value))


def amount(value: Any) -> str | Decimal:
    """An amount for the table: its text as Amazon wrote it kept as it is, anything else `money`."""
    return value if value.__class__ is str else money(value)


def count(value: Any) -> int:
    if value is None:
        return 0
    # A count written with a fraction ("3.0") reaches here as its text.
    return int(Decimal(value)) if value.__class__ is str else int(value)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _asin(value: Any) -> str | None:
    text = _text(value)
    return text.upper() if text else None


# A report holds a few dozen distinct days and hundreds of thousands of rows.
_DAYS: dict[str, date] = {}


def _day(text: str) -> date:
    day = _DAYS.get(text)
    if day is None:
        if len(_DAYS) > 10_000:
            _DAYS.clear()
        day = _DAYS[text] = date.fromisoformat(text)
    return day


def advertised_row(row: dict[str, Any]) -> dict[str, Any] | None:
    """An spAdvertisedProduct row as `ads_sp_advertised_product_daily` columns (None: no key).

    The hot path of an Ads backfill (hundreds of thousands of rows per window): plain lookups, no
    call per column that can be avoided (measured: faster than `map` and `zip` over the columns)."""
    get = row.get
    day, ad_id = get("date"), get("adId")
    if not day or ad_id is None:
        return None
    out: dict[str, Any] = {
        "date": _day(day),
        "campaign_id": _text(get("campaignId")) or "",
        "ad_group_id": _text(get("adGroupId")) or "",
        "ad_id": _text(ad_id),
        "advertised_asin": _asin(get("advertisedAsin")),
        "advertised_sku": _text(get("advertisedSku")),
        "currency": get("campaignBudgetCurrencyCode"),
    }
    for column, field in _ADVERTISED_COUNTS:
        value = get(field)
        out[column] = value if value.__class__ is int else count(value)
    for column, field in _ADVERTISED_MONEY:
        value = get(field)
        out[column] = value if value.__class__ is str else amount(value)
    return out if out["ad_id"] else None


def purchased_row(row: dict[str, Any]) -> dict[str, Any] | None:
    """An spPurchasedProduct row as `ads_sp_purchased_product_daily` columns (None: no key)."""
    day = row.get("date")
    advertised, purchased = _asin(row.get("advertisedAsin")), _asin(row.get("purchasedAsin"))
    if not day or advertised is None or purchased is None:
        return None
    out: dict[str, Any] = {
        "date": _day(day),
        "campaign_id": _text(row.get("campaignId")) or "",
        "ad_group_id": _text(row.get("adGroupId")) or "",
        "advertised_asin": advertised,
        # Part of the key, so "" rather than NULL for an ad without a SKU.
        "advertised_sku": _text(row.get("advertisedSku")) or "",
        "purchased_asin": purchased,
        "currency": _text(row.get("campaignBudgetCurrencyCode")),
    }
    for column, field in _PURCHASED_COUNTS:
        out[column] = count(row.get(field))
    for column, field in _PURCHASED_MONEY:
        out[column] = money(row.get(field))
    return out


def add_metrics(total: dict[str, Any], row: dict[str, Any], metrics: tuple[str, ...]) -> None:
    """Add `row`'s metrics into `total` (two report rows of one stored key: Amazon splits a
    purchased-product key by keyword or target, which the table does not keep)."""
    for column in metrics:
        total[column] += row[column]
