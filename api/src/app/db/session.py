"""Engine and session factories.

Services never commit: the unit of work (a request, or a task run) commits. Work that must happen
only if the transaction commits (sending the jobs it enqueued: `app.worker.enqueue`) is registered
on the session with `after_commit`; the unit of work runs it after the commit and drops it on a
rollback, without knowing what it is.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.settings import Settings

_HOOKS_KEY = "after_commit_hooks"
Hook = Callable[[], None]


def after_commit(session: AsyncSession, run: Hook, *, dropped: Hook | None = None) -> None:
    """Run `run()` once the session's unit of work has committed; `dropped()` instead when it rolls
    back. Hooks run in the order they were added."""
    session.info.setdefault(_HOOKS_KEY, []).append((run, dropped))


def _take_hooks(session: AsyncSession) -> list[tuple[Hook, Hook | None]]:
    hooks: list[tuple[Hook, Hook | None]] = session.info.pop(_HOOKS_KEY, [])
    return hooks


def _drop_hooks(session: AsyncSession) -> bool:
    """Forget the hooks (calling their `dropped`); True when there were any."""
    hooks = _take_hooks(session)
    for _, dropped in hooks:
        if dropped is not None:
            dropped()
    return bool(hooks)


def create_engine(settings: Settings, *, pool_size: int | None = None) -> AsyncEngine:
    url = settings.db.sqlalchemy_url
    # A dead server must fail a request quickly instead of hanging it.
    connect_args: dict[str, Any] = {"connect_timeout": 5}
    if "options" not in make_url(url).query:
        # Sessions in UTC whatever the server's TimeZone: psycopg hands out timestamps in UTC through
        # a fast path, where a zone such as 'Etc/UTC' costs a zoneinfo conversion per value (~0.1 ms
        # of an orders page of 50 rows). The queries name their zone anyway (AT TIME ZONE 'UTC').
        connect_args["options"] = "-c TimeZone=UTC"
    return create_async_engine(
        url,
        pool_size=pool_size or settings.db.db_pool_size,
        # No pre-ping: it costs a round trip on every checkout (the API checks out once per request,
        # a sync run about seven times). After a server restart the first statement on a dead
        # connection fails, SQLAlchemy then invalidates the whole pool, and the caller's retry
        # (a sync run's, or the user's) gets a fresh connection.
        pool_pre_ping=False,
        connect_args=connect_args,
        # A failing statement's parameters (tokens, e-mail addresses, buyer data) must not reach
        # exception messages, and so tracebacks in the logs.
        hide_parameters=True,
    )


# Prepared statements a connection of `create_kept_plans_engine` keeps at most (the least recently
# used goes first): a plan of an Ads figures query holds ~0.3 MB of the server's memory.
KEPT_PLANS_PER_CONNECTION = 24


def create_kept_plans_engine(settings: Settings) -> AsyncEngine:
    """An engine for reads whose statements are planned once per connection, not per request.

    Its connections run every statement on its own (autocommit, set once when they open, not on
    every checkout as `create_read_sessionmaker` does), prepare only what is executed with
    `prepare=True`, and give those statements one generic plan (`plan_cache_mode`): PostgreSQL
    planned an Ads figures query in ~1 ms of its ~5, on every request, since its choice between
    a custom and a generic plan kept the custom one (bench/b10_ads_read.py). Only statements whose
    plan suits every value of their parameters may be prepared here: a profile's rows, found
    through the same index whatever the range."""
    url = settings.db.sqlalchemy_url
    # No threshold reached: only `prepare=True` prepares (None would turn that off too).
    connect_args: dict[str, Any] = {"connect_timeout": 5, "prepare_threshold": 2**31}
    if "options" not in make_url(url).query:
        connect_args["options"] = "-c TimeZone=UTC"
    engine = create_async_engine(
        url,
        pool_size=settings.db.db_pool_size,
        pool_pre_ping=False,
        connect_args=connect_args,
        hide_parameters=True,
        isolation_level="AUTOCOMMIT",
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _keep_plans(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.driver_connection.prepared_max = KEPT_PLANS_PER_CONNECTION
        cursor = dbapi_connection.cursor()
        cursor.execute("SET plan_cache_mode = force_generic_plan")
        cursor.close()

    return engine


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def create_kept_plans_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions of `create_kept_plans_engine` (autocommit already)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose statements each run on their own (autocommit), on the engine's own pool."""
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False, autoflush=False
    )


@asynccontextmanager
async def unit_of_work(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One transaction: commit on success, then run its after-commit hooks; roll back on error."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            _drop_hooks(session)
            raise
        for run, _ in _take_hooks(session):
            run()


@asynccontextmanager
async def read_only_unit(read_sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A unit of work that only reads: no BEGIN and no COMMIT, two round trips less per request.
    Under READ COMMITTED each statement sees its own snapshot inside a transaction too, so the
    reads see nothing different.

    ORM changes left pending, and jobs enqueued (after-commit hooks), would be lost without a
    commit: they fail the request instead."""
    async with read_sessionmaker() as session:
        yield session
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("a read-only unit of work has unsaved changes: its endpoint writes")
        if _drop_hooks(session):
            raise RuntimeError(
                "a read-only unit of work enqueued a job (work for after a commit): its endpoint writes"
            )


async def psycopg_connection(session: AsyncSession) -> psycopg.AsyncConnection[Any]:
    """The session's own psycopg connection, in the session's transaction if it has one: for COPY
    and for hot paths where a plain row costs a fraction of a mapped result."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    assert isinstance(driver, psycopg.AsyncConnection)
    return driver
