"""SQL for the job system's own tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.worker.models import WorkerHeartbeat


class WorkerHeartbeatRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def touch(self, worker_id: str, hostname: str, pid: int, queues: str) -> None:
        stmt = insert(WorkerHeartbeat).values(worker_id=worker_id, hostname=hostname, pid=pid, queues=queues)
        stmt = stmt.on_conflict_do_update(
            index_elements=[WorkerHeartbeat.worker_id], set_={"last_seen_at": func.now()}
        )
        await self.session.execute(stmt)

    async def latest(self) -> datetime | None:
        result = await self.session.execute(select(func.max(WorkerHeartbeat.last_seen_at)))
        return result.scalar_one_or_none()

    async def all(self) -> list[WorkerHeartbeat]:
        result = await self.session.execute(
            select(WorkerHeartbeat).order_by(WorkerHeartbeat.last_seen_at.desc())
        )
        return list(result.scalars())
