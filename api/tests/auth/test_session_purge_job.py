"""The scheduler's tick enqueues `auth.purge_sessions`, and a real worker deletes the sessions that
can never be used again (committed rows, real Redis, a real worker process)."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.models import User, UserSession
from app.db.session import create_sessionmaker, unit_of_work
from app.worker.broker import setup_broker
from app.worker.context import resources
from tests.worker.test_jobs import worker_process

__all__ = ["worker_process"]


def _id(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


async def _session_ids(engine: AsyncEngine) -> set[str]:
    async with create_sessionmaker(engine)() as session:
        return set((await session.scalars(select(UserSession.id))).all())


@pytest.mark.usefixtures("clean_state")
async def test_the_tick_enqueues_the_purge_and_a_worker_runs_it(
    engine: AsyncEngine, worker_process: subprocess.Popen[bytes]
) -> None:
    from app.auth.tasks import PURGE_KEY, auth_tick

    now = datetime.now(UTC)
    async with unit_of_work(create_sessionmaker(engine)) as session:
        user = User(email="purge@example.com", name=None)
        session.add(user)
        await session.flush()
        rows = {
            "live": {},
            "expired": {"expires_at": now - timedelta(minutes=1)},
            "idle": {"last_seen_at": now - timedelta(days=2)},
            "revoked": {"revoked_at": now - timedelta(minutes=1)},
        }
        for name, values in rows.items():
            session.add(
                UserSession(
                    id=_id(name),
                    user_id=user.id,
                    expires_at=values.get("expires_at", now + timedelta(days=1)),
                    last_seen_at=values.get("last_seen_at", now),
                    revoked_at=values.get("revoked_at"),
                )
            )
    assert await _session_ids(engine) == {_id(name) for name in rows}

    setup_broker()
    await resources.redis.delete(PURGE_KEY)
    await auth_tick()
    for _ in range(150):
        if await _session_ids(engine) == {_id("live")}:
            break
        await asyncio.sleep(0.2)
    assert await _session_ids(engine) == {_id("live")}, "see test-results/worker.log"
    # Once an hour: the next tick does not enqueue it again.
    assert await resources.redis.ttl(PURGE_KEY) > 3500
    await resources.close()
