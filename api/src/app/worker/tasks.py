"""The job system's own jobs."""

from __future__ import annotations

import os
import socket

from app.worker.actor import task
from app.worker.context import task_session
from app.worker.repository import WorkerHeartbeatRepository


@task("system.heartbeat", queue="high", max_retries=0, time_limit_s=60)
async def heartbeat(source: str = "scheduler") -> None:
    """Record that a worker process picked up a job: proof that broker, worker and database work."""
    hostname = socket.gethostname()
    async with task_session() as session:
        await WorkerHeartbeatRepository(session).touch(
            worker_id=f"{hostname}:{os.getpid()}", hostname=hostname, pid=os.getpid(), queues=source
        )
