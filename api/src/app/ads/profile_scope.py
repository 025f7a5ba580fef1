"""What the Ads datasets share: an Ads profile as the sync engine's scope, and its days.

The engine's scope names the profile where a seller's rows name a marketplace
(`sync_state.marketplace_id` = Amazon's profile id) and carries the profile's time zone
(`ads_profiles.timezone`, read through the connections domain). Amazon reports Ads metrics by the
profile's local days, so the Ads datasets count windows in local days: a window's bounds are the
UTC midnights of its local dates ("day-stamps"), `[first day, day after the last)`, which the
engine's arithmetic (31-day windows, progress) handles exactly and the status page shows as dates.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.service import ads_profile
from app.settings import Settings
from app.sync.dataset import Scope
from app.sync.planner import Window

log = structlog.get_logger("app.ads")

DAY = timedelta(days=1)


async def describe_profile(session: AsyncSession, scope: Scope) -> Scope:
    """The scope with its profile's time zone (UTC when Amazon gave none we know)."""
    profile = await ads_profile(session, scope.tenant_id, scope.marketplace_id)
    timezone = (profile.timezone if profile is not None else None) or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("ads.unknown_timezone", profile_id=scope.marketplace_id, timezone=timezone)
        timezone = "UTC"
    return dataclasses.replace(scope, timezone=timezone)


def local_today(scope: Scope, now: datetime) -> date:
    return now.astimezone(ZoneInfo(scope.timezone)).date()


def day_stamp(day: date) -> datetime:
    """A local date as the engine's window bound: its UTC midnight."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def days_of(window: Window) -> tuple[date, date]:
    """The first and last local dates of a window of day-stamps."""
    return window.start.date(), (window.end - DAY).date()


def interval(settings: Settings) -> timedelta:
    """How often a profile syncs (each Ads dataset once per interval)."""
    return timedelta(minutes=settings.ads.ads_sync_interval_minutes)


def backfill_days(scope: Scope, now: datetime, settings: Settings) -> Window:
    """A new profile's history: `ADS_HISTORY_DAYS` local days up to today, less the restatement
    window that every delta asks for (the first one included): `[today - history + 1, today -
    restatement)`, empty when the restatement window covers the whole history."""
    today = local_today(scope, now)
    first = today - timedelta(days=settings.ads.ads_history_days - 1)
    end = max(first, today - timedelta(days=settings.ads.ads_restatement_days))
    return Window(day_stamp(first), day_stamp(end))


def restatement_days(scope: Scope, now: datetime, settings: Settings) -> Window:
    """What a delta asks for: the last `ADS_RESTATEMENT_DAYS` local days before today, and today
    (Amazon restates conversions for up to 28 days; older days never change and are never asked
    for again)."""
    today = local_today(scope, now)
    return Window(
        day_stamp(today - timedelta(days=settings.ads.ads_restatement_days)), day_stamp(today + DAY)
    )
