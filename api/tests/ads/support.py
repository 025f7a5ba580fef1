"""The Ads sync in this process, as the worker runs it: an advertiser onboarded through
`complete_ads` (a consent code from the in-process emulator), the engine's dispatch and runs with the
product's own Amazon clients, and the emulator's side (truth, request log, reports)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
import redis.asyncio as aioredis
from amazon_emulator.config import DEMO_CLIENT_ID, DEMO_SELLER_ID
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.ads.models import AdsSpAdvertisedProductDaily
from app.ads.service import request_sync
from app.ads.sync import ADS_ADVERTISED_PRODUCT
from app.adsapi import AdsClient
from app.audit.service import Actor
from app.auth.models import User
from app.connections.amazon import ADS_SCOPE
from app.connections.clients import AmazonClients
from app.connections.oauth_state import OAuthState
from app.connections.service import Onboarding, complete_ads
from app.documents.service import DocumentRequest
from app.settings import Settings
from app.sync import planner
from app.sync.dataset import Scope
from app.sync.models import SyncState
from app.sync.observe import install
from app.sync.service import ONBOARDED_ACTOR, RUN_ACTOR, connection_onboarded
from app.worker.enqueue import buffered_jobs, discard_buffered_jobs
from tests.factories.tenants import make_tenant
from tests.sync.support import EngineRuns

ADS_DATASETS = ("ads_advertised_product", "ads_purchased_product", "ads_structure")


@dataclass(frozen=True)
class Advertiser:
    tenant_id: uuid.UUID
    connection_id: uuid.UUID
    profile_ids: list[str]


async def consent_code(http: httpx.AsyncClient, settings: Settings, seller: str = DEMO_SELLER_ID) -> str:
    """Press "Allow" on the emulator's Login with Amazon page: the code the callback would get."""
    response = await http.post(
        "/ap/oa/consent",
        data={
            "client_id": DEMO_CLIENT_ID,
            "scope": ADS_SCOPE,
            "response_type": "code",
            "redirect_uri": settings.ads.lwa_redirect_uri,
            "state": "test",
            "selling_partner_id": seller,
            "decision": "allow",
        },
    )
    assert response.status_code == 302, response.text
    return parse_qs(urlparse(response.headers["location"]).query)["code"][0]


