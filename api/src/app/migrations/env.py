"""Alembic environment: async engine with psycopg 3, metadata from every domain's models.

The URL comes from `config.attributes["sqlalchemy_url"]` when the caller passes one (`app.migrate`,
tests), else from the application's settings (DATABASE_URL), so the alembic CLI and the product use
the same database by default.
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import app.models  # noqa: F401  (registers every table on Base.metadata)
from app.db.base import Base
from app.settings import get_settings, to_psycopg_url

config = context.config
target_metadata = Base.metadata

# Only the alembic CLI (alembic.ini) configures logging here; the product has its own logging setup.
if config.config_file_name and "sqlalchemy_url" not in config.attributes:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    url = config.attributes.get("sqlalchemy_url")
    return to_psycopg_url(url) if url else get_settings().db.sqlalchemy_url


def _configure(connection: Connection | None = None, url: str | None = None) -> None:
    context.configure(
        connection=connection,
        url=url,
        target_metadata=target_metadata,
        compare_type=True,
        # Keeps each migration in one transaction, so a failed upgrade leaves nothing half-done.
        transaction_per_migration=False,
    )


def run_migrations_offline() -> None:
    """`alembic upgrade --sql`: print the SQL instead of running it."""
    _configure(url=_url())
    with context.begin_transaction():
        context.run_migrations()


def _run_sync(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_migrations_online() -> None:
    # NullPool: a migration is a one-off; no connection should outlive it.
    engine = create_async_engine(_url(), poolclass=pool.NullPool, hide_parameters=True)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
