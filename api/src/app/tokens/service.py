"""The token manager: LWA access tokens per connection (Redis-cached, single flight across
processes), grantless tokens, Ads tokens per region, and RDTs in process memory.

`TokenManager.provider(connection)` is the `TokenProvider` an `SpApiClient` takes, and
`spapi_client(connection)` wires both together. On `invalid_grant` every caller gets
`ReauthorizationRequired`, the manager's `on_invalid_grant` handler is told once (the connections
domain marks the connection `needs_reauth`, with an audit entry), and a short Redis marker stops
other processes from asking LWA again until `forget()` is called after re-consent.

Build one manager per process: `app.connections.clients` does (API lifespan, worker resources).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import redis.asyncio as aioredis
import structlog

from app.adsapi import AdsClient, AdsTokenProvider
from app.amazon_http.call_counts import CallOwner
from app.amazon_http.lwa import ClientCredentials, InvalidClient, InvalidGrant, LwaClient, LwaError, LwaToken
from app.amazon_http.ratelimit import UsagePlan
from app.amazon_http.transport import AmazonTransport
from app.kit.regions import Region
from app.settings import Settings
from app.spapi.auth import MintedRdt, RdtCache, RestrictedResource, TokenProvider
from app.spapi.client import SpApiClient
from app.spapi.primitives import OrdersVersion
from app.tokens.cache import AccessTokenCache, FreshToken
from app.tokens.errors import (
    ClientAuthenticationFailed,
    MissingRefreshToken,
    ReauthorizationRequired,
    TokenServiceUnavailable,
)
from app.tokens.repository import ConnectionRef, TokenStore


def log() -> Any:
    # Looked up per call, not cached at import: logging may be configured after this module loads.
    return structlog.get_logger("app.tokens")


_REAUTH_MARKER_TTL_S = 600
_LwaCall = Callable[[ClientCredentials], Awaitable[LwaToken]]


def call_owner(connection: ConnectionRef) -> CallOwner:
    """What the transport labels and counts a stored connection's calls by (no seller id)."""
    return CallOwner(tenant_id=connection.tenant_id or "", connection_id=connection.connection_id)


class InvalidGrantHandler(Protocol):
    """Told when LWA refuses a connection's refresh token (`invalid_grant`), before the caller gets
    `ReauthorizationRequired`: the caller's unit of work is about to fail, so whatever the handler
    records must be written in a transaction of its own."""

    async def __call__(self, connection: ConnectionRef, *, reason: str, request_id: str | None) -> None: ...


@dataclass
class ConnectionTokens:
    """`TokenProvider` bound to one connection."""

    manager: TokenManager
    connection: ConnectionRef

    async def access_token(self, *, expired: str | None = None) -> str:
        return await self.manager.access_token(self.connection, expired=expired)

    async def restricted_data_token(
        self, resources: Sequence[RestrictedResource], *, expired: str | None = None
    ) -> str:
        return await self.manager.restricted_data_token(self.connection, resources, expired=expired)


@dataclass
class GrantlessTokens:
    """`TokenProvider` for the application itself (client_credentials with one scope)."""

    manager: TokenManager
    scope: str

    async def access_token(self, *, expired: str | None = None) -> str:
        return await self.manager.grantless_token(self.scope, expired=expired)

    async def restricted_data_token(
        self, resources: Sequence[RestrictedResource], *, expired: str | None = None
    ) -> str:
        raise TypeError("grantless operations never take a restricted data token")


class JustIssuedToken:
    """`TokenProvider` of the access token an authorization-code exchange just returned: onboarding
    makes its first calls with it, before anything is stored. It lives in memory for that request
    only; afterwards the manager mints access tokens from the stored (encrypted) refresh token."""

    def __init__(self, access_token: str) -> None:
        self._access_token = access_token

    def __repr__(self) -> str:
        return "JustIssuedToken(***)"

    async def access_token(self, *, expired: str | None = None) -> str:
        return self._access_token

    async def restricted_data_token(
        self, resources: Sequence[RestrictedResource], *, expired: str | None = None
    ) -> str:
        raise TypeError("onboarding never needs a restricted data token")


