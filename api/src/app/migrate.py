"""Run Alembic migrations from code: the CLI (`spapi-saas migrate`), the dev server and the tests.

The Alembic config is built here, with `script_location` taken from the installed package, so it
works from any working directory and from an installed wheel; `api/alembic.ini` exists only for
developers who prefer the `alembic` command.

env.py runs the async engine under `asyncio.run`, which cannot nest in a running event loop; when
called from async code (an async test, a lifespan hook) the command runs in a fresh thread instead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, pool

from app.models import Base
from app.settings import get_settings, to_psycopg_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class SchemaDriftError(RuntimeError):
    """The migrated database and the models differ: a migration is missing or wrong."""

    def __init__(self, diffs: list[Any]) -> None:
        self.diffs = diffs
        super().__init__("database schema differs from the models:\n" + "\n".join(map(repr, diffs)))


def alembic_config(url: str | None = None) -> Config:
    """A Config for `url` (any postgres scheme), or for DATABASE_URL when None."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute rather than the "sqlalchemy.url" option, whose value goes through
    # ConfigParser interpolation (a '%' in a password would break it).
    config.attributes["sqlalchemy_url"] = to_psycopg_url(url) if url else get_settings().db.sqlalchemy_url
    return config


def _outside_event_loop(fn: Callable[[], None]) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        fn()
        return
    errors: list[BaseException] = []

    def target() -> None:
        try:
            fn()
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target, name="alembic")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


def upgrade(url: str | None = None, revision: str = "head") -> None:
    config = alembic_config(url)
    _outside_event_loop(lambda: command.upgrade(config, revision))


def downgrade(url: str | None, revision: str) -> None:
    config = alembic_config(url)
    _outside_event_loop(lambda: command.downgrade(config, revision))


def differences(url: str | None = None) -> list[Any]:
    """What autogenerate would change to make the database at `url` match the models."""
    sync_url = alembic_config(url).attributes["sqlalchemy_url"]
    engine = create_engine(sync_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return _compare(connection, Base)
    finally:
        engine.dispose()


def _compare(connection: Connection, base: Any) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, base.metadata))


def check(url: str | None = None) -> None:
    """Raise SchemaDriftError when the migrated database and the models differ."""
    diffs = differences(url)
    if diffs:
        raise SchemaDriftError(diffs)
