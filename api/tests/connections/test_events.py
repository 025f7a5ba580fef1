"""What a connection's authorization and disconnection set off in the domains above connections,
through their subscribers (`app.kit.events`): sync rows and the first sync, the ORDER_CHANGE
subscription, the first look for settlement reports, paused rows."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.events import ConnectionAuthorized, ConnectionDisconnected
from app.kit.events import publish, subscribers_of
from app.settings import NotificationSettings, Settings, get_settings
from app.sync.models import SyncState
from app.worker.enqueue import buffered_jobs
from tests.factories.connections import make_seller

US, CA = "ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"


def test_every_entry_point_registers_the_subscribers() -> None:
    """`app.tasks` (imported by every entry point, and by the tests' conftest) brings them in."""
    assert subscribers_of(ConnectionAuthorized) == [
        "app.notifications.tasks.subscribe_authorized_seller",
        "app.reports.tasks.discover_authorized_sellers_settlements",
        "app.sync.lifecycle.start_syncing",
    ]
    assert subscribers_of(ConnectionDisconnected) == ["app.sync.lifecycle.stop_syncing"]


def authorized(
    tenant_id: uuid.UUID, connection_id: uuid.UUID, provider: str = "amazon_sp"
) -> ConnectionAuthorized:
    return ConnectionAuthorized(
        tenant_id=tenant_id,
        connection_id=connection_id,
        provider=provider,  # type: ignore[arg-type]
        region="NA",
        marketplace_ids=(US, CA),
        reconnected=False,
    )


async def states(session: AsyncSession, connection_id: uuid.UUID) -> list[tuple[str, str]]:
    rows = await session.scalars(select(SyncState).where(SyncState.connection_id == connection_id))
    return sorted((s.marketplace_id, s.status) for s in rows.all())


@pytest.fixture
def with_queue(monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = get_settings().model_copy(
        update={"notifications": NotificationSettings(notifications_sqs_queue_url="http://sqs.local/q")}
    )
    monkeypatch.setattr("app.notifications.tasks.get_settings", lambda: settings)
    return settings


async def test_an_authorized_seller_gets_sync_rows_a_first_sync_and_a_subscription(
    session: AsyncSession, with_queue: Settings
) -> None:
    seller = await make_seller(session)
    assert await publish(session, authorized(seller.tenant_id, seller.connection_id)) == 3
    assert await states(session, seller.connection_id) == [(CA, "idle"), (US, "idle")]
    ids = {"connection_id": str(seller.connection_id), "tenant_id": str(seller.tenant_id)}
    assert [(j.actor_name, j.kwargs) for j in buffered_jobs(session)] == [
        ("notifications.subscribe_order_changes", ids),
        ("reports.discover_settlements", ids),
        ("sync.connection_onboarded", ids),
    ]


async def test_without_a_queue_there_is_no_subscription(session: AsyncSession) -> None:
    seller = await make_seller(session)
    await publish(session, authorized(seller.tenant_id, seller.connection_id))
    assert [j.actor_name for j in buffered_jobs(session)] == [
        "reports.discover_settlements",
        "sync.connection_onboarded",
    ]


async def test_an_ads_authorization_syncs_each_profile_and_subscribes_nothing(
    session: AsyncSession, with_queue: Settings
) -> None:
    """Ads: the ids are profiles; each gets a row per Ads dataset; no notification, no settlement."""
    seller = await make_seller(session)
    profiles = ("1111", "2222")
    event = authorized(seller.tenant_id, seller.connection_id, "amazon_ads")
    await publish(session, dataclasses.replace(event, marketplace_ids=profiles))
    rows = await session.scalars(select(SyncState).where(SyncState.connection_id == seller.connection_id))
    assert sorted((s.marketplace_id, s.entity) for s in rows.all()) == [
        (profile, entity)
        for profile in profiles
        for entity in ("ads_advertised_product", "ads_purchased_product", "ads_structure")
    ]
    ids = {"connection_id": str(seller.connection_id), "tenant_id": str(seller.tenant_id)}
    assert [(j.actor_name, j.kwargs) for j in buffered_jobs(session)] == [("sync.connection_onboarded", ids)]


async def test_disconnect_pauses_the_rows_and_a_new_authorization_resumes_them(session: AsyncSession) -> None:
    seller = await make_seller(session)
    await publish(session, authorized(seller.tenant_id, seller.connection_id))
    await publish(
        session, ConnectionDisconnected(seller.tenant_id, seller.connection_id, provider="amazon_sp")
    )
    session.expire_all()
    assert await states(session, seller.connection_id) == [(CA, "paused"), (US, "paused")]
    await publish(session, authorized(seller.tenant_id, seller.connection_id))
    session.expire_all()
    assert await states(session, seller.connection_id) == [(CA, "idle"), (US, "idle")]
