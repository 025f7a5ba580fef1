"""The Amazon clients of a process, wired once: one token manager, one transport (the process's
HTTP client and the Redis rate limiter shared with every other process), and SP-API / Ads clients
per stored connection.

* The API builds them in its lifespan (`app.state.amazon_clients`); endpoints get them through
  `AmazonClientsDep` (`app.connections.dependencies`).
* A worker builds them on first use from its per-process resources: `worker_amazon_clients()`.

A stored connection becomes a `ConnectionRef` here and nowhere else (`ref_of`). When LWA refuses a
connection's refresh token (`invalid_grant`), `MarkNeedsReauth` marks the connection and audits it.
"""

from __future__ import annotations

import time
import uuid
from typing import cast

import httpx
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.adsapi import AdsClient
from app.amazon_http.call_counts import DailyCallCounts
from app.amazon_http.ratelimit import RateLimiter
from app.amazon_http.transport import AmazonTransport
from app.audit.service import record
from app.connections import retention
from app.connections.models import Connection
from app.connections.repository import ConnectionRepository
from app.db.session import unit_of_work
from app.kit.providers import Provider
from app.kit.regions import Region
from app.settings import Settings, get_settings
from app.spapi.client import SpApiClient
from app.spapi.primitives import OrdersVersion
from app.tokens.repository import ConnectionRef, SqlTokenStore
from app.tokens.service import JustIssuedToken, TokenManager
from app.worker.context import WorkerResources, resources

# A connection's ids, region and account never change; a short memory of them saves a transaction
# per client. A disconnected connection is not scheduled, and its deleted token fails anyway.
REF_TTL_S = 60.0
_REF_CACHE_MAX = 10_000


def ref_of(connection: Connection) -> ConnectionRef:
    """The token layer's view of a stored connection."""
    return ConnectionRef(
        connection_id=str(connection.id),
        tenant_id=str(connection.tenant_id),
        provider=cast(Provider, connection.provider),
        region=cast(Region, connection.region),
        account_id=connection.account_id,
    )


async def connection_ref(session: AsyncSession, connection_id: str | uuid.UUID) -> ConnectionRef:
    """The `ConnectionRef` of a stored connection; LookupError when there is none."""
    row = await ConnectionRepository(session).by_id(uuid.UUID(str(connection_id)))
    if row is None:
        raise LookupError(f"connection {connection_id} not found")
    return ref_of(row)


