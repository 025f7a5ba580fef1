"""Retention (Amazon's DPP: a seller's data is deleted when the authorization ends): the deletion
job removes every row and stored file of the connection, domain by domain, and nothing of any other
connection or tenant; it runs only once the date has passed and never after a reconnect."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.ads.models import AdsCampaign, AdsSpAdvertisedProductDaily
from app.audit.models import AuditLog
from app.connections.events import ConnectionDataDeletionDue
from app.connections.models import AdsProfile, Connection
from app.connections.retention import delete_if_due, due_connections
from app.connections.tasks import retention_tick
from app.documents.storage import StoredFileMissing, storage_from_settings
from app.feeds.models import Feed, FeedDocument
from app.kit.events import subscribers_of
from app.orders.models import Order, OrderItem
from app.reports.models import Report, ReportDocument
from app.settings import get_settings
from app.sync.models import SyncState
from app.sync.repository import SyncRepository
from app.tokens.models import Token
from app.tokens.repository import SqlTokenStore
from app.worker.scheduler import _tick_handlers
from tests.factories.ads import add_rows, advertised_day, make_ad, make_ad_group, make_campaign, make_profile
from tests.factories.connections import make_connection
from tests.factories.feeds import FeedSeller, inventory_tsv, make_feed
from tests.factories.orders import store_order
from tests.factories.reports import ReportSeller, make_report
from tests.factories.tenants import make_tenant

US = "ATVPDKIKX0DER"
PAST = datetime.now(UTC) - timedelta(minutes=1)


async def _stored_report(session: AsyncSession, seller: ReportSeller) -> str:
    report = await make_report(session, seller, "GET_MERCHANT_LISTINGS_ALL_DATA", status="done")
    key = f"{seller.tenant_id}/reports/{report.id}/document"

    async def chunks() -> AsyncIterator[bytes]:
        yield b"sku\tprice\nSKU-1\t9.99\n"

    await storage_from_settings(get_settings()).write(key, chunks())
    session.add(
        ReportDocument(
            tenant_id=seller.tenant_id, report_id=report.id, amazon_document_id="doc-1", storage_key=key
        )
    )
    await session.flush()
    return key


async def _seller_with_data(
    session: AsyncSession, tenant_id: uuid.UUID, **values: object
) -> tuple[Connection, list[str]]:
    """An SP-API connection with an order, sync rows, a refresh token, a stored report and a feed."""
    connection = await make_connection(session, tenant_id, marketplaces=[US], **values)
    await store_order(
        session,
        tenant_id,
        connection.id,
        f"111-{uuid.uuid4().int % 10**7:07d}-0000001",
        purchased=datetime(2026, 11, 2, 12, tzinfo=UTC),
        lines=[("B000TEST01", "SKU-1", Decimal("9.99"), 2)],
    )
    await SyncRepository(session).ensure_rows(tenant_id, connection.id, [US], "orders", datetime.now(UTC))
    await SqlTokenStore(None, get_settings().security.encryption_keys).store_refresh_token(  # type: ignore[arg-type]
        session, str(tenant_id), str(connection.id), "Atzr|refresh"
    )
    report_key = await _stored_report(session, ReportSeller(tenant_id, connection.id))
    storage = storage_from_settings(get_settings())
    feed = await make_feed(
        session, FeedSeller(tenant_id, connection.id, connection.account_id), storage, inventory_tsv()
    )
    feed_keys = list(
        await session.scalars(select(FeedDocument.storage_key).where(FeedDocument.feed_id == feed.id))
    )
    return connection, [report_key, *feed_keys]


async def _count(session: AsyncSession, model: type, connection_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(model).where(model.connection_id == connection_id)
        )  # type: ignore[attr-defined]
        or 0
    )


async def _exists(key: str) -> bool:
    try:
        async for _ in storage_from_settings(get_settings()).read(key):
            pass
    except StoredFileMissing:
        return False
    return True


def test_every_domain_deletes_its_own_rows() -> None:
    """The wiring: one subscriber per domain that owns a table of a connection's data."""
    assert {name.split(".")[1] for name in subscribers_of(ConnectionDataDeletionDue)} == {
        "ads",
        "feeds",
        "notifications",
        "orders",
        "reports",
        "sync",
    }
    assert retention_tick in _tick_handlers


