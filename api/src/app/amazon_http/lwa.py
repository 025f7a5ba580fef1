"""Login with Amazon's token endpoint: code, refresh token and client-credentials grants.

Only the HTTP exchange lives here (shared by SP-API and Ads). Caching, single flight and what to do
about `invalid_grant` belong to `app.tokens`. Retries cover 5xx, 429 and transport errors only:
`invalid_grant` / `invalid_client` are answers, and retrying them just hides a revoked seller.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from app.amazon_http.errors import request_id_of
from app.amazon_http.metrics import LWA_TOKEN_REQUESTS
from app.amazon_http.retry import RETRYABLE_STATUS, RetryPolicy, parse_retry_after


def log() -> Any:
    # Looked up per call, not cached at import: logging may be configured after this module loads.
    return structlog.get_logger("app.amazon_http.lwa")


SCOPE_NOTIFICATIONS = "sellingpartnerapi::notifications"
SCOPE_ROTATION = "sellingpartnerapi::client_credential:rotation"


@dataclass(frozen=True)
class LwaToken:
    access_token: str = field(repr=False)
    expires_in: int
    refresh_token: str | None = field(default=None, repr=False)
    token_type: str = "bearer"


class LwaError(Exception):
    """LWA refused: `error` is LWA's code (`invalid_grant`, `invalid_client`, ...)."""

    def __init__(self, error: str, description: str, status: int | None, request_id: str | None) -> None:
        super().__init__(f"LWA {error} (HTTP {status}): {description}")
        self.error = error
        self.description = description
        self.status = status
        self.request_id = request_id


class InvalidGrant(LwaError):
    """The refresh token (or code) is revoked, expired or not ours: the seller must re-authorize."""


class InvalidClient(LwaError):
    """Client id/secret rejected: usually a client secret that expired after a missed rotation."""


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str = field(repr=False)


class LwaClient:
    def __init__(self, http: httpx.AsyncClient, *, retry: RetryPolicy | None = None) -> None:
        self._http = http
        self._retry = retry or RetryPolicy(max_attempts=4, base_s=0.5, cap_s=8.0)

    async def refresh(self, token_url: str, client: ClientCredentials, refresh_token: str) -> LwaToken:
        return await self._grant(
            token_url, client, {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )

    async def client_credentials(self, token_url: str, client: ClientCredentials, scope: str) -> LwaToken:
        return await self._grant(token_url, client, {"grant_type": "client_credentials", "scope": scope})

    async def authorization_code(
        self, token_url: str, client: ClientCredentials, code: str, redirect_uri: str | None = None
    ) -> LwaToken:
        form = {"grant_type": "authorization_code", "code": code}
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        return await self._grant(token_url, client, form)

    async def _grant(self, token_url: str, client: ClientCredentials, form: dict[str, str]) -> LwaToken:
        grant_type = form["grant_type"]
        data = {**form, "client_id": client.client_id, "client_secret": client.client_secret}
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._http.post(token_url, data=data)
            except httpx.TransportError as exc:
                if attempt >= self._retry.max_attempts:
                    LWA_TOKEN_REQUESTS.labels(grant_type, "transport_error").inc()
                    raise LwaError("transport_error", type(exc).__name__, None, None) from exc
                await self._pause(grant_type, attempt, None, None)
                continue
            if response.status_code in RETRYABLE_STATUS and attempt < self._retry.max_attempts:
                await self._pause(
                    grant_type, attempt, response, parse_retry_after(response.headers.get("retry-after"))
                )
                continue
            if response.status_code != 200:
                error = _error(response)
                outcome = "invalid_grant" if isinstance(error, InvalidGrant) else "error"
                LWA_TOKEN_REQUESTS.labels(grant_type, outcome).inc()
                raise error
            body = response.json()
            LWA_TOKEN_REQUESTS.labels(grant_type, "ok").inc()
            return LwaToken(
                access_token=str(body["access_token"]),
                expires_in=int(body.get("expires_in", 3600)),
                refresh_token=body.get("refresh_token"),
                token_type=str(body.get("token_type", "bearer")),
            )

    async def _pause(
        self, grant_type: str, attempt: int, response: httpx.Response | None, retry_after: float | None
    ) -> None:
        delay = self._retry.delay(attempt, retry_after)
        log().warning(
            "lwa.retry",
            grant_type=grant_type,
            attempt=attempt,
            delay_s=round(delay, 3),
            status=response.status_code if response is not None else None,
            amzn_request_id=request_id_of(response) if response is not None else None,
        )
        await asyncio.sleep(delay)


def _error(response: httpx.Response) -> LwaError:
    try:
        body = json.loads(response.content or b"{}")
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    error = str(body.get("error") or f"http_{response.status_code}")
    description = str(body.get("error_description") or response.reason_phrase)
    request_id = request_id_of(response) or (str(body["request_id"]) if body.get("request_id") else None)
    cls = {"invalid_grant": InvalidGrant, "invalid_client": InvalidClient}.get(error, LwaError)
    return cls(error, description, response.status_code, request_id)
