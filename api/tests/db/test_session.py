"""The application's engine: sessions in UTC whatever the server's TimeZone, an operator's own
connection options kept."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from app.db.session import create_engine
from app.settings import DatabaseSettings, get_settings


async def test_sessions_run_in_utc_and_timestamps_come_back_in_utc() -> None:
    settings = get_settings()
    engine = create_engine(settings, pool_size=1)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SHOW TimeZone"))).scalar_one() == "UTC"
            moment = (await conn.execute(text("SELECT timestamptz '2025-03-01 12:00:00+02'"))).scalar_one()
    finally:
        await engine.dispose()
    # timezone.utc itself (psycopg's fast path), not a zoneinfo zone that happens to be UTC.
    assert moment.tzinfo is UTC
    assert moment == datetime(2025, 3, 1, 10, tzinfo=UTC)


async def test_options_in_the_operators_url_are_kept() -> None:
    settings = get_settings()
    url = settings.db.sqlalchemy_url
    own = f"{url}{'&' if '?' in url else '?'}options=-c%20statement_timeout%3D4321"
    engine = create_engine(
        settings.model_copy(update={"db": DatabaseSettings(database_url=own)}), pool_size=1
    )
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SHOW statement_timeout"))).scalar_one() == "4321ms"
    finally:
        await engine.dispose()
