"""The shared HTTP core, driven by httpx.MockTransport for the edge cases the emulator does not
produce on demand: retry decisions, Retry-After, bounded attempts, typed errors, token refresh."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Callable, Sequence

import httpx
import pytest
import redis.asyncio as aioredis

from app.amazon_http import (
    AmazonTransport,
    Forbidden,
    InvalidInput,
    NotFound,
    RetryPolicy,
    ServerError,
    Throttled,
    TransportError,
    Unauthorized,
)
from app.amazon_http.ratelimit import BucketKey, RateLimiter
from app.amazon_http.retry import parse_retry_after
from app.spapi import RestrictedResource, SpApiClient

Handler = Callable[[httpx.Request], httpx.Response]


class FakeTokens:
    def __init__(self) -> None:
        self.refreshes = 0
        self.current = "Atza|first"
        self.expired_seen: list[str | None] = []

    async def access_token(self, *, expired: str | None = None) -> str:
        self.expired_seen.append(expired)
        if expired == self.current:
            self.refreshes += 1
            self.current = f"Atza|fresh{self.refreshes}"
        return self.current

    async def restricted_data_token(
        self, resources: Sequence[RestrictedResource], *, expired: str | None = None
    ) -> str:
        return "Atz.sprdt|x"


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_client(handler: Handler, *, max_wait_s: float = 60.0, retry: RetryPolicy | None = None):  # type: ignore[no-untyped-def]
    sleeps = Sleeps()
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    transport = AmazonTransport(http, limiter=None, retry=retry or RetryPolicy(max_attempts=4), sleep=sleeps)
    tokens = FakeTokens()
    client = SpApiClient(
        transport,
        base_url="https://sp.test",
        region="NA",
        application_id="app",
        selling_partner_id="S1",
        tokens=tokens,
        max_wait_s=max_wait_s,
    )
    return client, sleeps, tokens


def error(status: int, code: str, message: str, details: str | None = None, **headers: str) -> httpx.Response:
    entry = {"code": code, "message": message, **({"details": details} if details else {})}
    return httpx.Response(status, json={"errors": [entry]}, headers={"x-amzn-RequestId": "rid-1", **headers})


OK = httpx.Response(200, json={"payload": []}, headers={"x-amzn-RequestId": "rid-ok"})


def sequence(*responses: httpx.Response | Exception) -> tuple[Handler, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    return handler, seen


async def test_5xx_and_transport_errors_are_retried_then_succeed() -> None:
    handler, seen = sequence(
        error(500, "InternalFailure", "x"),
        httpx.ConnectError("refused"),
        error(503, "ServiceUnavailable", "y"),
        OK,
    )
    client, sleeps, _ = make_client(handler)
    await client.sellers.get_marketplace_participations()
    assert len(seen) == 4
    assert len(sleeps.calls) == 3
    # Full jitter: each delay lies within [0, base * 2^(n-1)].
    for attempt, delay in enumerate(sleeps.calls, start=1):
        assert 0 <= delay <= 0.5 * 2 ** (attempt - 1)


async def test_attempts_are_bounded() -> None:
    handler, seen = sequence(*[error(502, "InternalFailure", "bad gateway")] * 10)
    client, _, _ = make_client(handler)
    with pytest.raises(ServerError) as caught:
        await client.sellers.get_marketplace_participations()
    assert len(seen) == 4
    assert caught.value.request_id == "rid-1" and caught.value.status == 502


async def test_retry_after_is_honoured() -> None:
    handler, _ = sequence(error(429, "QuotaExceeded", "slow down", **{"Retry-After": "7"}), OK)
    client, sleeps, _ = make_client(handler)
    await client.sellers.get_marketplace_participations()
    assert sleeps.calls == [7.0]


async def test_throttled_is_handed_back_when_the_wait_is_too_long() -> None:
    handler, seen = sequence(error(429, "QuotaExceeded", "slow down", **{"Retry-After": "30"}))
    client, sleeps, _ = make_client(handler, max_wait_s=1.0)
    with pytest.raises(Throttled) as caught:
        await client.sellers.get_marketplace_participations()
    assert caught.value.retry_after == 30.0
    assert caught.value.request_id == "rid-1"
    assert sleeps.calls == [] and len(seen) == 1


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, InvalidInput), (401, Unauthorized), (403, Forbidden), (404, NotFound), (415, InvalidInput)],
)
async def test_client_errors_are_typed_and_never_retried(status: int, cls: type[Exception]) -> None:
    handler, seen = sequence(error(status, "InvalidInput", "Invalid Input", "CreatedAfter is wrong"))
    client, sleeps, _ = make_client(handler)
    with pytest.raises(cls) as caught:
        await client.sellers.get_marketplace_participations()
    assert len(seen) == 1 and not sleeps.calls
    err = caught.value
    assert err.errors[0].code == "InvalidInput" and err.errors[0].details == "CreatedAfter is wrong"  # type: ignore[attr-defined]
    assert err.request_id == "rid-1"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "details",
    [
        "The access token you provided has expired.",
        # Refused before its expiry (Amazon dropped it, or a local emulator restarted).
        "The access token you provided is revoked, malformed or invalid.",
    ],
)
async def test_refused_token_is_refreshed_once_and_retried(details: str) -> None:
    expired = error(403, "Unauthorized", "Access to requested resource is denied.", details)
    handler, seen = sequence(expired, OK)
    client, _, tokens = make_client(handler)
    await client.sellers.get_marketplace_participations()
    assert [r.headers["x-amz-access-token"] for r in seen] == ["Atza|first", "Atza|fresh1"]
    assert tokens.refreshes == 1
    # A second expiry on the same call is an error, not a loop.
    handler, seen = sequence(expired, expired)
    client, _, _ = make_client(handler)
    with pytest.raises(Forbidden):
        await client.sellers.get_marketplace_participations()
    assert len(seen) == 2


async def test_a_plain_access_denied_is_not_refreshed() -> None:
    denied = error(403, "Unauthorized", "Access to requested resource is denied.", "")
    handler, seen = sequence(denied, OK)
    client, _, tokens = make_client(handler)
    with pytest.raises(Forbidden):
        await client.sellers.get_marketplace_participations()
    assert len(seen) == 1 and tokens.refreshes == 0


async def test_requests_carry_the_lwa_token_and_no_sigv4() -> None:
    handler, seen = sequence(
        OK, httpx.Response(200, json={"restrictedDataToken": "Atz.sprdt|y", "expiresIn": 3600})
    )
    client, _, _ = make_client(handler)
    await client.sellers.get_marketplace_participations()
    await client.tokens.create_restricted_data_token(
        [RestrictedResource.of("GET", "/orders/v0/orders/1/address")]
    )
    for request in seen:
        assert "authorization" not in request.headers
        assert not any(h.lower().startswith("x-amz-date") for h in request.headers)
        assert request.headers["x-amz-access-token"].startswith("Atza|")
    body = json.loads(seen[1].content)
    assert body == {"restrictedResources": [{"method": "GET", "path": "/orders/v0/orders/1/address"}]}


async def test_every_retry_is_logged(captured_logs: io.StringIO) -> None:
    handler, _ = sequence(error(500, "InternalFailure", "x"), OK)
    client, _, _ = make_client(handler)
    await client.sellers.get_marketplace_participations()
    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines() if line.startswith("{")]
    retries = [line for line in lines if line["event"] == "amazon.retry"]
    assert len(retries) == 1
    retry = retries[0]
    assert retry["operation"] == "sellers.getMarketplaceParticipations"
    assert retry["attempt"] == 1 and retry["status"] == 500 and retry["amzn_request_id"] == "rid-1"
    assert "delay_s" in retry and retry["level"] == "warning"


def test_retry_after_formats() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert parse_retry_after("nonsense") is None


def test_backoff_is_jittered() -> None:
    policy = RetryPolicy(base_s=1.0, cap_s=8.0)
    draws = {round(policy.backoff(4), 6) for _ in range(50)}
    assert len(draws) > 40 and max(draws) <= 8.0


async def test_worker_gets_server_errors_back_with_a_retry_time() -> None:
    handler, seen = sequence(error(503, "ServiceUnavailable", "busy"), OK)
    client, sleeps, _ = make_client(handler, max_wait_s=0.0, retry=RetryPolicy(max_attempts=4, base_s=1.0))
    with pytest.raises(ServerError) as caught:
        await client.sellers.get_marketplace_participations()
    assert caught.value.retry_after is not None and 0 <= caught.value.retry_after <= 1.0
    assert len(seen) == 1 and sleeps.calls == []
    handler, _ = sequence(httpx.ReadTimeout("slow"))
    client, _, _ = make_client(handler, max_wait_s=0.0, retry=RetryPolicy(max_attempts=4, base_s=1.0))
    with pytest.raises(TransportError):
        await client.sellers.get_marketplace_participations()


async def test_the_rate_is_not_learned_from_a_refused_token(redis_client: aioredis.Redis) -> None:
    """A call refused before Amazon knew the seller (an expired token) names the operation's default
    plan in `x-amzn-RateLimit-Limit`, not the seller's: learned, it would pace the next calls at the
    wrong rate until a served answer said otherwise (two worker processes met 429s that way)."""
    limiter = RateLimiter(redis_client)
    seller = f"S{uuid.uuid4().hex[:8]}"
    bucket = BucketKey("app", seller, "NA", "sellers.getMarketplaceParticipations")
    expired = error(
        403,
        "Unauthorized",
        "Access to requested resource is denied.",
        "The access token you provided has expired.",
        **{"x-amzn-RateLimit-Limit": "16.7"},
    )
    served = httpx.Response(
        200, json={"payload": []}, headers={"x-amzn-RequestId": "rid-ok", "x-amzn-RateLimit-Limit": "2.0"}
    )
    handler, seen = sequence(expired, served)
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    transport = AmazonTransport(http, limiter=limiter, retry=RetryPolicy(max_attempts=4), sleep=Sleeps())
    client = SpApiClient(
        transport,
        base_url="https://sp.test",
        region="NA",
        application_id="app",
        selling_partner_id=seller,
        tokens=FakeTokens(),
        max_wait_s=60.0,
    )
    rates: list[float | None] = []
    original = limiter.learn_rate

    async def learn_rate(key: BucketKey, rate: float) -> bool:
        rates.append(rate)
        return await original(key, rate)

    limiter.learn_rate = learn_rate  # type: ignore[method-assign]
    await client.sellers.get_marketplace_participations()
    assert len(seen) == 2
    assert rates == [2.0]
    assert await limiter.learned_rate(bucket) == 2.0
