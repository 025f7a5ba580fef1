"""Coalescing ORDER_CHANGE refreshes (`app.orders.coalesce`) on the real Redis and PostgreSQL: what
is counted as waiting, when a change is coalesced, per connection only; a waiting refresh joining a
coalescing set; a refresh a delta has covered ending without calling Amazon; the tick's sweep. The
whole path with the product's processes and the emulator: tests/notifications/test_coalescing.py."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker, unit_of_work
from app.orders import tasks
from app.orders.coalesce import INDEX_KEY, RefreshBacklog, key_of
from app.sync.models import SyncState
from app.sync.repository import SyncRepository
from app.worker.context import resources
from tests.factories.connections import make_seller

pytestmark = pytest.mark.usefixtures("clean_state")

US = "ATVPDKIKX0DER"


def ids() -> tuple[uuid.UUID, uuid.UUID]:
    return uuid.uuid4(), uuid.uuid4()


def new_id() -> str:
    return uuid.uuid4().hex


async def test_changes_past_the_threshold_are_coalesced_per_connection() -> None:
    backlog = RefreshBacklog(resources.redis)
    mine, theirs = key_of(*ids(), US), key_of(*ids(), US)
    now = datetime.now(UTC)
    # Two refreshes of one order wait twice (each its own getOrder call).
    refreshes = [new_id() for _ in range(3)]
    orders = ["111-0000000-0000000", "111-0000000-0000001", "111-0000000-0000001"]
    first = [
        await backlog.admit(mine, o, r, now, threshold=3) for o, r in zip(orders, refreshes, strict=True)
    ]
    assert [(a.coalesced, a.waiting) for a in first] == [(False, 1), (False, 2), (False, 3)]
    fourth = await backlog.admit(mine, "111-0000000-0000004", new_id(), now, threshold=3)
    assert (fourth.coalesced, fourth.waiting, fourth.coalesced_changes, fourth.first) == (True, 3, 1, True)
    fifth = await backlog.admit(mine, "111-0000000-0000005", new_id(), now, threshold=3)
    assert (fifth.coalesced, fifth.coalesced_changes, fifth.first) == (True, 2, False)
    # Another tenant's connection of the same seller is counted on its own.
    other = await backlog.admit(theirs, "111-0000000-0000004", new_id(), now, threshold=3)
    assert (other.coalesced, other.waiting) == (False, 1)
    # A refresh still waiting joins the coalesced changes instead of calling getOrder; the other
    # connection's refresh does not.
    assert await backlog.defer(mine, "111-0000000-0000000", refreshes[0], now)
    assert not await backlog.defer(theirs, "111-0000000-0000004", new_id(), now)
    assert mine.member in {m.decode() for m in await resources.redis.smembers(INDEX_KEY)}

    # The sweep drops what a delta covered and says what is left, then forgets the set when empty.
    later = now + timedelta(seconds=30)
    await backlog.admit(mine, "111-0000000-0000006", new_id(), later, threshold=3)
    swept = await backlog.sweep(mine, now)
    assert (swept.served, swept.remaining) == (3, 1)
    assert swept.oldest is not None and abs((swept.oldest - later).total_seconds()) < 0.01
    swept = await backlog.sweep(mine, later)
    assert (swept.served, swept.remaining, swept.oldest) == (1, 0, None)
    assert mine.member not in {m.decode() for m in await resources.redis.smembers(INDEX_KEY)}
    # Once the set is gone, changes are refreshed one by one again (the waiting ones ended).
    for refresh in refreshes[1:]:
        await backlog.done(mine.tenant_id, mine.connection_id, refresh)
    assert not (await backlog.admit(mine, "111-0000000-0000007", new_id(), later, threshold=3)).coalesced


async def delta_regime_row(engine: AsyncEngine, watermark: datetime) -> tuple[uuid.UUID, uuid.UUID]:
    """A connection whose orders row's deltas have read every change up to `watermark`, the next
    one a day away."""
    sessionmaker = create_sessionmaker(engine)
    async with unit_of_work(sessionmaker) as session:
        seller = await make_seller(session)
        now = datetime.now(UTC)
        await SyncRepository(session).ensure_rows(seller.tenant_id, seller.connection_id, [US], "orders", now)
        await session.execute(
            update(SyncState)
            .where(SyncState.connection_id == seller.connection_id)
            .values(last_updated_after=watermark, next_run_at=now + timedelta(days=1), extra={})
        )
    return seller.tenant_id, seller.connection_id


async def test_a_refresh_a_delta_covered_calls_no_one(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    tenant_id, connection_id = await delta_regime_row(engine, now - timedelta(minutes=3))

    async def never(*args: Any) -> Any:
        raise AssertionError("no getOrder for a change a delta has read")

    monkeypatch.setattr(tasks, "spapi_client", never)
    backlog = RefreshBacklog(resources.redis)
    key = key_of(tenant_id, connection_id, US)
    changed = now - timedelta(minutes=4)
    refresh = new_id()
    assert not (await backlog.admit(key, "111-0000000-0000001", refresh, changed, threshold=5)).coalesced
    await tasks.refresh_order(
        str(tenant_id),
        str(connection_id),
        "111-0000000-0000001",
        US,
        changed_at=changed.isoformat(),
        refresh_id=refresh,
    )
    # It no longer counts as waiting.
    assert (await backlog.admit(key, "111-0000000-0000002", new_id(), now, threshold=5)).waiting == 1


async def test_the_sweep_asks_for_the_delta_again_while_changes_remain(engine: AsyncEngine) -> None:
    now = datetime.now(UTC)
    tenant_id, connection_id = await delta_regime_row(engine, now - timedelta(minutes=10))
    backlog = RefreshBacklog(resources.redis)
    key = key_of(tenant_id, connection_id, US)
    covered, pending = now - timedelta(minutes=11), now - timedelta(minutes=5)
    await backlog.admit(key, "111-0000000-0000001", new_id(), covered, threshold=1)  # waiting
    await backlog.admit(key, "111-0000000-0000002", new_id(), covered, threshold=1)  # coalesced
    await backlog.admit(key, "111-0000000-0000003", new_id(), pending, threshold=1)  # coalesced
    await tasks.sweep_coalesced_changes()
    async with create_sessionmaker(engine)() as session:
        row = (await session.scalars(select(SyncState).where(SyncState.connection_id == connection_id))).one()
    # Its change is older than Amazon's 2-minute rule: the delta is due now, forced.
    assert row.next_run_at <= datetime.now(UTC) and row.extra.get("force_delta") is True
    swept = await backlog.sweep(key, None)
    assert (swept.remaining, swept.oldest is not None) == (1, True)
    assert swept.oldest is not None and abs((swept.oldest - pending).total_seconds()) < 0.01
    await backlog.forget(key)
