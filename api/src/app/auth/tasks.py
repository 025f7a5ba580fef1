"""Jobs of the auth domain and its scheduler entry.

* `auth.purge_sessions`: delete the session rows that can never be used again (past their
  absolute expiry, idle longer than SESSION_IDLE_TIMEOUT_SEC, or revoked). Idempotent: a second
  run finds nothing more to delete.
* Scheduler tick (`auth_tick`): enqueues the purge once an hour (a Redis key with that TTL, so
  a new leader does not purge again at once).
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from app.auth.service import purge_sessions
from app.settings import get_settings
from app.worker.actor import task
from app.worker.broker import send_job
from app.worker.context import resources, task_session
from app.worker.scheduler import on_tick

log = structlog.get_logger("app.auth")

PURGE_SESSIONS_ACTOR = "auth.purge_sessions"
PURGE_KEY = "spapi-saas:auth:session-purge"
PURGE_EVERY_S = 3600


@task(PURGE_SESSIONS_ACTOR, queue="default", max_retries=3, time_limit_s=600)
async def purge_expired_sessions() -> None:
    idle_timeout_s = get_settings().security.session_idle_timeout_sec
    async with task_session() as session:
        purged = await purge_sessions(session, datetime.now(UTC), idle_timeout_s=idle_timeout_s)
    log.info("auth.sessions_purged", purged=purged)


@on_tick
async def auth_tick() -> None:
    if await resources.redis.set(PURGE_KEY, datetime.now(UTC).isoformat(), nx=True, ex=PURGE_EVERY_S):
        send_job(PURGE_SESSIONS_ACTOR, {})
