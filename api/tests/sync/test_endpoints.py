"""`/api/sync/*`: tenant-scoped status, watermarks, SSE progress and the admins' "run now"."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.sync.models import Job, SyncState
from tests.auth.helpers import as_user, sign_up
from tests.factories.ads import make_profile
from tests.factories.connections import make_connection

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"


async def _setup(client: httpx.AsyncClient, session: AsyncSession) -> tuple[str, uuid.UUID]:
    await sign_up(client)
    tenant = (await client.post("/api/tenants", json={"name": f"T {uuid.uuid4().hex[:6]}"})).json()
    tenant_id = uuid.UUID(tenant["id"])
    connection = await make_connection(session, tenant_id, account_id="A1SYNC", marketplaces=[US])
    now = datetime.now(UTC)
    session.add(
        SyncState(
            tenant_id=tenant_id,
            connection_id=connection.id,
            marketplace_id=US,
            entity="orders",
            backfill_from=now - timedelta(days=730),
            backfill_to=now - timedelta(minutes=3),
            backfill_done_until=now - timedelta(days=365),
            backfill_started_at=now - timedelta(minutes=10),
            last_updated_after=now - timedelta(minutes=3),
            next_run_at=now,
            extra={},
        )
    )
    session.add(
        Job(
            tenant_id=tenant_id,
            connection_id=connection.id,
            type="sync",
            kind="delta",
            marketplace_id=US,
            status="done",
            pages=2,
            orders_seen=150,
            orders_inserted=3,
            orders_updated=7,
            throttled_429=1,
            request_ids=["rid-1", "rid-2"],
            started_at=now - timedelta(seconds=5),
            finished_at=now,
        )
    )
    await session.flush()
    return str(tenant_id), connection.id


async def test_status_shows_backfill_progress_eta_and_the_last_delta(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    tenant_id, connection_id = await _setup(client, session)
    response = await client.get(
        "/api/sync/status", params={"tenant_id": tenant_id, "connection_id": str(connection_id)}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    [row] = body["marketplaces"]
    assert row["phase"] == "backfill"
    assert 0.49 < row["backfill"]["progress"] < 0.51
    assert row["backfill"]["eta"] is not None
    assert row["delta"]["last_job"]["orders_updated"] == 7
    assert row["delta"]["last_job"]["request_ids"] == ["rid-1", "rid-2"]
    assert body["recent_jobs"][0]["throttled_429"] == 1

    marks = await client.get("/api/sync/watermarks", params={"tenant_id": tenant_id})
    assert marks.status_code == 200
    assert marks.json()[0]["marketplace_id"] == US and marks.json()[0]["last_updated_after"]


async def test_status_rows_keep_one_order_and_name_their_marketplace_or_profile(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """Sellers' rows first, then each Ads profile's rows together (campaigns, then its metrics),
    whatever order the rows were made in: the sync card does not reshuffle between polls."""
    await sign_up(client)
    tenant = (await client.post("/api/tenants", json={"name": f"T {uuid.uuid4().hex[:6]}"})).json()
    tenant_id = uuid.UUID(tenant["id"])
    now = datetime.now(UTC)
    # The Ads account connected before the seller, and its rows made before the seller's.
    ads = await make_connection(
        session, tenant_id, provider="amazon_ads", connected_at=now - timedelta(hours=1)
    )
    seller = await make_connection(session, tenant_id, marketplaces=[US, CA], connected_at=now)
    for profile, country in (("3001", "US"), ("3002", "MX")):
        await make_profile(
            session, tenant_id, connection=ads, profile_id=profile, country_code=country, account_name="Brand"
        )
    made = [
        (ads, "3001", "ads_purchased_product"),
        (ads, "3002", "ads_advertised_product"),
        (seller, US, "orders"),
        (ads, "3001", "ads_structure"),
        (ads, "3002", "ads_purchased_product"),
        (ads, "3001", "ads_advertised_product"),
        (seller, CA, "orders"),
        (ads, "3002", "ads_structure"),
    ]
    for connection, scope, entity in made:
        session.add(
            SyncState(
                tenant_id=tenant_id,
                connection_id=connection.id,
                marketplace_id=scope,
                entity=entity,
                extra={},
            )
        )
    await session.flush()

    for _ in range(2):
        response = await client.get("/api/sync/status", params={"tenant_id": str(tenant_id)})
        assert response.status_code == 200, response.text
        listed = [(row["scope_label"], row["entity"]) for row in response.json()["marketplaces"]]
        assert listed == [
            ("Canada (CA)", "orders"),
            ("United States (US)", "orders"),
            ("Brand (MX)", "ads_structure"),
            ("Brand (MX)", "ads_advertised_product"),
            ("Brand (MX)", "ads_purchased_product"),
            ("Brand (US)", "ads_structure"),
            ("Brand (US)", "ads_advertised_product"),
            ("Brand (US)", "ads_purchased_product"),
        ]


async def test_other_tenants_and_connections_are_not_visible(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    tenant_id, _ = await _setup(client, session)
    unknown = await client.get(
        "/api/sync/status", params={"tenant_id": tenant_id, "connection_id": str(uuid.uuid4())}
    )
    assert unknown.status_code == 404
    async with as_user(client) as stranger:
        await sign_up(stranger)
        assert (await stranger.get("/api/sync/status", params={"tenant_id": tenant_id})).status_code == 404


async def test_run_now_needs_an_admin_and_queues_a_delta(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    tenant_id, connection_id = await _setup(client, session)
    response = await client.post(
        "/api/sync/run", params={"tenant_id": tenant_id, "connection_id": str(connection_id)}
    )
    assert response.status_code == 202, response.text
    assert response.json()["rows"] == 1
    state = (await session.execute(select(SyncState))).scalars().one()
    await session.refresh(state)
    assert state.claimed_by is not None  # dispatched at once


async def test_events_stream_status(
    client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.sync.endpoints as endpoints

    monkeypatch.setattr(endpoints, "STREAM_SECONDS", 0.01)
    tenant_id, _ = await _setup(client, session)
    response = await client.get("/api/sync/events", params={"tenant_id": tenant_id})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert "event: status\ndata: {" in response.text


async def test_sse_streams_per_user_are_capped(
    app: Any, client: httpx.AsyncClient, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.sync.endpoints as endpoints
    from app.kit.streams import StreamSlots

    monkeypatch.setattr(endpoints, "STREAM_SECONDS", 0.01)
    limit = 8  # SSE_MAX_STREAMS_PER_USER's default
    tenant_id, _ = await _setup(client, session)
    user_id = (await client.get("/api/auth/me")).json()["id"]
    redis = app.state.redis
    key = StreamSlots.key(user_id)
    await redis.set(key, limit)  # as many streams open already (on this worker or another)
    try:
        refused = await client.get("/api/sync/events", params={"tenant_id": tenant_id})
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"]["code"] == "too_many_streams"
        assert int(await redis.get(key)) == limit  # the refused one took no slot

        await redis.decr(key)  # one of them ended
        served = await client.get("/api/sync/events", params={"tenant_id": tenant_id})
        assert served.status_code == 200
        assert int(await redis.get(key)) == limit - 1  # and the served one gave its slot back
    finally:
        await redis.delete(key)
