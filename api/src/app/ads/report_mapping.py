"""Rows of the Sponsored Products reports (reporting v3, GZIP JSON) on their way to the daily tables
(`app.ads.models`). The report client decodes them into typed rows (`adsapi.reports`): dates as
`date`, counts as `int`, amounts as `Decimal`s of the text Amazon wrote (never a float), ids as
Amazon sent them (numbers in reports).

spAdvertisedProduct: one row per ad and day (its key: `date`, `ad_id`). A backfill window holds
hundreds of thousands of them, so they go to the repository as the typed rows themselves, and the
repository's merge makes them columns in SQL (`app.ads.repository.ADVERTISED`: ids as text, ASIN
upper-cased, blank SKU as NULL, a metric Amazon left out as 0): no dict and no Python call per
field. Here only the rows without a key are left out.

spPurchasedProduct: one row per advertised ASIN/SKU, ad group, day and purchased ASIN (another ASIN
bought after a click on the ad: the halo), with its 7- and 14-day conversions. Amazon splits a key
further (per keyword or target), so the rows of one key are added up here (`add_metrics`) before
they are stored: they become dicts of the table's columns.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.adsapi.reports import AdvertisedProductRow, PurchasedProductRow

ZERO = Decimal(0)

# (column, report field)
_PURCHASED_COUNTS = (
    *((f"purchases_{w}d", f"purchases{w}d") for w in (7, 14)),
    *((f"units_{w}d", f"unitsSoldClicks{w}d") for w in (7, 14)),
)
_PURCHASED_MONEY = tuple((f"sales_{w}d", f"sales{w}d") for w in (7, 14))

# The metric columns of the purchased-product table (what a repeated key adds up).
PURCHASED_METRICS = tuple(c for c, _ in (*_PURCHASED_COUNTS, *_PURCHASED_MONEY))
PURCHASED_KEY = ("date", "campaign_id", "ad_group_id", "advertised_asin", "advertised_sku", "purchased_asin")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _asin(value: str | None) -> str | None:
    text = _text(value)
    return text.upper() if text else None


def advertised_row(row: AdvertisedProductRow) -> AdvertisedProductRow | None:
    """The row as it is when it has its key (a day and an ad id), else None."""
    ad_id = row.adId
    if row.date is None or ad_id is None or ad_id == "":
        return None
    return row


def purchased_row(row: PurchasedProductRow) -> dict[str, Any] | None:
    """An spPurchasedProduct row as `ads_sp_purchased_product_daily` columns (None: no key)."""
    advertised, purchased = _asin(row.advertisedAsin), _asin(row.purchasedAsin)
    if row.date is None or advertised is None or purchased is None:
        return None
    out: dict[str, Any] = {
        "date": row.date,
        "campaign_id": _text(row.campaignId) or "",
        "ad_group_id": _text(row.adGroupId) or "",
        "advertised_asin": advertised,
        # Part of the key, so "" rather than NULL for an ad without a SKU.
        "advertised_sku": _text(row.advertisedSku) or "",
        "purchased_asin": purchased,
        "currency": _text(row.campaignBudgetCurrencyCode),
    }
    for column, field in _PURCHASED_COUNTS:
        out[column] = getattr(row, field) or 0
    for column, field in _PURCHASED_MONEY:
        value = getattr(row, field)
        out[column] = ZERO if value is None else value
    return out


def add_metrics(total: dict[str, Any], row: dict[str, Any], metrics: tuple[str, ...]) -> None:
    """Add `row`'s metrics into `total` (two report rows of one stored key)."""
    for column in metrics:
        total[column] += row[column]
