"""The reports routes: create (checked against the catalogue), list in keyset pages, status, the
document download, schedules; admins create and delete, members read; another tenant's ids are 404;
the tenant's Data Kiosk flag decides `via`."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.storage import LocalStorage
from app.reports.repository import ReportRepository
from app.reports.schemas import ReportCreate, ReportOut, ReportsPage, ScheduleOut
from app.reports.service import ReportsService
from app.settings import get_settings
from app.tenants.models import Tenant
from app.worker.enqueue import buffered_jobs
from tests.auth.helpers import as_user, sign_up, sign_up_verified
from tests.factories.connections import make_connection
from tests.factories.reports import CA, US
from tests.tenants.helpers import join

SALES = "GET_SALES_AND_TRAFFIC_REPORT"
LISTINGS = "GET_MERCHANT_LISTINGS_ALL_DATA"
SETTLEMENT = "GET_V2_SETTLEMENT_REPORT_DATA_FLAT_FILE_V2"


async def tenant_with_connection(
    client: httpx.AsyncClient, session: AsyncSession, name: str = "Acme"
) -> tuple[str, uuid.UUID]:
    response = await client.post("/api/tenants", json={"name": name})
    assert response.status_code == 201, response.text
    tenant_id = response.json()["id"]
    connection = await make_connection(session, uuid.UUID(tenant_id), marketplaces=[US, CA], status="active")
    return tenant_id, connection.id


def week() -> tuple[str, str]:
    end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (end - timedelta(days=7)).isoformat(), end.isoformat()


def sales_body(connection_id: uuid.UUID, **extra: Any) -> dict[str, Any]:
    start, end = week()
    return {
        "connectionId": str(connection_id),
        "reportType": SALES,
        "marketplaceIds": [US],
        "dataStartTime": start,
        "dataEndTime": end,
        **extra,
    }


async def test_create_then_read_it_back(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await sign_up(client)
    tenant_id, connection_id = await tenant_with_connection(client, session)
    response = await client.post(
        "/api/reports/create", params={"tenant_id": tenant_id}, json=sales_body(connection_id)
    )
    assert response.status_code == 202, response.text
    report = ReportOut.model_validate(response.json())
    assert (report.status, report.via, report.source, report.title) == (
        "pending",
        "report",
        "user",
        "Sales and traffic",
    )
    assert report.options == {"dateGranularity": "DAY", "asinGranularity": "CHILD"}
    assert report.document is None and report.amazon_id is None
    # Without dates: the 7 whole days before today.
    defaults = await client.post(
        "/api/reports/create",
        params={"tenant_id": tenant_id},
        json={"connectionId": str(connection_id), "reportType": SALES, "marketplaceIds": [US]},
    )
    start, end = (datetime.fromisoformat(defaults.json()[k]) for k in ("data_start", "data_end"))
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert (start, end) == (today - timedelta(days=7), today - timedelta(seconds=1))
    status = await client.get(f"/api/reports/{report.id}/status", params={"tenant_id": tenant_id})
    assert status.status_code == 200 and status.json()["id"] == str(report.id)
    document = await client.get(f"/api/reports/{report.id}/document", params={"tenant_id": tenant_id})
    assert document.status_code == 409
    assert "not been asked of Amazon yet" in document.json()["error"]["message"]

    # snake_case is accepted too; a snapshot type takes no dates.
    snake = {"connection_id": str(connection_id), "report_type": LISTINGS, "marketplace_ids": [CA]}
    listings = await client.post("/api/reports/create", params={"tenant_id": tenant_id}, json=snake)
    assert listings.status_code == 202, listings.text
    assert listings.json()["data_start"] is None

    catalogue = await client.get("/api/reports/catalogue", params={"tenant_id": tenant_id})
    kinds = {k["report_type"]: k for k in catalogue.json()}
    assert kinds[SALES]["datakiosk_dataset"] == "analytics_salesAndTraffic_2024_04_24"
    assert kinds[SETTLEMENT]["requestable"] is False


async def test_keyset_pages_and_filters(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await sign_up(client)
    tenant_id, connection_id = await tenant_with_connection(client, session)
    for _ in range(5):
        response = await client.post(
            "/api/reports/create", params={"tenant_id": tenant_id}, json=sales_body(connection_id)
        )
        assert response.status_code == 202
    await client.post(
        "/api/reports/create",
        params={"tenant_id": tenant_id},
        json={"connectionId": str(connection_id), "reportType": LISTINGS, "marketplaceIds": [US]},
    )
    seen: list[str] = []
    cursor = None
    while True:
        params = {"tenant_id": tenant_id, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = ReportsPage.model_validate((await client.get("/api/reports", params=params)).json())
        seen += [str(r.id) for r in page.reports]
        cursor = page.next_cursor
        if not cursor:
            break
    assert len(seen) == 6 and len(set(seen)) == 6
    only = await client.get("/api/reports", params={"tenant_id": tenant_id, "report_type": LISTINGS})
    assert [r["report_type"] for r in only.json()["reports"]] == [LISTINGS]
    pending = await client.get("/api/reports", params={"tenant_id": tenant_id, "status": "done"})
    assert pending.json()["reports"] == []
    bad = await client.get("/api/reports", params={"tenant_id": tenant_id, "cursor": "nope"})
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"reportType": "GET_NOT_A_REPORT"}, "Unknown report type"),
        ({"reportType": SETTLEMENT}, "cannot be requested"),
        ({"marketplaceIds": ["A1F83G8C2ARO7P"]}, "is not one of this connection's"),
        ({"marketplaceIds": [US, CA]}, "one marketplace at a time"),
        # Over the type's range (or, with none, its age) limit: either way a sentence says the limit.
        ({"dataStartTime": "2020-01-01T00:00:00Z", "dataEndTime": "2020-03-01T00:00:00Z"}, "at most"),
        ({"dataEndTime": "2099-01-01T00:00:00Z"}, "future"),
        (
            {"dataStartTime": "2026-01-02T00:00:00Z", "dataEndTime": "2026-01-01T00:00:00Z"},
            "before dataEndTime",
        ),
        ({"reportType": LISTINGS}, "takes no dates"),
    ],
)
async def test_invalid_requests_are_explained(
    client: httpx.AsyncClient, session: AsyncSession, change: dict[str, Any], message: str
) -> None:
    await sign_up(client)
    tenant_id, connection_id = await tenant_with_connection(client, session)
    response = await client.post(
        "/api/reports/create", params={"tenant_id": tenant_id}, json=sales_body(connection_id, **change)
    )
    assert response.status_code == 422, response.text
    assert message in response.json()["error"]["message"]


async def test_other_tenants_and_roles(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await sign_up(client)
    tenant_id, connection_id = await tenant_with_connection(client, session)
    created = await client.post(
        "/api/reports/create", params={"tenant_id": tenant_id}, json=sales_body(connection_id)
    )
    report_id = created.json()["id"]

    stranger = as_user(client)
    await sign_up(stranger)
    other_tenant, _ = await tenant_with_connection(stranger, session, "Other")
    for path in (f"/api/reports/{report_id}/status", f"/api/reports/{report_id}/document"):
        assert (await stranger.get(path, params={"tenant_id": other_tenant})).status_code == 404
        assert (await stranger.get(path, params={"tenant_id": tenant_id})).status_code == 404
    # Another tenant's connection is not found either.
    mine_on_theirs = await stranger.post(
        "/api/reports/create", params={"tenant_id": other_tenant}, json=sales_body(connection_id)
    )
    assert mine_on_theirs.status_code == 404
    assert (await stranger.get("/api/reports", params={"tenant_id": other_tenant})).json()["reports"] == []

    viewer = as_user(client)
    await sign_up_verified(viewer, session)
    await join(client, viewer, session, tenant_id, "viewer")
    assert (await viewer.get("/api/reports", params={"tenant_id": tenant_id})).status_code == 200
    assert (
        await viewer.get(f"/api/reports/{report_id}/status", params={"tenant_id": tenant_id})
    ).status_code == 200
    forbidden = await viewer.post(
        "/api/reports/create", params={"tenant_id": tenant_id}, json=sales_body(connection_id)
    )
    assert forbidden.status_code == 403
    schedule = {
        "connectionId": str(connection_id),
        "reportType": SALES,
        "marketplaceIds": [US],
        "every": "week",
    }
    assert (
        await viewer.post("/api/reports/schedules", params={"tenant_id": tenant_id}, json=schedule)
    ).status_code == 403


async def test_the_tenants_flag_picks_data_kiosk(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await sign_up(client)
    tenant_id, connection_id = await tenant_with_connection(client, session)
    await session.execute(
        update(Tenant).where(Tenant.id == uuid.UUID(tenant_id)).values(feature_flags={"use_data_kiosk": True})
    )
    sales = await client.post(
        "/api/reports/create", params={"tenant_id": tenant_id}, json=sales_body(connection_id)
    )
    assert sales.json()["via"] == "datakiosk"
    # A type without a Data Kiosk equivalent stays on the Reports API.
    listings = await client.post(
        "/api/reports/create",
        params={"tenant_id": tenant_id},
        json={"connectionId": str(connection_id), "reportType": LISTINGS, "marketplaceIds": [US]},
    )
    assert listings.json()["via"] == "report"


async def test_schedules(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await sign_up(client)
    tenant_id, connection_id = await tenant_with_connection(client, session)
    body = {"connectionId": str(connection_id), "reportType": SALES, "marketplaceIds": [US], "every": "week"}
    created = await client.post("/api/reports/schedules", params={"tenant_id": tenant_id}, json=body)
    assert created.status_code == 201, created.text
    schedule = ScheduleOut.model_validate(created.json())
    assert (schedule.every, schedule.range_days, schedule.last_report_id) == ("week", 7, None)
    too_long = await client.post(
        "/api/reports/schedules",
        params={"tenant_id": tenant_id},
        json={**body, "every": "month", "rangeDays": 800},
    )
    assert too_long.status_code == 422
    listed = await client.get("/api/reports/schedules", params={"tenant_id": tenant_id})
    assert [s["id"] for s in listed.json()] == [str(schedule.id)]

    # The scheduler's tick turns the due schedule into a report, and moves it a week on.
    now = datetime.now(UTC) + timedelta(seconds=1)
    service = ReportsService(session, get_settings())
    assert await service.run_due_schedules(now) == 1
    assert await service.run_due_schedules(now) == 0
    page = (await client.get("/api/reports", params={"tenant_id": tenant_id})).json()["reports"]
    assert [(r["source"], r["schedule_id"]) for r in page] == [("schedule", str(schedule.id))]
    # The 7 whole days before the run's day.
    span = datetime.fromisoformat(page[0]["data_end"]) - datetime.fromisoformat(page[0]["data_start"])
    assert span == timedelta(days=7, seconds=-1)
    after = (await client.get("/api/reports/schedules", params={"tenant_id": tenant_id})).json()[0]
    assert after["last_report_id"] == page[0]["id"]
    assert datetime.fromisoformat(after["next_run_at"]) > now + timedelta(days=6)

    path = f"/api/reports/schedules/{schedule.id}"
    assert (await client.delete(path, params={"tenant_id": tenant_id})).status_code == 204
    assert (await client.delete(path, params={"tenant_id": tenant_id})).status_code == 404


async def test_the_document_is_streamed_with_its_name(
    client: httpx.AsyncClient, session: AsyncSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await sign_up(client)
    tenant_id, connection_id = await tenant_with_connection(client, session)
    created = await client.post(
        "/api/reports/create", params={"tenant_id": tenant_id}, json=sales_body(connection_id)
    )
    report_id = uuid.UUID(created.json()["id"])
    storage = LocalStorage(tmp_path)
    monkeypatch.setattr("app.reports.endpoints.storage_from_settings", lambda settings: storage)
    content = b'{"reportSpecification": {}}\n' * 5000
    key = f"{tenant_id}/reports/{report_id}/{SALES}_123.json"

    async def chunks() -> Any:
        yield content

    stored = await storage.write(key, chunks())
    repo = ReportRepository(session)
    await repo.save_document(
        tenant_id=uuid.UUID(tenant_id),
        report_id=report_id,
        amazon_document_id="DOC-1",
        storage_key=key,
        content_type="application/json",
        size_bytes=stored.size_bytes,
        file_name=f"{SALES}_123.json",
        sha256=stored.sha256,
    )
    await repo.update(uuid.UUID(tenant_id), report_id, status="done", amazon_report_id="123")
    response = await client.get(f"/api/reports/{report_id}/document", params={"tenant_id": tenant_id})
    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["content-disposition"] == f'attachment; filename="{SALES}_123.json"'
    status = (await client.get(f"/api/reports/{report_id}/status", params={"tenant_id": tenant_id})).json()
    assert status["document"] == {
        "file_name": f"{SALES}_123.json",
        "content_type": "application/json",
        "size_bytes": len(content),
        "sha256": stored.sha256,
    }
    await storage.delete(key)
    missing = await client.get(f"/api/reports/{report_id}/document", params={"tenant_id": tenant_id})
    assert missing.status_code == 409


async def test_create_enqueues_the_job_after_the_commit(session: AsyncSession) -> None:
    from tests.factories.reports import make_report_seller

    seller = await make_report_seller(session)
    start, end = week()
    body = ReportCreate.model_validate(
        {
            "connectionId": str(seller.connection_id),
            "reportType": SALES,
            "marketplaceIds": [US],
            "dataStartTime": start,
            "dataEndTime": end,
        }
    )
    report = await ReportsService(session, get_settings()).create(seller.tenant_id, body, user_id=None)
    jobs = buffered_jobs(session)
    assert [(j.actor_name, j.kwargs) for j in jobs] == [
        ("reports.run_report", {"report_id": str(report.id), "tenant_id": str(seller.tenant_id)})
    ]
