"""Jobs are buffered on the SQLAlchemy session and sent only after it commits.

A job sent before the commit could run before its rows are visible, or run for rows that a
rollback then erased. The first job buffered on a session registers `flush_buffered_jobs` as an
after-commit hook (`app.db.session.after_commit`), and `discard_buffered_jobs` for a rollback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.session import after_commit
from app.worker import broker

log = structlog.get_logger(__name__)

_BUFFER_KEY = "buffered_jobs"


@dataclass(frozen=True)
class BufferedJob:
    actor_name: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    delay_ms: int | None = None


def enqueue_job(
    session: AsyncSession, actor_name: str, *, delay_ms: int | None = None, **kwargs: Any
) -> None:
    """Send `actor_name(**kwargs)` once the session's transaction commits."""
    buffer: list[BufferedJob] | None = session.info.get(_BUFFER_KEY)
    if buffer is None:
        buffer = session.info[_BUFFER_KEY] = []
        after_commit(
            session, lambda: flush_buffered_jobs(session), dropped=lambda: discard_buffered_jobs(session)
        )
    buffer.append(BufferedJob(actor_name, kwargs, delay_ms))


def buffered_jobs(session: AsyncSession) -> list[BufferedJob]:
    return list(session.info.get(_BUFFER_KEY, []))


def discard_buffered_jobs(session: AsyncSession) -> None:
    session.info.pop(_BUFFER_KEY, None)


def flush_buffered_jobs(session: AsyncSession) -> None:
    jobs: list[BufferedJob] = session.info.pop(_BUFFER_KEY, [])
    for job in jobs:
        broker.send_job(job.actor_name, job.kwargs, delay_ms=job.delay_ms)
        log.info("job_enqueued", actor=job.actor_name, delay_ms=job.delay_ms)