class TokenManager:
    def __init__(
        self,
        *,
        settings: Settings,
        store: TokenStore,
        redis: aioredis.Redis,
        transport: AmazonTransport,
        lwa: LwaClient | None = None,
        cache: AccessTokenCache | None = None,
        rdt_cache: RdtCache | None = None,
        on_invalid_grant: InvalidGrantHandler | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.on_invalid_grant = on_invalid_grant
        self.transport = transport
        self._redis = redis
        self.lwa = lwa or LwaClient(transport.http)
        self.cache = cache or AccessTokenCache(redis, settings.security.encryption_keys)
        self.rdts = rdt_cache or RdtCache()

    # Clients -----------------------------------------------------------------------------------

    @property
    def application_id(self) -> str:
        sp = self.settings.spapi
        return sp.spapi_application_id or sp.lwa_client_id or "app"

    def provider(self, connection: ConnectionRef) -> ConnectionTokens:
        return ConnectionTokens(self, connection)

    def spapi_client(
        self,
        connection: ConnectionRef,
        *,
        max_wait_s: float = 5.0,
        orders_api_version: OrdersVersion | None = None,
        plans: Mapping[str, UsagePlan] | None = None,
    ) -> SpApiClient:
        """A client for one seller. `max_wait_s`: requests ~5 s; workers ~0 (they reschedule on
        `Throttled.retry_after`). `plans`: usage plans to start from instead of the defaults."""
        return self.seller_client(
            connection.region,
            connection.account_id,
            self.provider(connection),
            max_wait_s=max_wait_s,
            orders_api_version=orders_api_version,
            plans=plans,
            owner=call_owner(connection),
        )

    def seller_client(
        self,
        region: Region,
        selling_partner_id: str,
        tokens: TokenProvider,
        *,
        max_wait_s: float = 5.0,
        orders_api_version: OrdersVersion | None = None,
        plans: Mapping[str, UsagePlan] | None = None,
        owner: CallOwner | None = None,
    ) -> SpApiClient:
        """An SP-API client for a seller with the given credentials (a stored connection's, or the
        token onboarding was just issued: `JustIssuedToken`)."""
        return SpApiClient(
            self.transport,
            base_url=self.settings.spapi.base_url(region),
            region=region,
            application_id=self.application_id,
            selling_partner_id=selling_partner_id,
            tokens=tokens,
            max_wait_s=max_wait_s,
            orders_api_version=orders_api_version or self.settings.spapi.orders_api_version,
            plans=plans,
            owner=owner,
        )

    def ads_client(
        self, connection: ConnectionRef, *, profile_id: str | None = None, max_wait_s: float = 5.0
    ) -> AdsClient:
        if connection.provider != "amazon_ads":
            raise ValueError("ads_client needs an amazon_ads connection")
        return self.advertiser_client(
            connection.region,
            self.provider(connection),
            profile_id=profile_id,
            max_wait_s=max_wait_s,
            owner=call_owner(connection),
        )

    def advertiser_client(
        self,
        region: Region,
        tokens: AdsTokenProvider,
        *,
        profile_id: str | None = None,
        max_wait_s: float = 5.0,
        owner: CallOwner | None = None,
    ) -> AdsClient:
        """An Ads client with the given credentials (see `seller_client`)."""
        return AdsClient(
            self.transport,
            base_url=self.settings.ads.base_url(region),
            region=region,
            client_id=self.settings.ads.ads_client_id,
            tokens=tokens,
            profile_id=profile_id,
            max_wait_s=max_wait_s,
            owner=owner,
        )

    def grantless_client(self, region: Region, scope: str, *, max_wait_s: float = 5.0) -> SpApiClient:
        return SpApiClient(
            self.transport,
            base_url=self.settings.spapi.base_url(region),
            region=region,
            application_id=self.application_id,
            selling_partner_id=None,
            tokens=GrantlessTokens(self, scope),
            max_wait_s=max_wait_s,
        )

    # Tokens ------------------------------------------------------------------------------------

    async def access_token(self, connection: ConnectionRef, *, expired: str | None = None) -> str:
        """The connection's LWA access token (SP-API or Ads, by the connection's provider)."""
        key = self._cache_key(connection)
        if await self._redis.exists(self._reauth_key(connection)):
            raise ReauthorizationRequired(connection.connection_id)
        return await self.cache.get(key, lambda: self._refresh(connection), expired=expired)

    async def grantless_token(self, scope: str, *, expired: str | None = None) -> str:
        url = self.settings.spapi.lwa_token_url

        async def refresh() -> FreshToken:
            clients = await self._sp_clients()
            token = await self._lwa_call(
                lambda client: self.lwa.client_credentials(url, client, scope), clients
            )
            return FreshToken(token.access_token, token.expires_in)

        key = f"grantless:{self.settings.spapi.lwa_client_id}:{scope}"
        return await self.cache.get(key, refresh, expired=expired)

    async def restricted_data_token(
        self,
        connection: ConnectionRef,
        resources: Sequence[RestrictedResource],
        *,
        expired: str | None = None,
    ) -> str:
        async def mint(covered: Sequence[RestrictedResource]) -> MintedRdt:
            client = self.spapi_client(connection)
            return await client.tokens.create_restricted_data_token(covered)

        return await self.rdts.get(connection.connection_id, resources, mint, expired=expired)

    async def forget(self, connection: ConnectionRef) -> None:
        """Drop cached tokens and the re-authorization marker (call after the seller re-consents)."""
        await self.cache.invalidate(self._cache_key(connection))
        await self._redis.delete(self._reauth_key(connection))

    async def exchange_authorization_code(
        self, provider: str, region: Region, code: str, redirect_uri: str | None
    ) -> LwaToken:
        """Onboarding: trade a consent code for tokens (the caller encrypts and stores the refresh token)."""
        if provider == "amazon_ads":
            clients, url = [self._ads_client_credentials()], self.settings.ads.token_url(region)
        else:
            clients, url = await self._sp_clients(), self.settings.spapi.lwa_token_url
        return await self._lwa_call(
            lambda c: self.lwa.authorization_code(url, c, code, redirect_uri), clients
        )

    # Internals ---------------------------------------------------------------------------------

    def _cache_key(self, connection: ConnectionRef) -> str:
        kind = "ads" if connection.provider == "amazon_ads" else "sp"
        return f"{kind}:{connection.connection_id}"

    def _reauth_key(self, connection: ConnectionRef) -> str:
        return f"lwa:reauth:{connection.connection_id}"

    async def _refresh(self, connection: ConnectionRef) -> FreshToken:
        refresh_token = await self.store.refresh_token(connection)
        if not refresh_token:
            raise MissingRefreshToken(connection.connection_id)
        if connection.provider == "amazon_ads":
            clients, url = [self._ads_client_credentials()], self.settings.ads.token_url(connection.region)
        else:
            clients, url = await self._sp_clients(), self.settings.spapi.lwa_token_url
        try:
            token = await self._lwa_call(lambda c: self.lwa.refresh(url, c, refresh_token), clients)
        except InvalidGrant as exc:
            await self._redis.set(self._reauth_key(connection), b"1", ex=_REAUTH_MARKER_TTL_S)
            if self.on_invalid_grant is not None:
                await self.on_invalid_grant(connection, reason="invalid_grant", request_id=exc.request_id)
            log().warning(
                "tokens.needs_reauth",
                connection_id=connection.connection_id,
                provider=connection.provider,
                region=connection.region,
                amzn_request_id=exc.request_id,
            )
            raise ReauthorizationRequired(connection.connection_id, request_id=exc.request_id) from None
        log().info("tokens.refreshed", connection_id=connection.connection_id, provider=connection.provider)
        return FreshToken(token.access_token, token.expires_in)

    async def _lwa_call(self, call: _LwaCall, clients: Sequence[ClientCredentials]) -> LwaToken:
        """Call LWA with the first secret; on invalid_client try the next (rotation overlap)."""
        for index, client in enumerate(clients):
            try:
                return await call(client)
            except InvalidClient as exc:
                if index + 1 < len(clients):
                    log().warning(
                        "tokens.client_secret_rejected", fallback=True, amzn_request_id=exc.request_id
                    )
                    continue
                raise ClientAuthenticationFailed(
                    "LWA rejected the client id/secret (expired secret after a missed rotation?)",
                    request_id=exc.request_id,
                ) from None
            except InvalidGrant:
                raise
            except LwaError as exc:
                raise TokenServiceUnavailable(
                    f"LWA failed: {exc.error} (HTTP {exc.status})",
                    status=exc.status,
                    request_id=exc.request_id,
                ) from None
        raise ClientAuthenticationFailed("no LWA client credentials configured")

    async def _sp_clients(self) -> list[ClientCredentials]:
        """The newest rotated secret first, then the configured one: during the 7 days both are
        valid either works, and a rotation never costs a failed call."""
        sp = self.settings.spapi
        rotated = await self.store.current_client_secret(sp.lwa_client_id)
        clients = [ClientCredentials(sp.lwa_client_id, rotated.secret)] if rotated else []
        if sp.lwa_client_secret and (rotated is None or rotated.secret != sp.lwa_client_secret):
            clients.append(ClientCredentials(sp.lwa_client_id, sp.lwa_client_secret))
        return clients

    def _ads_client_credentials(self) -> ClientCredentials:
        ads = self.settings.ads
        return ClientCredentials(ads.ads_client_id, ads.ads_client_secret)
