"""The shared HTTP core of the SP-API and Ads clients: one `httpx.AsyncClient` per process, the rate
limiter, bounded retries, token-expiry recovery, metrics and retry logs.

It knows nothing about either API's paths or models: a client hands it a ready request, how to
authenticate it (`CallAuth`) and which bucket it draws from (`CallSpec`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import httpx
import structlog

from app.amazon_http.call_counts import CallOwner, DailyCallCounts
from app.amazon_http.errors import (
    AmazonError,
    Throttled,
    TransportError,
    error_from_response,
    parse_error_entries,
    request_id_of,
)
from app.amazon_http.metrics import (
    AMAZON_LATENCY,
    AMAZON_LIMITER_DEFERRED,
    AMAZON_LIMITER_WAIT,
    AMAZON_REQUESTS,
    AMAZON_RETRIES,
    AMAZON_THROTTLED,
)
from app.amazon_http.ratelimit import BucketKey, RateLimiter, UsagePlan
from app.amazon_http.retry import RETRYABLE_STATUS, RetryPolicy, parse_retry_after


def log() -> Any:
    # Looked up per call, not cached at import: logging may be configured after this module loads.
    return structlog.get_logger("app.spapi")


def amazon_timeout(read_s: float = 30.0) -> httpx.Timeout:
    """Amazon answers within seconds; a read timeout of 30 s only trips on a stuck connection."""
    return httpx.Timeout(connect=5.0, read=read_s, write=30.0, pool=10.0)


DEFAULT_TIMEOUT = amazon_timeout()
USER_AGENT = "spapi-saas/0.1 (Language=Python)"

_shared: httpx.AsyncClient | None = None


def create_http_client(
    *, timeout: httpx.Timeout = DEFAULT_TIMEOUT, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=timeout,
        transport=transport,
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
        headers={"user-agent": USER_AGENT},
        follow_redirects=False,
    )


def shared_http_client() -> httpx.AsyncClient:
    """The process's one client (created on first use; the API lifespan / worker shutdown closes it)."""
    global _shared
    if _shared is None or _shared.is_closed:
        _shared = create_http_client()
    return _shared


async def close_shared_http_client() -> None:
    global _shared
    if _shared is not None:
        await _shared.aclose()
        _shared = None


class CallAuth(Protocol):
    """Adds credentials to one call and recovers once when Amazon says the credential expired."""

    async def headers(self) -> dict[str, str]: ...

    async def expired(self) -> None: ...


@dataclass(frozen=True)
class CallSpec:
    service: str  # "spapi" or "ads": the metrics' service label
    operation: str  # "<api>.<operationId>"
    bucket: BucketKey | None
    plan: UsagePlan
    # How long this caller may wait for a rate-limit slot or a retry (requests: seconds; workers:
    # about zero, so they reschedule instead of holding a worker thread).
    max_wait_s: float
    # The stored connection the call is made for (None: the application's own calls, onboarding).
    owner: CallOwner | None = None

    @property
    def tenant(self) -> str:
        """The metrics' tenant label."""
        return self.owner.tenant_id if self.owner is not None else ""


ExpiredCheck = Callable[[httpx.Response], bool]


# Amazon's words for a token it no longer takes: "...has expired." or "...is revoked, malformed or
# invalid." A cached token can be refused before its time (Amazon dropped it, or a local emulator
# restarted); one fresh token settles it, and a refresh that fails means re-authorization.
_REFUSED_TOKEN = ("expired", "revoked", "malformed")


def spapi_token_expired(response: httpx.Response) -> bool:
    """SP-API refused the access token or RDT itself (401/403 saying it expired or is invalid)."""
    if response.status_code not in (401, 403):
        return False
    for entry in parse_error_entries(response):
        text = f"{entry.message} {entry.details or ''}".lower()
        if any(word in text for word in _REFUSED_TOKEN):
            return True
    return False


