"""`GET /api/tenants/{tenant_id}/health`: owners and admins see each connection's freshness per
dataset (stale past twice its interval), its recent failures, its Amazon calls today per operation
(counted by the transport as calls are made), and which connections need re-authorization."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import AdsProfile
from app.settings import get_settings
from app.sync.models import Job
from app.tokens.repository import ConnectionRef, MemoryTokenStore
from app.tokens.service import TokenManager
from tests.amazon.support import self_authorize
from tests.auth.helpers import as_user, sign_up
from tests.factories.connections import make_connection
from tests.factories.sync import sync_state
from tests.tenants.helpers import new_member

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"


async def _tenant(client: httpx.AsyncClient) -> str:
    await sign_up(client)
    response = await client.post("/api/tenants", json={"name": f"Health {uuid.uuid4().hex[:6]}"})
    assert response.status_code == 201, response.text
    tenant_id: str = response.json()["id"]
    return tenant_id


async def test_freshness_failures_and_reauthorization(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    tenant_id = await _tenant(client)
    tid = uuid.UUID(tenant_id)
    now = datetime.now(UTC)
    interval = timedelta(minutes=get_settings().sync.delta_sync_interval_minutes)
    seller = await make_connection(session, tid, marketplaces=[US, CA], status="active", display_name="Shop")
    ads = await make_connection(
        session, tid, provider="amazon_ads", status="needs_reauth", last_error="invalid_grant"
    )
    gone = await make_connection(session, tid, status="revoked")
    session.add(
        AdsProfile(
            tenant_id=tid, connection_id=ads.id, profile_id="3001", country_code="US", account_name="Brand"
        )
    )
    # US synced a little under twice its interval ago (fresh), CA a little over (stale).
    session.add(
        sync_state(tid, seller.id, US, "orders", last_success_at=now - 2 * interval + timedelta(seconds=30))
    )
    session.add(
        sync_state(
            tid,
            seller.id,
            CA,
            "orders",
            last_success_at=now - 2 * interval - timedelta(seconds=30),
            status="error",
            last_error="Throttled: getOrders",
        )
    )
    session.add(sync_state(tid, ads.id, "3001", "ads_structure", last_success_at=now - timedelta(minutes=5)))
    for minutes, error in ((3, "first failure"), (1, "latest failure")):
        session.add(
            Job(
                tenant_id=tid,
                connection_id=seller.id,
                type="sync",
                kind="delta",
                entity="orders",
                marketplace_id=CA,
                status="error",
                error=error,
                created_at=now - timedelta(minutes=minutes),
                finished_at=now - timedelta(minutes=minutes),
            )
        )
    session.add(Job(tenant_id=tid, connection_id=seller.id, type="sync", kind="delta", status="done"))
    await session.flush()

    response = await client.get(f"/api/tenants/{tenant_id}/health")
    assert response.status_code == 200, response.text
    body = response.json()
    by_id = {c["id"]: c for c in body["connections"]}
    assert set(by_id) == {str(seller.id), str(ads.id)}, "a disconnected connection is not shown"
    assert str(gone.id) not in by_id
    assert body["needs_reauthorization"] == [str(ads.id)]

    shop = by_id[str(seller.id)]
    assert (shop["name"], shop["needs_reauth"], shop["stale"]) == ("Shop", False, True)
    rows = {row["scope_id"]: row for row in shop["datasets"]}
    # A marketplace by its name (the rows in that order), a profile by its account (below).
    assert [row["scope_label"] for row in shop["datasets"]] == ["Canada (CA)", "United States (US)"]
    assert rows[US]["stale"] is False and rows[CA]["stale"] is True
    assert rows[US]["interval_s"] == interval.total_seconds()
    assert abs(rows[CA]["age_s"] - (2 * interval.total_seconds() + 30)) < 10
    assert rows[CA]["last_error"] == "Throttled: getOrders"
    assert [f["error"] for f in shop["failures"]] == ["latest failure", "first failure"]
    assert shop["calls_today"] == []

    brand = by_id[str(ads.id)]
    assert (brand["needs_reauth"], brand["last_error"], brand["stale"]) == (True, "invalid_grant", False)
    [profile_row] = brand["datasets"]
    assert (profile_row["scope_label"], profile_row["label"]) == ("Brand (US)", "Ads: campaigns")


async def test_admins_only_and_only_their_tenant(client: httpx.AsyncClient, session: AsyncSession) -> None:
    tenant_id = await _tenant(client)
    viewer, _ = await new_member(client, session, tenant_id, "viewer")
    admin, _ = await new_member(client, session, tenant_id, "admin")
    assert (await viewer.get(f"/api/tenants/{tenant_id}/health")).status_code == 403
    assert (await admin.get(f"/api/tenants/{tenant_id}/health")).status_code == 200
    async with as_user(client) as stranger:
        other = await _tenant(stranger)
        assert (await stranger.get(f"/api/tenants/{tenant_id}/health")).status_code == 404
        assert (await client.get(f"/api/tenants/{other}/health")).status_code == 404


def _sample(name: str, labels: dict[str, str]) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_calls_today_are_counted_per_connection_and_operation(
    client: httpx.AsyncClient,
    session: AsyncSession,
    emulator_http: httpx.AsyncClient,
    token_manager: TokenManager,
    token_store: MemoryTokenStore,
) -> None:
    tenant_id = await _tenant(client)
    seller = await make_connection(session, uuid.UUID(tenant_id), status="active")
    other = await make_connection(session, uuid.UUID(tenant_id), status="active")
    await session.flush()
    token_store.tokens[str(seller.id)] = await self_authorize(emulator_http)
    ref = ConnectionRef(str(seller.id), tenant_id, "amazon_sp", "NA", seller.account_id)
    sp = token_manager.spapi_client(ref, max_wait_s=5.0)
    operation = "sellers.getMarketplaceParticipations"
    labels = {"service": "spapi", "operation": operation, "tenant": tenant_id}
    throttled_before = _sample("amazon_throttled_total", labels)
    # One 429 first: the transport retries, so Amazon answered twice and one answer was a 429.
    fault = {"operation": "getMarketplaceParticipations", "error_rate": 1.0, "status": 429, "count": 1}
    assert (await emulator_http.post("/_emulator/faults", json=fault)).status_code == 200
    await sp.sellers.get_marketplace_participations()
    await sp.sellers.get_marketplace_participations()

    body = (await client.get(f"/api/tenants/{tenant_id}/health")).json()
    by_id = {c["id"]: c for c in body["connections"]}
    assert by_id[str(seller.id)]["calls_today"] == [
        {"service": "spapi", "operation": operation, "calls": 3, "throttled": 1}
    ]
    assert by_id[str(other.id)]["calls_today"] == []
    assert body["day"] == datetime.now(UTC).date().isoformat()
    # The same calls in the metrics, labelled with the tenant.
    assert _sample("amazon_requests_total", {**labels, "status": "200"}) == 2
    assert _sample("amazon_throttled_total", labels) == throttled_before + 1
