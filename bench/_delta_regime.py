"""The delta regime shared by B3 and B5: sellers in the emulator with their connections and sync rows
as if their backfills were done (each row's last delta spread over one interval, as in a steady
state), emulator activity at random sellers, and what the product made of it: how fresh each change
arrived, and the delta runs (their gaps, and any two runs of one row at once).

Freshness is measured for every change: a new order's from its creation in the emulator to its row
in Postgres (`first_seen_at`); a status change's from the change to the write that gave the row that
LastUpdateDate or a later one (`updated_at`, watched every 0.25 s). An order changed again before
any delta could see it arrives only with the later change (Amazon filters on the current
LastUpdateDate), so its creation waits longer.

Amazon hides the last 2 minutes from every query (`lastUpdatedBefore <= now - 2 min`) on the wall
clock, unscaled: a freshness in Amazon time is therefore 2 min + (measured - 2 min) x S.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from _sync_harness import CLIENT_ID, KEY

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"
LAG_S = 125.0  # the 2-minute rule plus our 5 s margin (wall clock, not scaled)


def create_sellers(client: httpx.Client, count: int, marketplaces: list[str]) -> list[tuple[str, str]]:
    """`count` small sellers (6 orders in the last month) and a refresh token for each."""
    sellers: list[tuple[str, str]] = []
    for n in range(count):
        seller = f"A{n:05d}{uuid.uuid4().hex[:7].upper()}"
        client.post(
            "/_emulator/sellers",
            json={"selling_partner_id": seller, "marketplaces": marketplaces, "orders": 6, "months": 1, "seed": n},
        ).raise_for_status()
        refresh = client.post(
            "/_emulator/self-authorize", json={"client_id": CLIENT_ID, "selling_partner_id": seller}
        ).json()["refresh_token"]
        sellers.append((seller, refresh))
    return sellers


async def seed_delta_rows(
    sessionmaker: Any, sellers: list[tuple[str, str]], marketplaces: list[str], interval_s: float, label: str
) -> None:
    """A tenant and connection per seller, and its orders rows in the delta regime: backfill done,
    the last delta somewhere in the last interval."""
    from app.connections.models import Connection
    from app.db.session import unit_of_work
    from app.sync.models import SyncState
    from app.tenants.models import Tenant
    from app.tokens.repository import SqlTokenStore

    now = datetime.now(UTC)
    rng = random.Random(3)
    store = SqlTokenStore(sessionmaker, [KEY])
    async with unit_of_work(sessionmaker) as session:
        for seller, refresh in sellers:
            tenant = Tenant(name=f"{label} {seller}", slug=f"{label.lower()}-{uuid.uuid4().hex[:12]}")
            session.add(tenant)
            await session.flush()
            connection = Connection(
                tenant_id=tenant.id, provider="amazon_sp", region="NA", account_id=seller, marketplaces=marketplaces
            )
            session.add(connection)
            await session.flush()
            await store.store_refresh_token(session, str(tenant.id), str(connection.id), refresh)
            for marketplace in marketplaces:
                last = now - timedelta(seconds=rng.uniform(0, interval_s))
                session.add(
                    SyncState(
                        tenant_id=tenant.id,
                        connection_id=connection.id,
                        marketplace_id=marketplace,
                        entity="orders",
                        backfill_from=now - timedelta(days=730),
                        backfill_to=now - timedelta(days=40),
                        backfill_done_until=now - timedelta(days=40),
                        backfill_started_at=now,
                        backfill_completed_at=now,
                        last_updated_after=now - timedelta(days=40),
                        next_run_at=last + timedelta(seconds=interval_s),
                        extra={"last_delta_at": last.isoformat()},
                    )
                )


@dataclass
class Activity:
    """Emulator activity (a new order and a status change at a random seller, every `every_s`) and
    when each change reached PostgreSQL."""

    client: httpx.Client
    sessionmaker: Any
    sellers: list[tuple[str, str]]
    created: dict[str, float] = field(default_factory=dict)
    # Status changes: (order id, the whole second before the change, when the call returned).
    changed: list[tuple[str, float, float]] = field(default_factory=list)
    reflected: dict[tuple[str, float], float] = field(default_factory=dict)

    async def run(self, seconds: float, every_s: float, settle_s: float) -> None:
        """Activity for `seconds`, then `settle_s` more for the last changes to arrive."""
        watching = asyncio.Event()
        watcher = asyncio.create_task(self._watch(watching))
        rng = random.Random(7)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            seller, _ = rng.choice(self.sellers)
            before = float(int(time.time()))
            answer = self.client.post(
                f"/_emulator/sellers/{seller}/activity", json={"new_orders": 1, "updates": 1}
            ).json()
            returned = time.time()
            for order_id in answer["created"]:
                self.created[order_id] = returned
            for order_id in answer["updated"]:
                self.changed.append((order_id, before, returned))
            await asyncio.sleep(every_s)
        await asyncio.sleep(settle_s)
        watching.set()
        await watcher

    async def _watch(self, watching: asyncio.Event) -> None:
        """When the stored row first carries each status change (its LastUpdateDate reaches the
        change's second), taken from the row's own `updated_at` (the time of that write)."""
        from sqlalchemy import select

        from app.orders.models import Order

        while not watching.is_set():
            pending = [(o, floor) for o, floor, _ in self.changed if (o, floor) not in self.reflected]
            if pending:
                async with self.sessionmaker() as session:
                    rows = (
                        await session.execute(
                            select(Order.amazon_order_id, Order.last_update_date, Order.updated_at).where(
                                Order.amazon_order_id.in_({o for o, _ in pending})
                            )
                        )
                    ).all()
                stored = {r[0]: (r[1].timestamp(), r[2].timestamp()) for r in rows}
                for order_id, floor in pending:
                    if order_id in stored and stored[order_id][0] >= floor:
                        self.reflected[(order_id, floor)] = stored[order_id][1]
            await asyncio.sleep(0.25)

    async def freshness(self) -> Freshness:
        from sqlalchemy import select

        from app.orders.models import Order

        async with self.sessionmaker() as session:
            seen = dict(
                (
                    await session.execute(
                        select(Order.amazon_order_id, Order.first_seen_at).where(
                            Order.amazon_order_id.in_(list(self.created))
                        )
                    )
                ).all()
            )
        new_real = sorted(seen[o].timestamp() - t for o, t in self.created.items() if o in seen)
        status_real = sorted(self.reflected[(o, f)] - t for o, f, t in self.changed if (o, f) in self.reflected)
        missing = len(self.created) + len(self.changed) - len(new_real) - len(status_real)
        return Freshness(new_real, status_real, missing)


@dataclass
class Freshness:
    """Real seconds from each change in the emulator to its row (new orders, status changes)."""

    new_real: list[float]
    status_real: list[float]
    missing: int

    @property
    def all_real(self) -> list[float]:
        return sorted(self.new_real + self.status_real)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("inf")


def in_amazon_time(real_s: float, scale: float) -> float:
    return LAG_S + max(0.0, real_s - LAG_S) * scale


@dataclass
class DeltaRuns:
    """The delta jobs started since the measurement began, per sync row."""

    runs: list[tuple[Any, Any, datetime, datetime | None]]

    def by_row(self) -> dict[tuple[Any, Any], list[tuple[datetime, datetime | None]]]:
        rows: dict[tuple[Any, Any], list[tuple[datetime, datetime | None]]] = {}
        for connection_id, marketplace, started_at, finished_at in self.runs:
            rows.setdefault((connection_id, marketplace), []).append((started_at, finished_at))
        return rows

    def gaps(self) -> list[float]:
        """Seconds between the ends of a row's consecutive runs."""
        return [
            ((b[1] or b[0]) - (a[1] or a[0])).total_seconds()
            for runs in self.by_row().values()
            for a, b in itertools.pairwise(runs)
        ]

    def overlaps(self) -> int:
        """Runs of a row that started before its previous run had finished (two at once)."""
        return sum(
            1
            for runs in self.by_row().values()
            for a, b in itertools.pairwise(runs)
            if a[1] is None or b[0] < a[1]
        )

    def durations(self) -> list[float]:
        return [(f - s).total_seconds() for _, _, s, f in self.runs if f is not None]


async def delta_runs(sessionmaker: Any, since: datetime) -> DeltaRuns:
    from sqlalchemy import select

    from app.sync.models import Job

    async with sessionmaker() as session:
        rows = (
            await session.execute(
                select(Job.connection_id, Job.marketplace_id, Job.started_at, Job.finished_at)
                .where(Job.kind == "delta", Job.started_at >= since)
                .order_by(Job.started_at)
            )
        ).all()
    return DeltaRuns([tuple(r) for r in rows])  # type: ignore[misc]


async def rows_in_error(sessionmaker: Any) -> int:
    from sqlalchemy import func, select

    from app.sync.models import SyncState

    async with sessionmaker() as session:
        return int(
            (
                await session.execute(select(func.count()).select_from(SyncState).where(SyncState.status == "error"))
            ).scalar_one()
        )
