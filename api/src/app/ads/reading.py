"""Ads read use cases: profiles with their sync state, campaigns, the per-product table (keyset
pages over computed figures) and daily series with the previous period. Reads only: nothing here
writes or commits.

Dates are local days of the profile (its time zone), inclusive; the orders that give total sales
are matched by their purchase instant between the first day's local midnight and the midnight after
the last day.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.ext.asyncio import AsyncSession

from app.ads.read_repository import (
    AdsReadRepository,
    Attribution,
    Filters,
    Period,
    ProductsAfter,
    ProductsQuery,
    ProfileScope,
    SeriesQuery,
)
from app.kit.errors import AppError, NotFound
from app.sync import planner

MAX_DAYS = 366
# Days outside these years are no one's advertising (and would overflow the previous period).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
# The datasets whose backfill the profile's state follows (the structure has no history).
METRIC_DATASETS = ("ads_advertised_product", "ads_purchased_product")

_POINT = ("date", "impressions", "clicks", "spend", "ad_sales", "purchases", "units", "total_sales")
_POINT_RATIOS = ("acos", "tacos", "roas")
_TOTALS = (
    "impressions",
    "clicks",
    "spend",
    "ad_sales",
    "purchases",
    "units",
    "total_sales",
    "organic_sales",
    "acos",
    "roas",
    "tacos",
    "cpc",
    "ctr",
    "conversion_rate",
)


class InvalidCursor(AppError):
    status_code = 400
    code = "invalid_cursor"


class InvalidRange(AppError):
    status_code = 422
    code = "validation_error"


def _zone(name: str | None) -> str:
    """The profile's IANA time zone, UTC when Amazon gave none (or one this system does not know)."""
    if not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def local_period(timezone: str, start: date, end: date) -> Period:
    """Local days [start, end] as the instants [from_utc, to_utc) of their midnights."""
    zone = ZoneInfo(timezone)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)

    return Period(start, end, midnight(start), midnight(end + timedelta(days=1)))


def check_range(start: date, end: date) -> int:
    """The number of days of [start, end]; 422 for a range this API does not serve."""
    for name, day in (("start", start), ("end", end)):
        if not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidRange(f"{name} must fall between {FIRST_DAY} and {LAST_DAY} (got {day})")
    if end < start:
        raise InvalidRange(f"end ({end}) is before start ({start})")
    days = (end - start).days + 1
    if days > MAX_DAYS:
        raise InvalidRange(f"the range has {days} days; at most {MAX_DAYS}")
    return days


