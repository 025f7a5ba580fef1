"""`GET /api/health/tenants`: for each of the signed-in user's tenants, by name, its accounts and what
needs attention, counted as the tenant's Health page counts it; nobody sees another user's tenants."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.settings import get_settings
from tests.auth.helpers import as_user, sign_up
from tests.factories.connections import make_connection
from tests.factories.sync import sync_state
from tests.tenants.helpers import new_member

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"


async def _tenant(client: httpx.AsyncClient, name: str) -> uuid.UUID:
    response = await client.post("/api/tenants", json={"name": name})
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


async def test_each_tenant_counts_what_needs_attention(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await sign_up(client)
    suffix = uuid.uuid4().hex[:6]
    alpha = await _tenant(client, f"Alpha {suffix}")
    beta = await _tenant(client, f"Beta {suffix}")
    now = datetime.now(UTC)
    interval = timedelta(minutes=get_settings().sync.delta_sync_interval_minutes)
    seller = await make_connection(session, alpha, marketplaces=[US, CA], status="active")
    ads = await make_connection(session, alpha, provider="amazon_ads", status="needs_reauth")
    gone = await make_connection(session, alpha, status="revoked")
    # US: fresh, its history still loading. CA: failed, and stale (over twice its interval).
    session.add(sync_state(alpha, seller.id, US, "orders", last_success_at=now - timedelta(minutes=1)))
    session.add(
        sync_state(
            alpha,
            seller.id,
            CA,
            "orders",
            status="error",
            last_success_at=now - 2 * interval - timedelta(minutes=1),
            backfill_completed_at=now - timedelta(days=1),
        )
    )
    session.add(
        sync_state(alpha, ads.id, "3001", "ads_structure", last_success_at=now, backfill_completed_at=now)
    )
    # A disconnected connection's rows count for nothing, however old.
    session.add(
        sync_state(alpha, gone.id, US, "orders", status="paused", last_success_at=now - timedelta(days=30))
    )
    async with as_user(client) as stranger:
        await sign_up(stranger)
        gamma = await _tenant(stranger, f"Gamma {suffix}")
        await make_connection(session, gamma, status="needs_reauth")
        await session.flush()
        theirs = (await stranger.get("/api/health/tenants")).json()
        assert [t["tenant_id"] for t in theirs] == [str(gamma)]
    await session.flush()

    response = await client.get("/api/health/tenants")
    assert response.status_code == 200, response.text
    body = response.json()
    assert [t["tenant_id"] for t in body] == [str(alpha), str(beta)], "by name, only the user's"
    counts = {k: v for k, v in body[0].items() if k != "tenant_id"}
    assert counts == {
        "sellers": 1,
        "ads_accounts": 1,
        "needs_reauth": 1,
        "backfilling": 1,
        "failing": 1,
        "stale": 1,
    }
    assert {k: v for k, v in body[1].items() if k != "tenant_id"} == dict.fromkeys(counts, 0)

    # Any role reads it; signed out, nobody.
    viewer, _ = await new_member(client, session, str(alpha), "viewer")
    seen = (await viewer.get("/api/health/tenants")).json()
    assert [t["tenant_id"] for t in seen] == [str(alpha)] and seen[0]["needs_reauth"] == 1
    async with as_user(client) as anonymous:
        assert (await anonymous.get("/api/health/tenants")).status_code == 401