class AdsHarness(EngineRuns):
    """Onboarding, dispatch and runs in this process (no broker): what the API and a worker do."""

    def __init__(
        self, engine: AsyncEngine, settings: Settings, http: httpx.AsyncClient, redis: aioredis.Redis
    ):
        super().__init__(engine, settings)
        self.http = http
        install(http)
        self.clients = AmazonClients.build(settings, redis=redis, sessionmaker=self.sessionmaker, http=http)

    async def client(self, provider: str, connection_id: str) -> AdsClient:
        assert provider == "amazon_ads"
        return await self.clients.ads(connection_id, max_wait_s=0.0)

    async def onboard(self) -> Advertiser:
        """A tenant's admin connects the emulator's demo advertiser; `sync.connection_onboarded` runs."""
        code = await consent_code(self.http, self.settings)
        async with self.sessionmaker() as session:
            tenant = await make_tenant(session, "Ads")
            user = User(email=f"{uuid.uuid4().hex[:8]}@example.com")
            session.add(user)
            await session.flush()
            state = OAuthState(str(tenant.id), str(user.id), "amazon_ads", "NA")
            onboarding = Onboarding(self.settings, None, self.clients)  # type: ignore[arg-type]
            connection = await complete_ads(session, onboarding, state, Actor(user.id), code=code)
            onboarded = [j.kwargs for j in buffered_jobs(session) if j.actor_name == ONBOARDED_ACTOR]
            discard_buffered_jobs(session)
            await session.commit()
            tenant_id, connection_id = tenant.id, connection.id
        assert onboarded == [{"connection_id": str(connection_id), "tenant_id": str(tenant_id)}]
        async with self.uow() as session:
            await connection_onboarded(session, tenant_id, connection_id)
        async with self.sessionmaker() as session:
            rows = (await session.execute(select(SyncState.marketplace_id).distinct())).scalars()
            profiles = sorted(rows)
        return Advertiser(tenant_id, connection_id, profiles)

    async def sync_now(self, tenant_id: uuid.UUID, profile_id: str | None = None) -> int:
        """`POST /api/ads/sync`'s service, its runs made here instead of by a worker."""
        async with self.sessionmaker() as session:
            queued = await request_sync(session, tenant_id, profile_id)
            messages = [j.kwargs for j in buffered_jobs(session) if j.actor_name == RUN_ACTOR]
            discard_buffered_jobs(session)
            await session.commit()
        for message in messages:
            await self.run(message)
        return queued

    async def first_report_request(
        self, advertiser: Advertiser, profile_id: str
    ) -> DocumentRequest[dict[str, Any]]:
        """The spAdvertisedProduct report the profile's backfill asks for first, exactly as it asks."""
        [row] = [
            s
            for s in await self.states()
            if s.marketplace_id == profile_id and s.entity == ADS_ADVERTISED_PRODUCT.name
        ]
        assert row.backfill_from is not None and row.backfill_to is not None
        window = planner.next_backfill_window(
            row.backfill_from, row.backfill_to, None, ADS_ADVERTISED_PRODUCT.window
        )
        assert window is not None
        async with self.sessionmaker() as session:
            scope = await ADS_ADVERTISED_PRODUCT.describe_scope(
                session, Scope(advertiser.tenant_id, advertiser.connection_id, profile_id)
            )
        return ADS_ADVERTISED_PRODUCT.document_request(scope, window)

    async def states(self) -> list[SyncState]:
        async with self.sessionmaker() as session:
            return list((await session.execute(select(SyncState).order_by(SyncState.id))).scalars())

    async def until_synced(self, timeout_s: float = 120.0) -> None:
        """Every row backfilled and its delta done (no window in flight)."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while asyncio.get_running_loop().time() < deadline:
            for message in await self.dispatch():
                await self.run(message)
            states = await self.states()
            if states and all(
                s.backfill_completed_at is not None
                and (s.extra or {}).get("last_delta_at")
                and not (s.extra or {}).get("delta")
                and not (s.extra or {}).get("force_delta")
                for s in states
            ):
                return
            await asyncio.sleep(0.05)
        unsettled = [
            (s.entity, s.marketplace_id, s.backfill_done_until, s.next_run_at, s.extra)
            for s in await self.states()
            if s.backfill_completed_at is None
            or (s.extra or {}).get("delta")
            or not (s.extra or {}).get("last_delta_at")
        ]
        raise AssertionError(f"the Ads sync did not settle: {unsettled}")

    async def rewind_backfill(self) -> None:
        """Every row's backfill from its start again, due now."""
        async with self.uow() as session:
            await session.execute(
                update(SyncState).values(
                    backfill_done_until=None, backfill_completed_at=None, next_run_at=func.now()
                )
            )

    async def truth(self, profile_id: str, start: date, end: date) -> dict[str, Any]:
        response = await self.http.get(
            f"/_emulator/ads/{profile_id}/truth", params={"start": start.isoformat(), "end": end.isoformat()}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def stored_by_asin(
        self, profile_id: str, start: date, end: date
    ) -> dict[str, tuple[Decimal, Decimal, int, int]]:
        """(cost, sales at 7 days, clicks, rows) per advertised ASIN over local days `start..end`."""
        table = AdsSpAdvertisedProductDaily
        async with self.sessionmaker() as session:
            rows = await session.execute(
                select(
                    table.advertised_asin,
                    func.sum(table.cost),
                    func.sum(table.sales_7d),
                    func.sum(table.clicks),
                    func.count(),
                )
                .where(table.profile_id == profile_id, table.date >= start, table.date <= end)
                .group_by(table.advertised_asin)
            )
            return {asin: (cost, sales, int(clicks), int(n)) for asin, cost, sales, clicks, n in rows.all()}


@pytest.fixture
async def harness(
    engine: AsyncEngine,
    amazon_settings: Settings,
    emulator_http: httpx.AsyncClient,
    redis_client: aioredis.Redis,
) -> AsyncIterator[AdsHarness]:
    """The Ads sync in this process, against the test's in-process emulator."""
    yield AdsHarness(engine, amazon_settings, emulator_http, redis_client)