def encode_cursor(query: ProductsQuery, row: dict[str, Any]) -> str:
    raw = [
        query.group,
        query.sort,
        query.order,
        row["sort_value"],
        row["asin"],
        row["campaign_id"],
        row["ad_group_id"],
    ]
    return base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(query: ProductsQuery, cursor: str) -> ProductsAfter:
    """The keyset a cursor holds; 400 for anything this API did not make for the same group and sort."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        group, sort, order, value, asin, campaign_id, ad_group_id = json.loads(
            base64.urlsafe_b64decode(padded.encode())
        )
        keys = (str(asin), str(campaign_id), str(ad_group_id))
        after = ProductsAfter(None if value is None else Decimal(str(value)), *keys)
        if after.value is not None and not after.value.is_finite():
            raise ValueError("not a sort value")
    except Exception as exc:
        raise InvalidCursor("the cursor is not one this API returned") from exc
    if (group, sort, order) != (query.group, query.sort, query.order):
        raise InvalidCursor("the cursor belongs to another grouping or sort order; start from the first page")
    return after


def sync_summary(
    rows: Sequence[dict[str, Any]], data_from: date | None, data_to: date | None, now: datetime
) -> dict[str, Any]:
    """One profile's sync as the panel shows it, from the engine's rows of the profile: the worst
    state, the backfill's progress (mean of the metric datasets') and its latest estimated end."""
    tracked = [r for r in rows if r["entity"] in METRIC_DATASETS] or list(rows)
    progress = [
        1.0
        if r["backfill_completed_at"] is not None
        else planner.backfill_progress(r["backfill_from"], r["backfill_to"], r["backfill_done_until"])
        for r in tracked
    ]
    done = bool(tracked) and all(r["backfill_completed_at"] is not None for r in tracked)
    errors = [r for r in rows if r["status"] == "error"]
    if errors:
        state = "error"
    elif rows and all(r["status"] == "paused" for r in rows):
        state = "paused"
    else:
        state = "ready" if done else "backfilling"
    etas = [
        planner.backfill_eta(r["backfill_started_at"], p, now)
        for r, p in zip(tracked, progress, strict=True)
        if r["backfill_completed_at"] is None
    ]
    # The backfill ends with its slowest dataset; unknown while any of them cannot tell.
    known = [eta for eta in etas if eta is not None]
    synced = [r["last_success_at"] for r in rows if r["last_success_at"] is not None]
    return {
        "state": state,
        "progress": round(sum(progress) / len(progress), 4) if progress else 0.0,
        "eta": max(known) if state == "backfilling" and known and len(known) == len(etas) else None,
        "data_from": data_from,
        "data_to": data_to,
        "last_synced_at": max(synced) if synced else None,
        "last_error": next((r["last_error"] for r in errors if r["last_error"]), None),
    }


class AdsReadService:
    def __init__(self, session: AsyncSession) -> None:
        self.reads = AdsReadRepository(session)

    async def scope(self, tenant_id: uuid.UUID, profile_id: str) -> ProfileScope:
        row = await self.reads.profile(tenant_id, profile_id)
        if row is None:
            raise NotFound("Ads profile not found")
        return ProfileScope(
            tenant_id=tenant_id,
            profile_id=row["profile_id"],
            currency_code=row["currency_code"],
            timezone=_zone(row["timezone"]),
            marketplace_id=row["marketplace_id"],
            sp_connection_id=row["linked_sp_connection_id"],
        )

    async def profiles(self, tenant_id: uuid.UUID, now: datetime) -> dict[str, Any]:
        profiles = await self.reads.profiles(tenant_id)
        by_profile: dict[str, list[dict[str, Any]]] = {}
        for row in await self.reads.sync_rows(tenant_id):
            by_profile.setdefault(row["profile_id"], []).append(row)
        out = []
        for p in profiles:
            data_from, data_to = p.pop("data_from"), p.pop("data_to")
            sync = sync_summary(by_profile.get(p["profile_id"], []), data_from, data_to, now)
            out.append({**p, "sync": sync})
        return {"profiles": out}

    async def campaigns(
        self, tenant_id: uuid.UUID, profile_id: str, start: date, end: date, attribution: Attribution
    ) -> dict[str, Any]:
        check_range(start, end)
        scope = await self.scope(tenant_id, profile_id)
        period = local_period(scope.timezone, start, end)
        items = await self.reads.campaigns(scope, period, attribution)
        return {"currency_code": scope.currency_code, "items": items}

    async def products(
        self,
        tenant_id: uuid.UUID,
        profile_id: str,
        start: date,
        end: date,
        query: ProductsQuery,
        *,
        cursor: str | None,
        limit: int,
    ) -> dict[str, Any]:
        """One page of the per-product table (shape of `ProductsOut`), as plain data."""
        check_range(start, end)
        after = decode_cursor(query, cursor) if cursor else None
        scope = await self.scope(tenant_id, profile_id)
        period = local_period(scope.timezone, start, end)
        rows = await self.reads.products(scope, period, query, after, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(query, rows[-1]) if more and rows else None
        for row in rows:
            del row["sort_value"]
            if query.group == "asin":
                row["campaign_id"] = row["campaign_name"] = None
            if query.group != "ad_group":
                row["ad_group_id"] = row["ad_group_name"] = None
        return {"currency_code": scope.currency_code, "items": rows, "next_cursor": next_cursor}

    async def timeseries(
        self,
        tenant_id: uuid.UUID,
        profile_id: str,
        start: date,
        end: date,
        filters: Filters,
        attribution: Attribution,
    ) -> dict[str, Any]:
        days = check_range(start, end)
        scope = await self.scope(tenant_id, profile_id)
        previous_start = start - timedelta(days=days)
        query = SeriesQuery(
            period=local_period(scope.timezone, start, end),
            previous_start=previous_start,
            previous_from_utc=local_period(scope.timezone, previous_start, start).from_utc,
            filters=filters,
            attribution=attribution,
        )
        points: list[dict[str, Any]] = []
        totals: dict[bool, dict[str, Any]] = {}
        for row in await self.reads.timeseries(scope, query):
            if row["is_total"]:
                totals[row["previous"]] = {k: row[k] for k in _TOTALS}
            elif not row["previous"]:
                points.append({k: row[k] for k in (*_POINT, *_POINT_RATIOS)})
        return {
            "currency_code": scope.currency_code,
            "points": points,
            "totals": totals[False],
            "previous": totals[True],
            "previous_start": previous_start,
            "previous_end": start - timedelta(days=1),
        }
