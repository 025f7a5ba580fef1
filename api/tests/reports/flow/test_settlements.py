"""`reports.discover_settlements`: getReports lists the seller's DONE settlement reports since the
last one seen; each is recorded once (source "settlement", Amazon's ids kept) and its download is
enqueued; listing again adds nothing. Committed data: the actor runs its own units of work."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db.session import create_sessionmaker, unit_of_work
from app.reports import tasks
from app.reports.models import Report
from app.spapi.operations.reports import Report as AmazonReport
from app.worker import enqueue
from tests.factories.reports import US, make_report_seller

pytestmark = pytest.mark.usefixtures("clean_state")
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"
END = datetime(2026, 11, 20, tzinfo=UTC)


def listed(number: int) -> AmazonReport:
    return AmazonReport.model_validate(
        {
            "reportId": f"9000{number}",
            "reportType": SETTLEMENT,
            "processingStatus": "DONE",
            "createdTime": (END + timedelta(days=14 * number, hours=2)).isoformat(),
            "marketplaceIds": [US],
            "dataStartTime": (END + timedelta(days=14 * (number - 1))).isoformat(),
            "dataEndTime": (END + timedelta(days=14 * number)).isoformat(),
            "reportDocumentId": f"amzn1.spdoc.{number}",
        }
    )


class FakeReports:
    def __init__(self, reports: list[AmazonReport]) -> None:
        self.reports = reports
        self.asked: list[dict[str, Any]] = []

    async def list_reports(self, report_types: list[str], **params: Any) -> AsyncIterator[AmazonReport]:
        self.asked.append({"report_types": report_types, **params})
        for report in self.reports:
            yield report


class FakeClients:
    def __init__(self, reports: FakeReports) -> None:
        self.reports = reports

    async def spapi(self, connection_id: Any, **kwargs: Any) -> Any:
        return self


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    jobs: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        enqueue.broker, "send_job", lambda name, kwargs, delay_ms=None: jobs.append((name, kwargs))
    )
    yield jobs


async def test_settlements_are_discovered_once(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, sent: list[tuple[str, dict[str, Any]]]
) -> None:
    async with unit_of_work(create_sessionmaker(engine)) as session:
        seller = await make_report_seller(session)
    fake = FakeReports([listed(1), listed(2)])
    monkeypatch.setattr(tasks, "worker_amazon_clients", lambda: FakeClients(fake))

    await tasks.discover_settlements(str(seller.connection_id), str(seller.tenant_id))
    async with create_sessionmaker(engine)() as session:
        rows = list((await session.execute(select(Report).order_by(Report.amazon_report_id))).scalars())
    assert [(r.source, r.amazon_report_id, r.document_id, r.status) for r in rows] == [
        ("settlement", "90001", "amzn1.spdoc.1", "processing"),
        ("settlement", "90002", "amzn1.spdoc.2", "processing"),
    ]
    assert {name for name, _ in sent} == {"reports.run_report"}
    assert sorted(kwargs["report_id"] for _, kwargs in sent) == sorted(str(r.id) for r in rows)
    assert fake.asked[0]["processing_statuses"] == ["DONE"]

    # The next listing starts from the end of the last one seen, and adds nothing new.
    sent.clear()
    await tasks.discover_settlements(str(seller.connection_id), str(seller.tenant_id))
    assert fake.asked[1]["created_since"] == END + timedelta(days=28)
    assert sent == []
    async with create_sessionmaker(engine)() as session:
        assert len(list((await session.execute(select(Report))).scalars())) == 2


async def test_the_scheduler_tick(engine: AsyncEngine, sent: list[tuple[str, dict[str, Any]]]) -> None:
    from app.reports.models import ReportSchedule
    from app.worker.context import resources

    now = datetime.now(UTC)
    async with unit_of_work(create_sessionmaker(engine)) as session:
        seller = await make_report_seller(session)
        schedule = ReportSchedule(
            tenant_id=seller.tenant_id,
            connection_id=seller.connection_id,
            report_type="GET_MERCHANT_LISTINGS_ALL_DATA",
            marketplace_ids=[US],
            every="day",
            next_run_at=now - timedelta(minutes=1),
        )
        session.add(schedule)
    await resources.redis.delete(tasks.SETTLEMENT_SCAN_KEY)
    await tasks.reports_tick()
    async with create_sessionmaker(engine)() as session:
        [report] = list((await session.execute(select(Report))).scalars())
        again = await session.get(ReportSchedule, schedule.id)
    assert (report.source, report.schedule_id, report.data_start) == ("schedule", schedule.id, None)
    assert again is not None and again.next_run_at > now and again.last_report_id == report.id
    names = sorted(name for name, _ in sent)
    assert names == ["reports.discover_settlements", "reports.run_report"]
    # Within the hour, no second settlement scan.
    sent.clear()
    await tasks.reports_tick()
    assert sent == []


async def test_discovery_waits_for_the_orders_backfill(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, sent: list[tuple[str, dict[str, Any]]]
) -> None:
    """A new seller's settlements are read with the getReportDocument burst its orders backfill plans
    on: the discovery comes back later while the backfill runs, and lists once it is complete."""
    from sqlalchemy import update

    from app.sync.models import SyncState
    from app.worker.actor import Reschedule

    async with unit_of_work(create_sessionmaker(engine)) as session:
        seller = await make_report_seller(session)
        session.add(
            SyncState(
                tenant_id=seller.tenant_id,
                connection_id=seller.connection_id,
                marketplace_id=US,
                entity="orders",
                extra={},
                backfill_started_at=datetime.now(UTC),
            )
        )
    fake = FakeReports([listed(1)])
    monkeypatch.setattr(tasks, "worker_amazon_clients", lambda: FakeClients(fake))

    with pytest.raises(Reschedule) as waiting:
        await tasks.discover_settlements(str(seller.connection_id), str(seller.tenant_id))
    assert waiting.value.delay_s == tasks.SETTLEMENTS_RECHECK_S
    assert fake.asked == [] and sent == []

    async with unit_of_work(create_sessionmaker(engine)) as session:
        await session.execute(
            update(SyncState)
            .where(SyncState.connection_id == seller.connection_id)
            .values(backfill_completed_at=datetime.now(UTC))
        )
    await tasks.discover_settlements(str(seller.connection_id), str(seller.tenant_id))
    assert len(fake.asked) == 1
    assert {name for name, _ in sent} == {"reports.run_report"}


async def test_settlements_listed_at_once_come_newest_period_first(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, sent: list[tuple[str, dict[str, Any]]]
) -> None:
    """A first listing records two years of settlements in one statement: the reports list (newest
    first) shows them by period, not in the order of their random ids."""
    from app.reports.repository import ReportFilters, ReportRepository

    async with unit_of_work(create_sessionmaker(engine)) as session:
        seller = await make_report_seller(session)
    numbers = [3, 1, 6, 2, 5, 4]
    monkeypatch.setattr(
        tasks, "worker_amazon_clients", lambda: FakeClients(FakeReports([listed(n) for n in numbers]))
    )

    await tasks.discover_settlements(str(seller.connection_id), str(seller.tenant_id))
    async with create_sessionmaker(engine)() as session:
        page = await ReportRepository(session).page(
            ReportFilters(tenant_id=seller.tenant_id), after=None, limit=10
        )
    assert [r.amazon_report_id for r in page] == [f"9000{n}" for n in sorted(numbers, reverse=True)]
