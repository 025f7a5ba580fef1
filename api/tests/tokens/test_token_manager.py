"""The token manager against the emulator's LWA: caching, single flight (in one process and across
two), forced refresh after expiry, invalid_grant, grantless tokens, and what ends up in Redis."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from app.spapi import SpApiClient
from app.tokens.errors import ReauthorizationRequired
from app.tokens.repository import ConnectionRef, MemoryTokenStore
from app.tokens.service import TokenManager
from tests.amazon.support import DEMO_SELLER_ID, as_row, request_log, run_processes, self_authorize


async def lwa_calls(http: httpx.AsyncClient) -> list[dict[str, Any]]:
    return await request_log(http, operation="lwa.token")


async def test_cached_and_single_flight_in_one_process(
    token_manager: TokenManager, connection: ConnectionRef, emulator_http: httpx.AsyncClient
) -> None:
    tokens = await asyncio.gather(*[token_manager.access_token(connection) for _ in range(50)])
    assert len(set(tokens)) == 1
    assert await token_manager.access_token(connection) == tokens[0]
    assert len(await lwa_calls(emulator_http)) == 1


async def test_single_flight_across_two_processes(
    loopback_emulator: Any, emulator_http: httpx.AsyncClient
) -> None:
    refresh = await self_authorize(emulator_http)
    args = {
        "url": loopback_emulator.url,
        "redis_url": os.environ["REDIS_URL"],
        "connection_id": str(uuid.uuid4()),
        "seller": DEMO_SELLER_ID,
        "refresh_token": refresh,
        "application_id": f"app-{uuid.uuid4().hex[:8]}",
        "callers": 25,
        "start_at": time.time() + 4,
    }
    results = await asyncio.to_thread(run_processes, "tokens", 2, args)
    assert len({h for r in results for h in r["hashes"]}) == 1, "every caller got the same token"
    assert len(await lwa_calls(emulator_http)) == 1, "50 callers in 2 processes made one LWA call"


async def test_expired_token_is_refreshed_once_and_the_call_succeeds(
    sp_client: SpApiClient,
    token_manager: TokenManager,
    connection: ConnectionRef,
    emulator_http: httpx.AsyncClient,
) -> None:
    await sp_client.sellers.get_marketplace_participations()
    first = await token_manager.access_token(connection)
    # Amazon's hour passes; our Redis copy still looks valid (its TTL is on our clock).
    await emulator_http.post("/_emulator/clock/advance", json={"seconds": 3700})
    results = await asyncio.gather(*[sp_client.sellers.get_marketplace_participations() for _ in range(5)])
    assert all(results)
    assert await token_manager.access_token(connection) != first
    assert len(await lwa_calls(emulator_http)) == 2, "one forced refresh for all five callers"
    log = await request_log(emulator_http, operation="sellers.getMarketplaceParticipations")
    assert [e["status"] for e in log].count(403) >= 1 and log[-1]["status"] == 200


async def test_invalid_grant_marks_needs_reauth(
    token_manager: TokenManager,
    token_store: MemoryTokenStore,
    connection: ConnectionRef,
    emulator_http: httpx.AsyncClient,
) -> None:
    refresh = token_store.tokens[connection.connection_id]
    revoked = await emulator_http.post("/_emulator/faults", json={"revoke_refresh_token": refresh})
    assert revoked.json()["revoked"] is True
    with pytest.raises(ReauthorizationRequired) as caught:
        await token_manager.access_token(connection)
    assert caught.value.connection_id == connection.connection_id
    assert token_store.needs_reauth == {connection.connection_id: "invalid_grant"}
    # Other callers learn it from Redis without asking LWA again.
    with pytest.raises(ReauthorizationRequired):
        await token_manager.access_token(connection)
    assert len(await lwa_calls(emulator_http)) == 1
    # After the seller re-authorizes, forget() lets the new token work.
    token_store.tokens[connection.connection_id] = await self_authorize(emulator_http)
    await token_manager.forget(connection)
    assert await token_manager.access_token(connection)


async def test_grantless_tokens_are_cached_per_scope(
    token_manager: TokenManager, emulator_http: httpx.AsyncClient
) -> None:
    from app.amazon_http.lwa import SCOPE_NOTIFICATIONS, SCOPE_ROTATION

    a = await token_manager.grantless_token(SCOPE_NOTIFICATIONS)
    b = await token_manager.grantless_token(SCOPE_NOTIFICATIONS)
    c = await token_manager.grantless_token(SCOPE_ROTATION)
    assert a == b != c
    assert len(await lwa_calls(emulator_http)) == 2


async def test_redis_holds_only_ciphertext_and_never_an_rdt(
    sp_client: SpApiClient,
    token_manager: TokenManager,
    connection: ConnectionRef,
    redis_client: aioredis.Redis,
) -> None:
    from datetime import timedelta

    from app.spapi.operations.orders import OrderQuery, default_before

    token = await token_manager.access_token(connection)
    before = default_before()
    query = OrderQuery(
        marketplace_ids=["ATVPDKIKX0DER"],
        last_updated_after=before - timedelta(days=30),
        last_updated_before=before,
    )
    page = await anext(aiter(sp_client.orders_v0.search(query)))
    shipped = next(o for o in page.orders if as_row(o)["order_status"] in ("SHIPPED", "UNSHIPPED"))
    await sp_client.orders_v0.get_address(shipped.amazon_order_id)
    rdt = next(iter(token_manager.rdts._tokens.values()))[0]
    values = []
    async for key in redis_client.scan_iter(count=1000):
        if await redis_client.type(key) == b"string":
            values.append(await redis_client.get(key))
        elif await redis_client.type(key) == b"hash":
            values.extend((await redis_client.hgetall(key)).values())
    blob = b"\n".join(v for v in values if v)
    assert token.encode() not in blob
    assert rdt.encode() not in blob and b"sprdt" not in blob


async def test_client_secret_rotation_without_a_failed_call(
    emulator_app: Any,
    token_manager: TokenManager,
    token_store: MemoryTokenStore,
    connection: ConnectionRef,
    emulator_http: httpx.AsyncClient,
) -> None:
    from amazon_emulator.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

    from app.amazon_http.lwa import SCOPE_NOTIFICATIONS
    from app.tokens.repository import ClientSecret

    app = emulator_app.state.emulator.credentials.apps[DEMO_CLIENT_ID]
    # The new secret arrived (APPLICATION_OAUTH_CLIENT_NEW_SECRET) and was stored; the old one
    # then expires: no call ever fails.
    app.client_secrets["amzn1.oa2-cs.v1.rotated"] = None
    token_store.secrets[DEMO_CLIENT_ID] = ClientSecret(DEMO_CLIENT_ID, "amzn1.oa2-cs.v1.rotated")
    await token_manager.access_token(connection)
    del app.client_secrets[DEMO_CLIENT_SECRET]
    await token_manager.grantless_token(SCOPE_NOTIFICATIONS)
    assert [e["status"] for e in await lwa_calls(emulator_http)] == [200, 200]
    # A stored secret LWA does not accept: the configured one is tried next.
    app.client_secrets[DEMO_CLIENT_SECRET] = None
    token_store.secrets[DEMO_CLIENT_ID] = ClientSecret(DEMO_CLIENT_ID, "amzn1.oa2-cs.v1.unknown")
    await token_manager.forget(connection)
    assert await token_manager.access_token(connection)
    assert [e["status"] for e in await lwa_calls(emulator_http)] == [200, 200, 401, 200]


@pytest.mark.parametrize(
    ("expires_in", "cached_for"), [(3600, 3540), (600, 540), (240, 180), (60, 45), (4, 3), (1, 0.75), (0, 0)]
)
def test_a_token_is_handed_out_until_shortly_before_it_expires(expires_in: int, cached_for: float) -> None:
    from app.tokens.cache import cache_ttl_s

    assert cache_ttl_s(expires_in) == pytest.approx(cached_for)


async def test_a_short_lived_token_is_reused_for_most_of_its_life(
    token_manager: TokenManager,
    connection: ConnectionRef,
    emulator_app: Any,
    emulator_http: httpx.AsyncClient,
    redis_client: aioredis.Redis,
) -> None:
    # An Amazon that hands out one-minute tokens (the emulator at x60 says expires_in 60).
    emulator_app.state.emulator.clock.time_scale = 60.0
    first = await token_manager.access_token(connection)
    assert await token_manager.access_token(connection) == first
    assert len(await lwa_calls(emulator_http)) == 1
    keys = [k async for k in redis_client.scan_iter(match=f"{token_manager.cache._prefix}:at:*")]
    assert len(keys) == 1 and 44_000 < await redis_client.pttl(keys[0]) <= 45_000
