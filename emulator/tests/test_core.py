"""Core framework: headers, request log, errors, rate limits, faults, clock, reset."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import httpx
import pytest
from fastapi import APIRouter, Depends

from amazon_emulator.app import create_app
from amazon_emulator.auth import GRANTLESS_NOTIFICATIONS, Caller, sp_operation
from amazon_emulator.clock import Clock
from amazon_emulator.config import EmulatorConfig
from amazon_emulator.ratelimit import RateLimiter
from amazon_emulator.state import EmulatorState

from emulator_helpers import access_token_for, grantless_token

PARTICIPATIONS = "/sellers/v1/marketplaceParticipations"


async def test_request_id_on_every_response(client: httpx.AsyncClient, token: str) -> None:
    for r in (
        await client.get(PARTICIPATIONS, headers={"x-amz-access-token": token}),
        await client.get(PARTICIPATIONS),
        await client.get("/no/such/path"),
        await client.get("/_emulator/health"),
    ):
        assert r.headers["x-amzn-RequestId"]
    ok = await client.get(PARTICIPATIONS, headers={"x-amz-access-token": token})
    assert ok.headers["x-amzn-RateLimit-Limit"] == "0.016"


async def test_missing_and_bad_tokens_answer_403(client: httpx.AsyncClient) -> None:
    r = await client.get(PARTICIPATIONS)
    assert r.status_code == 403
    assert r.json()["errors"][0]["code"] == "Unauthorized"
    r = await client.get(PARTICIPATIONS, headers={"x-amz-access-token": "Atza|nonsense"})
    assert r.status_code == 403
    assert "invalid" in r.json()["errors"][0]["details"]


async def test_request_log_records_operation_and_token_kind(client: httpx.AsyncClient, token: str) -> None:
    await client.get(PARTICIPATIONS, headers={"x-amz-access-token": token})
    await client.get(PARTICIPATIONS)
    params = {"operation": "getMarketplaceParticipations"}
    log = (await client.get("/_emulator/requests", params=params)).json()
    assert [e["token_kind"] for e in log] == ["lwa", "none"]
    assert [e["status"] for e in log] == [200, 403]
    assert all(e["request_id"] and e["operation"] == "sellers.getMarketplaceParticipations" for e in log)
    assert "Atza" not in str(log)


async def test_bucket_allows_burst_then_429(client: httpx.AsyncClient, token: str) -> None:
    headers = {"x-amz-access-token": token}
    statuses = [(await client.get(PARTICIPATIONS, headers=headers)).status_code for _ in range(16)]
    assert statuses == [200] * 15 + [429]
    r = await client.get(PARTICIPATIONS, headers=headers)
    assert r.status_code == 429
    assert r.json() == {
        "errors": [
            {
                "code": "QuotaExceeded",
                "message": "You exceeded your quota for the requested resource.",
                "details": "",
            }
        ]
    }
    assert r.headers["x-amzn-RateLimit-Limit"] == "0.016"


def test_bucket_refills_at_scaled_rate() -> None:
    clock = Clock(time_scale=60)
    limiter = RateLimiter(clock)
    for _ in range(20):
        assert limiter.take("app", "S", "ordersV0.getOrders").allowed
    assert not limiter.take("app", "S", "ordersV0.getOrders").allowed
    # 0.0167 rps * 60 = ~1 token per real second.
    clock.advance(0.9)
    assert not limiter.take("app", "S", "ordersV0.getOrders").allowed
    clock.advance(0.2)
    assert limiter.take("app", "S", "ordersV0.getOrders").allowed
    # Buckets are per seller.
    assert limiter.take("app", "OTHER", "ordersV0.getOrders").allowed


async def test_per_seller_override(client: httpx.AsyncClient, token: str, state: EmulatorState) -> None:
    r = await client.post(
        "/_emulator/sellers/A1DEMOSELLER0001/usage-plans",
        json={"operation": "sellers.getMarketplaceParticipations", "rate": 2, "burst": 2},
    )
    assert r.status_code == 200
    headers = {"x-amz-access-token": token}
    statuses = [(await client.get(PARTICIPATIONS, headers=headers)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    r = await client.get(PARTICIPATIONS, headers=headers)
    assert r.headers["x-amzn-RateLimit-Limit"] == "2.0"


async def test_faults_error_rate_latency_and_storm(client: httpx.AsyncClient, token: str) -> None:
    headers = {"x-amz-access-token": token}
    r = await client.post(
        "/_emulator/faults",
        json={"operation": "getMarketplaceParticipations", "error_rate": 1.0, "status": 503, "count": 1},
    )
    assert r.status_code == 200
    first = await client.get(PARTICIPATIONS, headers=headers)
    assert first.status_code == 503
    assert first.json()["errors"][0]["code"] == "ServiceUnavailable"
    assert (await client.get(PARTICIPATIONS, headers=headers)).status_code == 200
    await client.post("/_emulator/faults", json={"operation": "sellers.*", "throttle_storm_seconds": 30})
    assert (await client.get(PARTICIPATIONS, headers=headers)).status_code == 429
    await client.delete("/_emulator/faults")
    assert (await client.get(PARTICIPATIONS, headers=headers)).status_code == 200


async def test_access_token_expires_on_scaled_clock(client: httpx.AsyncClient, state: EmulatorState) -> None:
    state.clock.time_scale = 3600.0  # an Amazon hour lasts one real second
    token = await access_token_for(client)
    headers = {"x-amz-access-token": token}
    assert (await client.get(PARTICIPATIONS, headers=headers)).status_code == 200
    state.clock.advance(1.01)
    r = await client.get(PARTICIPATIONS, headers=headers)
    assert r.status_code == 403
    assert r.json()["errors"][0]["details"] == "The access token you provided has expired."


async def test_reset_restores_demo(client: httpx.AsyncClient, token: str) -> None:
    assert (await client.post("/_emulator/reset")).status_code == 200
    r = await client.get(PARTICIPATIONS, headers={"x-amz-access-token": token})
    assert r.status_code == 403  # tokens are gone
    sellers = (await client.get("/_emulator/sellers")).json()
    assert [s["selling_partner_id"] for s in sellers] == ["A1DEMOSELLER0001"]


@pytest.mark.parametrize("scale", [1.0, 60.0])
def test_clock_scaling(scale: float) -> None:
    clock = Clock(scale)
    assert clock.real_duration(3600) == pytest.approx(3600 / scale)
    assert clock.real_rate(0.5) == pytest.approx(0.5 * scale)


async def test_background_tasks_run_for_the_life_of_the_app() -> None:
    state = EmulatorState(EmulatorConfig())
    seen: list[str] = []

    async def ticker(s: EmulatorState) -> None:
        seen.append("started")
        try:
            await asyncio.Event().wait()
        finally:
            seen.append("stopped")

    state.add_background(ticker)
    app = create_app(state.config, state)
    async with app.router.lifespan_context(app):
        await asyncio.sleep(0)
        assert seen == ["started"]
    assert seen == ["started", "stopped"]


async def test_events_published_on_activity(client: httpx.AsyncClient, state: EmulatorState) -> None:
    received: list[tuple[str, dict[str, object]]] = []
    state.events.subscribe("ORDER_CHANGE", lambda kind, event: received.append((kind, event)))
    await client.post("/_emulator/sellers/A1DEMOSELLER0001/activity", json={"new_orders": 2, "updates": 1})
    assert len(received) == 3
    assert {e["selling_partner_id"] for _, e in received} == {"A1DEMOSELLER0001"}


async def test_fault_latency_and_lwa_faults(client: httpx.AsyncClient, token: str) -> None:
    await client.post(
        "/_emulator/faults", json={"operation": "sellers.getMarketplaceParticipations", "latency_ms": 80}
    )
    started = time.perf_counter()
    r = await client.get(PARTICIPATIONS, headers={"x-amz-access-token": token})
    assert r.status_code == 200
    assert time.perf_counter() - started >= 0.08
    await client.post(
        "/_emulator/faults", json={"operation": "lwa.token", "error_rate": 1.0, "status": 500, "count": 1}
    )
    r = await client.post("/auth/o2/token", data={"grant_type": "client_credentials"})
    assert r.status_code == 500 and r.json()["error"] == "server_error"
    faults = (await client.get("/_emulator/faults")).json()
    assert {f["operation"] for f in faults} == {"sellers.getMarketplaceParticipations", "lwa.token"}
    log = (await client.get("/_emulator/requests", params={"path_prefix": "/auth"})).json()
    assert log[-1]["status"] == 500 and log[-1]["note"].startswith("server_error")


# A stand-in for a grantless operation declared the documented way (on its own path: the notifications
# module serves the real /notifications/v1/destinations).
STANDIN = "/_standin/notifications/v1/destinations"
Destinations = Annotated[
    Caller, Depends(sp_operation("notifications.getDestinations", grantless_scope=GRANTLESS_NOTIFICATIONS))
]
grantless_router = APIRouter()


@grantless_router.get(STANDIN)
async def destinations(caller: Destinations) -> dict[str, object]:
    return {"payload": [], "app": caller.application_id, "seller": caller.selling_partner_id}


async def test_grantless_operation_gate() -> None:
    app = create_app(EmulatorConfig(demo=True, demo_orders=10))
    app.include_router(grantless_router)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://e") as c:
        grantless = await grantless_token(c)
        rotation = await grantless_token(c, "sellingpartnerapi::client_credential:rotation")
        seller = await access_token_for(c)
        ok = await c.get(STANDIN, headers={"x-amz-access-token": grantless})
        assert ok.status_code == 200 and ok.json()["seller"] is None
        assert ok.headers["x-amzn-RateLimit-Limit"] == "1.0"
        for other in (rotation, seller):
            r = await c.get(STANDIN, headers={"x-amz-access-token": other})
            assert r.status_code == 403
        statuses = [
            (await c.get(STANDIN, headers={"x-amz-access-token": grantless})).status_code for _ in range(5)
        ]
        assert statuses == [200] * 4 + [429]
        log = (await c.get("/_emulator/requests", params={"operation": "getDestinations"})).json()
        assert log[0]["token_kind"] == "grantless"
