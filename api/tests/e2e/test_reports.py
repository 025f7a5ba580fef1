"""Reports end to end with the product's worker and scheduler against the emulator: a report asked
for is polled to DONE and its document stored byte for byte as the emulator served it; the worker
killed while Amazon processes it ends in the same single report (no second createReport: the
scheduler revives the lost polling step); with the tenant's Data Kiosk flag on, the same type runs
as a Data Kiosk query (the request log shows createQuery)."""

from __future__ import annotations

import gzip
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from amazon_emulator.apis._documents import store
from amazon_emulator.config import EmulatorConfig
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker, unit_of_work
from app.documents.storage import LocalStorage
from app.reports.models import Report, ReportDocument
from app.reports.schemas import ReportCreate
from app.reports.service import ReportsService
from app.settings import get_settings
from app.tenants.models import Tenant
from app.tokens.repository import SqlTokenStore
from app.worker.broker import setup_broker
from tests.amazon.support import LoopbackEmulator, self_authorize
from tests.factories.connections import make_connection
from tests.factories.tenants import make_tenant
from tests.sync.procs import Product, eventually, product_env
from tests.sync.support import US, create_seller

pytestmark = pytest.mark.usefixtures("clean_state")
SALES = "GET_SALES_AND_TRAFFIC_REPORT"


@pytest.fixture
def emulator_config() -> EmulatorConfig:
    return EmulatorConfig(
        seed=9, demo=True, demo_orders=10, report_processing_seconds=3, query_processing_seconds=3
    )


async def seller_connection(
    engine: AsyncEngine, seller_id: str, refresh_token: str
) -> tuple[uuid.UUID, uuid.UUID]:
    """A tenant and its active connection with the stored refresh token, and no sync rows: the
    scheduler's orders sync must not ask Amazon for order reports during this test."""
    sessionmaker = create_sessionmaker(engine)
    async with unit_of_work(sessionmaker) as session:
        tenant = await make_tenant(session, "Reports e2e")
        connection = await make_connection(
            session, tenant.id, account_id=seller_id, marketplaces=[US], status="active"
        )
        await SqlTokenStore(sessionmaker, get_settings().security.encryption_keys).store_refresh_token(
            session, str(tenant.id), str(connection.id), refresh_token
        )
        return tenant.id, connection.id


async def ask(engine: AsyncEngine, tenant_id: uuid.UUID, connection_id: uuid.UUID) -> uuid.UUID:
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    body = ReportCreate(
        connection_id=connection_id,
        report_type=SALES,
        marketplace_ids=[US],
        data_start_time=end - timedelta(days=7),
        data_end_time=end,
    )
    async with unit_of_work(create_sessionmaker(engine)) as session:
        report = await ReportsService(session, get_settings()).create(tenant_id, body, user_id=None)
    return report.id


async def row(engine: AsyncEngine, report_id: uuid.UUID) -> Report:
    async with create_sessionmaker(engine)() as session:
        found = await session.get(Report, report_id)
        assert found is not None
        return found


async def operations(amazon: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await amazon.get("/_emulator/requests")
    assert response.status_code == 200
    entries: list[dict[str, Any]] = response.json()
    return entries


def served_content(emulator_app: Any, document_id: str) -> bytes:
    document = store(emulator_app.state.emulator).get(document_id)
    assert document is not None
    content: bytes = document.content
    return gzip.decompress(content) if content[:2] == b"\x1f\x8b" else content


async def test_a_report_through_the_worker(
    engine: AsyncEngine,
    served: LoopbackEmulator,
    amazon: httpx.AsyncClient,
    emulator_app: Any,
    tmp_path: Path,
) -> None:
    seller = await create_seller(amazon, 60, [US], seed=3, months=1)
    tenant_id, connection_id = await seller_connection(engine, seller, await self_authorize(amazon, seller))
    env = product_env(served.url, LOCAL_DATA_DIR=str(tmp_path), REPORT_REVIVE_GRACE_SECONDS="3")
    product = Product(env, "reports-e2e")
    product.start_worker()
    product.start_scheduler()
    try:
        setup_broker()
        report_id = await ask(engine, tenant_id, connection_id)

        async def processing() -> bool:
            return (await row(engine, report_id)).amazon_report_id is not None

        await eventually(processing, 30, "the report asked of Amazon")
        # Killed while Amazon processes: the next worker takes the polling over.
        product.kill_worker()
        product.start_worker()

        async def finished() -> bool:
            return (await row(engine, report_id)).status in ("done", "cancelled", "fatal", "error")

        await eventually(finished, 90, "the report finished")
        done = await row(engine, report_id)
        assert done.status == "done", done.error
        async with create_sessionmaker(engine)() as session:
            # The scheduler's settlement scan may have stored settlement documents beside it.
            stored = (
                await session.execute(select(ReportDocument).where(ReportDocument.report_id == report_id))
            ).scalar_one()
        storage = LocalStorage(tmp_path / "documents")
        content = b"".join([chunk async for chunk in storage.read(stored.storage_key)])
        assert done.document_id is not None
        assert content == served_content(emulator_app, done.document_id)
        creates = [e for e in await operations(amazon) if e.get("operation") == "reports.createReport"]
        assert len(creates) == 1, "one report at Amazon, whatever happened to the worker"

        # The tenant turns Data Kiosk on: the same type runs as a query, same routes and row.
        async with unit_of_work(create_sessionmaker(engine)) as session:
            await session.execute(
                update(Tenant).where(Tenant.id == tenant_id).values(feature_flags={"use_data_kiosk": True})
            )
        query_report = await ask(engine, tenant_id, connection_id)

        async def query_finished() -> bool:
            return (await row(engine, query_report)).status in ("done", "cancelled", "fatal", "error")

        await eventually(query_finished, 60, "the Data Kiosk query finished")
        queried = await row(engine, query_report)
        assert (queried.via, queried.status) == ("datakiosk", "done"), queried.error
        ops = [e.get("operation") for e in await operations(amazon)]
        assert ops.count("dataKiosk.createQuery") == 1 and ops.count("reports.createReport") == 1
    finally:
        product.stop()