async def test_due_deletion_removes_the_connections_data_and_files_only(session: AsyncSession) -> None:
    tenant = await make_tenant(session, "Leaving")
    gone, gone_files = await _seller_with_data(
        session, tenant.id, status="revoked", disconnected_at=PAST, data_deletion_due_at=PAST
    )
    kept, kept_files = await _seller_with_data(session, tenant.id, status="active")
    other_tenant = await make_tenant(session, "Staying")
    other, other_files = await _seller_with_data(session, other_tenant.id, status="active")
    # An Ads profile linked to the seller that goes: its Ads rows are the Ads connection's, they stay.
    profile = await make_profile(session, tenant.id, seller=gone)
    campaign = await make_campaign(session, profile)
    ad = await make_ad(session, await make_ad_group(session, campaign), "B000TEST01", "SKU-1")
    await add_rows(session, [advertised_day(ad, date(2026, 11, 2))])
    for key in gone_files:
        assert await _exists(key)

    assert (tenant.id, gone.id) in await due_connections(session, datetime.now(UTC))
    assert await delete_if_due(session, tenant.id, gone.id, datetime.now(UTC)) is True

    assert await session.get(Connection, gone.id, populate_existing=True) is None
    for model in (Order, OrderItem, SyncState, Token, Report, Feed):
        assert await _count(session, model, gone.id) == 0, model
        assert await _count(session, model, kept.id) > 0, model
        assert await _count(session, model, other.id) > 0, model
    for key in gone_files:
        assert not await _exists(key), key
    for key in kept_files + other_files:
        assert await _exists(key), key
    assert await session.scalar(select(func.count()).select_from(AdsSpAdvertisedProductDaily)) == 1
    audit = await session.scalar(
        select(AuditLog).where(
            AuditLog.action == "connection.data_deleted", AuditLog.target_id == str(gone.id)
        )
    )
    assert audit is not None and audit.tenant_id == tenant.id and audit.data["reason"] == "retention"
    # Idempotent: a second run (a retried job) finds nothing to do.
    assert await delete_if_due(session, tenant.id, gone.id, datetime.now(UTC)) is False


async def test_an_ads_connection_takes_its_profiles_rows_with_it(session: AsyncSession) -> None:
    tenant = await make_tenant(session, "Advertiser")
    ads = await make_connection(
        session, tenant.id, provider="amazon_ads", status="revoked", data_deletion_due_at=PAST
    )
    profile = await make_profile(session, tenant.id, connection=ads)
    campaign = await make_campaign(session, profile)
    ad = await make_ad(session, await make_ad_group(session, campaign), "B000TEST01", "SKU-1")
    await add_rows(session, [advertised_day(ad, date(2026, 11, 2))])
    other = await make_profile(session, tenant.id)  # another Ads connection of the tenant
    await make_campaign(session, other)

    assert await delete_if_due(session, tenant.id, ads.id, datetime.now(UTC)) is True
    profiles = set(
        await session.scalars(select(AdsProfile.profile_id).where(AdsProfile.tenant_id == tenant.id))
    )
    assert profiles == {other.profile_id}
    campaigns = set(
        await session.scalars(select(AdsCampaign.profile_id).where(AdsCampaign.tenant_id == tenant.id))
    )
    assert campaigns == {other.profile_id}
    assert await session.scalar(select(func.count()).select_from(AdsSpAdvertisedProductDaily)) == 0


async def test_nothing_is_deleted_before_the_date_or_after_a_reconnect(session: AsyncSession) -> None:
    tenant = await make_tenant(session, "Waiting")
    later, _ = await _seller_with_data(
        session, tenant.id, status="revoked", data_deletion_due_at=datetime.now(UTC) + timedelta(days=3)
    )
    back, _ = await _seller_with_data(session, tenant.id, status="active", data_deletion_due_at=PAST)
    due = await due_connections(session, datetime.now(UTC))
    assert (tenant.id, later.id) not in due and (tenant.id, back.id) not in due
    assert await delete_if_due(session, tenant.id, later.id, datetime.now(UTC)) is False
    assert await delete_if_due(session, tenant.id, back.id, datetime.now(UTC)) is False
    assert await _count(session, Order, later.id) == 1 and await _count(session, Order, back.id) == 1