class MarkNeedsReauth:
    """The token manager's `on_invalid_grant`: the connection becomes `needs_reauth` and the audit
    log says why. Its own short transaction, on purpose: the caller's unit of work is about to fail
    with `ReauthorizationRequired`, and this must survive its rollback."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def __call__(self, connection: ConnectionRef, *, reason: str, request_id: str | None) -> None:
        connection_id = uuid.UUID(connection.connection_id)
        async with unit_of_work(self._sessionmaker) as session:
            repository = ConnectionRepository(session)
            tenant_id = await repository.mark_needs_reauth(connection_id, reason)
            if tenant_id is None:
                return  # already marked (another process got there first) or not active
            await record(
                session,
                tenant_id=tenant_id,
                actor_user_id=None,
                action="connection.needs_reauth",
                target_type="connection",
                target_id=str(connection_id),
                data={"reason": reason, "provider": connection.provider, "region": connection.region},
                request_id=request_id,
            )
            # Amazon no longer lets us read this seller's data (revoked, or lapsed): what we hold
            # of it is deleted after the grace period unless the seller authorizes us again.
            row = await repository.get(tenant_id, connection_id)
            if row is not None:
                await retention.schedule_deletion(
                    session, row, reason=reason, actor_user_id=None, request_id=request_id
                )


class AmazonClients:
    """One per process (see the module's docstring). Clients are cheap: derive one per use."""

    def __init__(
        self,
        tokens: TokenManager,
        token_store: SqlTokenStore,
        sessionmaker: async_sessionmaker[AsyncSession],
    ) -> None:
        self.tokens = tokens
        # Onboarding stores (and disconnecting deletes) refresh tokens through it.
        self.token_store = token_store
        self._sessionmaker = sessionmaker
        self._refs: dict[str, tuple[float, ConnectionRef]] = {}

    @classmethod
    def build(
        cls,
        settings: Settings,
        *,
        redis: aioredis.Redis,
        sessionmaker: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
    ) -> AmazonClients:
        """The production wiring: the process's HTTP client with the Redis limiter shared by every
        process, the SQL token store, and `invalid_grant` marking the connection."""
        store = SqlTokenStore(sessionmaker, settings.security.encryption_keys)
        tokens = TokenManager(
            settings=settings,
            store=store,
            redis=redis,
            transport=AmazonTransport(http, limiter=RateLimiter(redis), calls=DailyCallCounts(redis)),
            on_invalid_grant=MarkNeedsReauth(sessionmaker),
        )
        return cls(tokens, store, sessionmaker)

    @property
    def settings(self) -> Settings:
        return self.tokens.settings

    @property
    def transport(self) -> AmazonTransport:
        return self.tokens.transport

    # Stored connections -------------------------------------------------------------------------

    async def ref(self, connection_id: str | uuid.UUID) -> ConnectionRef:
        """The connection's `ConnectionRef`, remembered for REF_TTL_S; LookupError when it is gone."""
        key = str(connection_id)
        cached = self._refs.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self._sessionmaker() as session:
            ref = await connection_ref(session, key)
        if len(self._refs) > _REF_CACHE_MAX:
            self._refs.clear()
        self._refs[key] = (time.monotonic() + REF_TTL_S, ref)
        return ref

    async def spapi(
        self,
        connection_id: str | uuid.UUID,
        *,
        max_wait_s: float = 5.0,
        orders_api_version: OrdersVersion | None = None,
    ) -> SpApiClient:
        """The SP-API client of a stored seller connection. `max_wait_s`: how long a call may wait
        for a rate-limit slot (requests ~5 s; workers 0, they reschedule instead)."""
        ref = await self.ref(connection_id)
        return self.tokens.spapi_client(ref, max_wait_s=max_wait_s, orders_api_version=orders_api_version)

    def spapi_of(self, connection: Connection, *, max_wait_s: float = 5.0) -> SpApiClient:
        """The SP-API client of a connection row the caller has already loaded."""
        return self.tokens.spapi_client(ref_of(connection), max_wait_s=max_wait_s)

    async def ads(
        self, connection_id: str | uuid.UUID, *, profile_id: str | None = None, max_wait_s: float = 5.0
    ) -> AdsClient:
        """The Ads client of a stored Ads connection (for one profile when `profile_id` is given)."""
        ref = await self.ref(connection_id)
        return self.tokens.ads_client(ref, profile_id=profile_id, max_wait_s=max_wait_s)

    def grantless(self, region: Region, scope: str, *, max_wait_s: float = 5.0) -> SpApiClient:
        """The application's own client for grantless operations (notifications, secret rotation)."""
        return self.tokens.grantless_client(region, scope, max_wait_s=max_wait_s)

    async def forget(self, connection: Connection) -> None:
        """Drop the connection's cached tokens and re-authorization marker (after re-consent or a
        disconnect) and its remembered ref."""
        self._refs.pop(str(connection.id), None)
        await self.tokens.forget(ref_of(connection))

    # Onboarding: the access token a code exchange just returned, before anything is stored --------

    def just_issued_spapi(
        self, region: Region, selling_partner_id: str, access_token: str, *, max_wait_s: float = 10.0
    ) -> SpApiClient:
        return self.tokens.seller_client(
            region, selling_partner_id, JustIssuedToken(access_token), max_wait_s=max_wait_s
        )

    def just_issued_ads(self, region: Region, access_token: str, *, max_wait_s: float = 10.0) -> AdsClient:
        return self.tokens.advertiser_client(region, JustIssuedToken(access_token), max_wait_s=max_wait_s)


def build_token_manager(
    settings: Settings,
    *,
    redis: aioredis.Redis,
    sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
) -> TokenManager:
    """The production token manager alone, wired as `AmazonClients.build` wires it (tests that
    drive the token layer directly)."""
    return AmazonClients.build(settings, redis=redis, sessionmaker=sessionmaker, http=http).tokens


def _worker_clients(worker: WorkerResources) -> AmazonClients:
    return AmazonClients.build(
        get_settings(), redis=worker.redis, sessionmaker=worker.sessionmaker, http=worker.http
    )


def worker_amazon_clients() -> AmazonClients:
    """The worker process's Amazon clients, built on its resources on first use."""
    return resources.shared(_worker_clients)