class AmazonTransport:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        limiter: RateLimiter | None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        calls: DailyCallCounts | None = None,
    ) -> None:
        self.http = http
        self.limiter = limiter
        self.calls = calls
        self.retry = retry or RetryPolicy()
        self._sleep = sleep

    async def send(
        self,
        spec: CallSpec,
        build: Callable[[dict[str, str]], httpx.Request],
        auth: CallAuth | None,
        *,
        token_expired: ExpiredCheck = spapi_token_expired,
    ) -> httpx.Response:
        """Send until success, a non-retryable error, or the attempts run out."""
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            await self._take_slot(spec)
            headers = await auth.headers() if auth is not None else {}
            started = time.perf_counter()
            try:
                response = await self.http.send(build(headers))
            except httpx.TransportError as exc:
                AMAZON_REQUESTS.labels(spec.service, spec.operation, "transport_error", spec.tenant).inc()
                failure = TransportError(f"{spec.operation}: {type(exc).__name__}", operation=spec.operation)
                await self._retry_or_raise(spec, attempt, failure, None, None, reason="transport")
                continue
            elapsed = time.perf_counter() - started
            status = response.status_code
            answered_by = request_id_of(response)
            if answered_by:
                # What this task logs from now on names Amazon's request id of the last answer (a
                # job's task, or an API request's; each has its own copy of the context).
                structlog.contextvars.bind_contextvars(amzn_request_id=answered_by)
            AMAZON_LATENCY.labels(spec.service, spec.operation).observe(elapsed)
            AMAZON_REQUESTS.labels(spec.service, spec.operation, str(status), spec.tenant).inc()
            if self.calls is not None and spec.owner is not None:
                await self.calls.record(spec.owner, spec.service, spec.operation, status=status)
            await self._learn(spec, response)
            if status < 400:
                return response
            if auth is not None and not refreshed and token_expired(response):
                # One forced refresh per call; it does not count as an attempt.
                refreshed = True
                log().info(
                    "amazon.token_expired", operation=spec.operation, amzn_request_id=request_id_of(response)
                )
                await auth.expired()
                attempt -= 1
                continue
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            error = error_from_response(response, operation=spec.operation, retry_after=retry_after)
            if status not in RETRYABLE_STATUS:
                raise error
            if status == 429:
                AMAZON_THROTTLED.labels(spec.service, spec.operation, spec.tenant).inc()
                if self.limiter is not None and spec.bucket is not None:
                    await self.limiter.drain(spec.bucket)
            await self._retry_or_raise(
                spec, attempt, error, response, retry_after, reason="throttled" if status == 429 else "server"
            )

    async def _retry_or_raise(
        self,
        spec: CallSpec,
        attempt: int,
        error: AmazonError,
        response: httpx.Response | None,
        retry_after: float | None,
        *,
        reason: str,
    ) -> None:
        delay = self.retry.delay(attempt, retry_after)
        if attempt >= self.retry.max_attempts:
            raise error
        if delay > spec.max_wait_s:
            if isinstance(error, Throttled):
                error.retry_after = delay
                raise error
            # A server error or a broken connection we may not wait out: the caller (a worker)
            # reschedules itself with `retry_after` instead of holding its thread.
            error.retry_after = delay
            raise error
        AMAZON_RETRIES.labels(spec.service, spec.operation, reason).inc()
        log().warning(
            "amazon.retry",
            service=spec.service,
            operation=spec.operation,
            attempt=attempt,
            delay_s=round(delay, 3),
            status=response.status_code if response is not None else None,
            reason=reason,
            amzn_request_id=request_id_of(response) if response is not None else None,
        )
        await self._sleep(delay)

    async def _take_slot(self, spec: CallSpec) -> None:
        if self.limiter is None or spec.bucket is None:
            return
        slot = await self.limiter.acquire(spec.bucket, spec.plan, spec.max_wait_s)
        if not slot.granted:
            AMAZON_LIMITER_DEFERRED.labels(spec.service, spec.operation).inc()
            raise Throttled(
                f"{spec.operation}: next rate-limit slot in {slot.wait_s:.2f}s",
                retry_after=slot.wait_s,
                operation=spec.operation,
            )
        AMAZON_LIMITER_WAIT.labels(spec.service, spec.operation).observe(slot.wait_s)
        if slot.wait_s > 0:
            await self._sleep(slot.wait_s)

    async def _learn(self, spec: CallSpec, response: httpx.Response) -> None:
        # A call refused for its token (401/403) was answered before the caller was known: its header
        # can name the operation's default plan, many times faster than a seller's lowered one, and
        # pacing on it costs 429s until the next answer. Every other answer (a 429 too) names the plan.
        if self.limiter is None or spec.bucket is None or response.status_code in (401, 403):
            return
        announced = response.headers.get("x-amzn-RateLimit-Limit")
        if not announced:
            return
        try:
            rate = float(announced)
        except ValueError:
            return
        if await self.limiter.learn_rate(spec.bucket, rate):
            log().info("amazon.rate_learned", operation=spec.operation, rate=rate)
