"""All SQL of the sync engine: due rows, atomic claims, run state, the jobs log, status reads.

Nothing here knows a dataset: rows of every registered entity are scheduled alike."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Integer, Update, and_, delete, func, literal, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import Connection
from app.sync.dataset import Counts
from app.sync.models import Job, SyncState

DISPATCH_LOCK_ID = 0x53594E43  # "SYNC"


class ClaimLost(Exception):
    """The row is no longer claimed by the run writing it (taken over after its claim went stale,
    paused, or deleted). Raised inside the write's transaction, so nothing of it is committed: a run
    that lost its row writes no job row, closes no window and moves no watermark."""


class DueRow(NamedTuple):
    id: uuid.UUID
    entity: str
    connection_id: uuid.UUID
    next_run_at: datetime
    last_updated_after: datetime | None
    extra: dict[str, Any] | None


def _update(model: type[SyncState] | type[Job]) -> Update:
    """An UPDATE that leaves the session's loaded objects alone: the rows a run reads are loaded
    afresh (`get` populates existing), and matching the identity map after every write cost
    the worker more CPU than the statement itself."""
    return update(model).execution_options(synchronize_session=False)


class SyncRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- scheduling -----------------------------------------------------------------------------

    async def lock_dispatch(self) -> None:
        """Serialise dispatchers (scheduler tick, workers finishing a run) for this transaction."""
        await self.session.execute(select(func.pg_advisory_xact_lock(DISPATCH_LOCK_ID)))

    async def due_rows(
        self, entities: Sequence[str], now: datetime, stale_before: datetime, limit: int = 1000
    ) -> list[DueRow]:
        """Rows of these entities due now, not claimed (or whose claim is stale), of active
        connections: only what the planner needs, as plain rows (this runs after every sync run;
        mapped entities cost more)."""
        statement = (
            select(
                SyncState.id,
                SyncState.entity,
                SyncState.connection_id,
                SyncState.next_run_at,
                SyncState.last_updated_after,
                SyncState.extra,
            )
            .join(Connection, Connection.id == SyncState.connection_id)
            .where(
                SyncState.entity.in_(list(entities)),
                SyncState.status != "paused",
                Connection.status == "active",
                SyncState.next_run_at <= now,
                or_(SyncState.claimed_at.is_(None), SyncState.claimed_at < stale_before),
            )
            .order_by(SyncState.next_run_at)
            .limit(limit)
        )
        return [DueRow(*row) for row in (await self.session.execute(statement)).all()]

    async def busy_connections(self, stale_before: datetime) -> list[uuid.UUID]:
        """Connection id of every live claim (one entry per claimed row, whatever its entity)."""
        statement = select(SyncState.connection_id).where(
            SyncState.claimed_at.is_not(None),
            SyncState.claimed_at >= stale_before,
        )
        return list((await self.session.execute(statement)).scalars())

    async def claim(
        self, state_ids: Sequence[uuid.UUID], owner: str, now: datetime, stale_before: datetime
    ) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """Claim rows atomically (a conditional UPDATE: two schedulers never both win a row).
        Returns (state_id, tenant_id) of the rows won."""
        if not state_ids:
            return []
        statement = (
            _update(SyncState)
            .where(
                SyncState.id.in_(list(state_ids)),
                or_(SyncState.claimed_at.is_(None), SyncState.claimed_at < stale_before),
            )
            .values(claimed_at=now, claimed_by=owner, status="running")
            .returning(SyncState.id, SyncState.tenant_id)
        )
        return [(row[0], row[1]) for row in (await self.session.execute(statement)).all()]

    async def touch_claim(self, state_id: uuid.UUID, owner: str, now: datetime) -> bool:
        statement = (
            _update(SyncState)
            .where(SyncState.id == state_id, SyncState.claimed_by == owner)
            .values(claimed_at=now)
            .returning(SyncState.id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def release(
        self,
        state_id: uuid.UUID,
        owner: str,
        *,
        next_run_at: datetime,
        status: str = "idle",
        error: str | None = None,
        success_at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {
            "claimed_at": None,
            "claimed_by": None,
            "next_run_at": next_run_at,
            "status": status,
            "last_error": error,
        }
        if success_at is not None:
            values["last_success_at"] = success_at
        await self.session.execute(
            _update(SyncState)
            .where(SyncState.id == state_id, SyncState.claimed_by == owner, SyncState.status != "paused")
            .values(**values)
        )

    async def start_run(self, state_id: uuid.UUID, owner: str, now: datetime) -> SyncState | None:
        """Mark the run started (claim refreshed) and return the row, or None when the claim is no
        longer `owner`'s: one statement, since every sync run begins here."""
        statement = (
            _update(SyncState)
            .where(SyncState.id == state_id, SyncState.claimed_by == owner)
            .values(claimed_at=now, last_run_at=now)
            .returning(SyncState)
            .execution_options(populate_existing=True)
        )
        return (await self.session.execute(statement)).scalars().first()

    async def save_progress(self, state_id: uuid.UUID, owner: str, **values: Any) -> None:
        """Write run state (watermarks, backfill progress, `extra`) if the claim is still ours; else
        raise ClaimLost (the caller's transaction, holding the window's job row or its close, is
        rolled back with it)."""
        result = await self.session.execute(
            _update(SyncState)
            .where(SyncState.id == state_id, SyncState.claimed_by == owner)
            .values(**values)
            .returning(SyncState.id)
        )
        if result.first() is None:
            raise ClaimLost(f"sync_state {state_id} is no longer claimed by {owner}")

    async def rows_to_start(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID, entities: Collection[str]
    ) -> list[tuple[uuid.UUID, str, str]]:
        """(id, entity, marketplace) of the connection's rows of these entities with no backfill range yet."""
        statement = select(SyncState.id, SyncState.entity, SyncState.marketplace_id).where(
            SyncState.tenant_id == tenant_id,
            SyncState.connection_id == connection_id,
            SyncState.entity.in_(list(entities)),
            SyncState.backfill_from.is_(None),
        )
        return [(row[0], row[1], row[2]) for row in (await self.session.execute(statement)).all()]

    async def init_backfill(self, state_id: uuid.UUID, start: datetime, end: datetime, now: datetime) -> int:
        """Give a new row its backfill range and delta watermark (once)."""
        result = await self.session.execute(
            _update(SyncState)
            .where(SyncState.id == state_id, SyncState.backfill_from.is_(None))
            .values(
                backfill_from=start,
                backfill_to=end,
                backfill_started_at=now,
                last_updated_after=end,
                next_run_at=now,
            )
            .returning(SyncState.id)
        )
        return len(result.all())

    async def request_delta(
        self,
        tenant_id: uuid.UUID,
        now: datetime,
        *,
        connection_id: uuid.UUID | None = None,
        entities: Collection[str] | None = None,
        marketplace_id: str | None = None,
        due_at: datetime | None = None,
    ) -> int:
        """Make the tenant's rows (of a connection, of some entities, of one marketplace or Ads
        profile, as given) due now with their delta forced; with `due_at`, due by then (a row due
        sooner keeps its time)."""
        conditions = [SyncState.tenant_id == tenant_id, SyncState.status != "paused"]
        if connection_id is not None:
            conditions.append(SyncState.connection_id == connection_id)
        if entities is not None:
            conditions.append(SyncState.entity.in_(list(entities)))
        if marketplace_id is not None:
            conditions.append(SyncState.marketplace_id == marketplace_id)
        result = await self.session.execute(
            _update(SyncState)
            .where(*conditions)
            .values(
                next_run_at=now if due_at is None else func.least(SyncState.next_run_at, due_at),
                extra=SyncState.extra.op("||")(literal({"force_delta": True}, JSONB)),
            )
            .returning(SyncState.id)
        )
        return len(result.all())

    async def delta_watermarks(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID, entity: str
    ) -> dict[str, datetime | None]:
        """`last_updated_after` of the connection's rows of `entity`, by marketplace: a delta has
        read every change up to it."""
        statement = select(SyncState.marketplace_id, SyncState.last_updated_after).where(
            SyncState.tenant_id == tenant_id,
            SyncState.connection_id == connection_id,
            SyncState.entity == entity,
        )
        return {row[0]: row[1] for row in (await self.session.execute(statement)).all()}

    # -- jobs -----------------------------------------------------------------------------------

    async def create_job(
        self,
        *,
        tenant_id: uuid.UUID,
        connection_id: uuid.UUID,
        entity: str,
        kind: str,
        marketplace_id: str,
        window_start: datetime | None,
        window_end: datetime | None,
        payload: dict[str, Any],
        now: datetime,
    ) -> uuid.UUID:
        job = Job(
            tenant_id=tenant_id,
            connection_id=connection_id,
            type="sync",
            kind=kind,
            entity=entity,
            marketplace_id=marketplace_id,
            status="running",
            payload=payload,
            window_start=window_start,
            window_end=window_end,
            started_at=now,
            attempts=1,
        )
        self.session.add(job)
        await self.session.flush()
        return job.id

    async def add_to_job(
        self,
        job_id: uuid.UUID,
        *,
        pages: int = 0,
        counts: Counts | None = None,
        throttled_429: int = 0,
        retries: int = 0,
        request_ids: Sequence[str] = (),
        amazon_ids: dict[str, Any] | None = None,
    ) -> None:
        """Add to a job's counters. The columns are named after the first dataset (orders): `orders_*`
        hold the dataset's rows, `items` its child rows; `result.unchanged` the rows left as they were."""
        counts = counts or Counts()
        values: dict[str, Any] = {
            "pages": Job.pages + pages,
            "orders_seen": Job.orders_seen + counts.seen,
            "orders_inserted": Job.orders_inserted + counts.inserted,
            "orders_updated": Job.orders_updated + counts.updated,
            "items": Job.items + counts.children,
            "throttled_429": Job.throttled_429 + throttled_429,
            "retries": Job.retries + retries,
        }
        if counts.unchanged:
            values["result"] = func.jsonb_set(
                func.coalesce(Job.result, literal({}, JSONB)),
                literal_column("'{unchanged}'"),
                func.to_jsonb(
                    func.coalesce(Job.result["unchanged"].astext.cast(Integer), 0) + counts.unchanged
                ),
            )
        if request_ids:
            # Keep the last 50 request ids of a run: enough for a support ticket.
            values["request_ids"] = func.jsonb_path_query_array(
                Job.request_ids.op("||")(literal(list(request_ids), JSONB)),
                literal_column("'$[last-49 to last]'::jsonpath"),
            )
        if amazon_ids:
            values["amazon_ids"] = Job.amazon_ids.op("||")(
                literal({k: str(v) for k, v in amazon_ids.items()}, JSONB)
            )
        await self.session.execute(_update(Job).where(Job.id == job_id).values(**values))

    async def finish_job(
        self,
        job_id: uuid.UUID,
        *,
        now: datetime,
        error: str | None = None,
        result: dict[str, Any] | None = None,
        replanned: bool = False,
    ) -> None:
        """Close a job: `error` failed it, `replanned` says its window went to another path before
        it finished. `result` is merged into what the run recorded there: `unchanged` (rows the run
        left as they were, 0 when none) is always in a finished job's result."""
        recorded = literal({"unchanged": 0}, JSONB).op("||")(func.coalesce(Job.result, literal({}, JSONB)))
        values: dict[str, Any] = {
            "status": "error" if error else "replanned" if replanned else "done",
            "error": error,
            "finished_at": now,
            "result": recorded.op("||")(literal(result or {}, JSONB)),
        }
        await self.session.execute(_update(Job).where(Job.id == job_id).values(**values))

    # -- reads for the status API -------------------------------------------------------------

    async def states(self, tenant_id: uuid.UUID, connection_id: uuid.UUID | None = None) -> list[SyncState]:
        statement = select(SyncState).where(SyncState.tenant_id == tenant_id)
        if connection_id is not None:
            statement = statement.where(SyncState.connection_id == connection_id)
        statement = statement.order_by(SyncState.connection_id, SyncState.marketplace_id)
        return list((await self.session.execute(statement)).scalars())

    async def recent_jobs(
        self, tenant_id: uuid.UUID, connection_id: uuid.UUID | None = None, limit: int = 20
    ) -> list[Job]:
        statement = select(Job).where(Job.tenant_id == tenant_id, Job.type == "sync")
        if connection_id is not None:
            statement = statement.where(Job.connection_id == connection_id)
        statement = statement.order_by(Job.created_at.desc()).limit(limit)
        return list((await self.session.execute(statement)).scalars())

    async def last_jobs_by_state(self, tenant_id: uuid.UUID, connection_id: uuid.UUID | None) -> list[Job]:
        """The latest finished job of each (connection, marketplace, entity, kind), among the recent ones."""
        conditions = [Job.tenant_id == tenant_id, Job.type == "sync", Job.status != "running"]
        if connection_id is not None:
            conditions.append(Job.connection_id == connection_id)
        statement = select(Job).where(and_(*conditions)).order_by(Job.created_at.desc()).limit(500)
        latest: dict[tuple[object, object, object, object], Job] = {}
        for job in (await self.session.execute(statement)).scalars():
            latest.setdefault((job.connection_id, job.marketplace_id, job.entity, job.kind), job)
        return list(latest.values())

    async def connection_exists(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> bool:
        statement = select(Connection.id).where(
            Connection.tenant_id == tenant_id, Connection.id == connection_id
        )
        return (await self.session.execute(statement)).first() is not None

    # -- a connection's life (`app.sync.lifecycle`) -------------------------------------------

    async def ensure_rows(
        self,
        tenant_id: uuid.UUID,
        connection_id: uuid.UUID,
        marketplace_ids: Sequence[str],
        entity: str,
        now: datetime,
    ) -> None:
        """One row per marketplace, due now; rows paused by a disconnect or left in error (a refused
        refresh token among them) resume at once (watermarks and cursors kept): the seller has just
        authorized us again, and waiting out an error's retry time (a day after a refusal) would
        leave the panel saying "re-authorize" to someone who just did."""
        if not marketplace_ids:
            return
        statement = insert(SyncState).values(
            [
                {
                    "tenant_id": tenant_id,
                    "connection_id": connection_id,
                    "marketplace_id": marketplace_id,
                    "entity": entity,
                    "next_run_at": now,
                    "status": "idle",
                }
                for marketplace_id in marketplace_ids
            ]
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[
                    SyncState.tenant_id,
                    SyncState.connection_id,
                    SyncState.marketplace_id,
                    SyncState.entity,
                ],
                set_={"status": "idle", "next_run_at": now, "last_error": None, "updated_at": now},
                where=SyncState.status.in_(("paused", "error")),
            )
        )

    async def pause_connection(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> None:
        """Stop scheduling this connection's work; the scheduler skips paused rows."""
        await self.session.execute(
            update(SyncState)
            .where(SyncState.tenant_id == tenant_id, SyncState.connection_id == connection_id)
            .values(status="paused", claimed_at=None, claimed_by=None)
        )

    async def delete_for_connection(self, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> None:
        """The connection's sync rows and its job records (retention)."""
        await self.session.execute(
            delete(SyncState).where(
                SyncState.tenant_id == tenant_id, SyncState.connection_id == connection_id
            )
        )
        await self.session.execute(
            delete(Job).where(Job.tenant_id == tenant_id, Job.connection_id == connection_id)
        )
