"""Two tenants for the security tests: the victim's, with one of everything a route can name by id
(made by the factories), and the caller's own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.documents.storage import storage_from_settings
from app.orders.models import Order
from app.reports.models import ReportDocument, ReportSchedule
from app.settings import get_settings
from tests.auth.helpers import mailed_token, sign_up
from tests.factories.ads import make_profile
from tests.factories.connections import make_connection
from tests.factories.feeds import FeedSeller, inventory_tsv, make_feed
from tests.factories.orders import store_order
from tests.factories.reports import ReportSeller, make_report

US = "ATVPDKIKX0DER"
SECRET_NAME = "Victim Corp 7f3a"  # appears in no answer to anyone else
INVITED = "victims-invitee-5c1d@example.com"  # the victim's pending invitation, as secret


@dataclass(frozen=True)
class World:
    """Every id a route can take, by parameter name."""

    tenant_id: str
    connection_id: str
    order_id: str
    feed_id: str
    report_id: str
    schedule_id: str
    user_id: str
    profile_id: str
    invitation_id: str
    invitation_token: str  # the link mailed to INVITED (not an id a route takes)

    def ids(self) -> dict[str, str]:
        return dict(self.__dict__)

    def markers(self) -> set[str]:
        """Strings that must never appear in an answer to another tenant."""
        return {v for k, v in self.ids().items() if k != "order_id"} | {SECRET_NAME, INVITED}


async def tenant_of(client: httpx.AsyncClient, name: str) -> str:
    response = await client.post("/api/tenants", json={"name": name})
    assert response.status_code == 201, response.text
    tenant_id: str = response.json()["id"]
    return tenant_id


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
    return str(report.id)


async def make_world(session: AsyncSession, victim: httpx.AsyncClient) -> World:
    """The victim signs up and creates a tenant through the API (so it has an owner); the rest of
    its data comes from the factories."""
    user = await sign_up(victim)
    tenant_id = uuid.UUID(await tenant_of(victim, SECRET_NAME))
    connection = await make_connection(session, tenant_id, marketplaces=[US], status="active")
    await store_order(
        session,
        tenant_id,
        connection.id,
        "111-7777777-0000001",
        purchased=datetime(2026, 11, 2, 12, tzinfo=UTC),
        lines=[("B0VICTIM01", "VICTIM-SKU", Decimal("9.99"), 1)],
    )
    order_id = await session.scalar(select(Order.id).where(Order.tenant_id == tenant_id))
    seller = ReportSeller(tenant_id, connection.id)
    report_id = await _stored_report(session, seller)
    schedule = ReportSchedule(
        tenant_id=tenant_id,
        connection_id=connection.id,
        report_type="GET_MERCHANT_LISTINGS_ALL_DATA",
        marketplace_ids=[US],
        every="day",
        next_run_at=datetime.now(UTC) + timedelta(days=1),
    )
    session.add(schedule)
    feed = await make_feed(
        session,
        FeedSeller(tenant_id, connection.id, connection.account_id),
        storage_from_settings(get_settings()),
        inventory_tsv(),
    )
    profile = await make_profile(session, tenant_id, seller=connection)
    invitation = await victim.post(
        f"/api/tenants/{tenant_id}/invitations", json={"email": INVITED, "role": "viewer"}
    )
    assert invitation.status_code == 201, invitation.text
    token = mailed_token(session, INVITED, "invitation")  # read before the commit sends it
    await session.commit()  # kept when a refused request rolls its unit of work back
    return World(
        tenant_id=str(tenant_id),
        connection_id=str(connection.id),
        order_id=str(order_id),
        feed_id=str(feed.id),
        report_id=report_id,
        schedule_id=str(schedule.id),
        user_id=str(user["id"]),
        profile_id=profile.profile_id,
        invitation_id=invitation.json()["id"],
        invitation_token=token,
    )


# Values for the parameters that are not ids (valid, so a refusal is about access, not input).
SAMPLES: dict[str, str] = {
    "start": "2026-11-01",
    "end": "2026-11-30",
    "region": "NA",
    "marketplaces": US,
    "report_type": "GET_MERCHANT_LISTINGS_ALL_DATA",
}


def body_for(method: str, path: str, ids: dict[str, str]) -> dict[str, Any]:
    """httpx keyword arguments of a valid request body naming the given ids (empty: no body)."""
    connection, feed, profile = ids["connection_id"], ids["feed_id"], ids["profile_id"]
    bulk = {
        "connectionId": connection,
        "marketplaceId": US,
        "rows": [{"line": 2, "sku": "VICTIM-SKU", "quantity": "1"}],
    }
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/api/ads/sync"): {"json": {"profile_id": profile}},
        ("POST", "/api/feeds/bulk"): {"json": bulk},
        ("POST", "/api/feeds/bulk/validate"): {"json": bulk},
        ("POST", "/api/feeds/bulk/csv"): {
            "files": {"file": ("p.csv", b"sku,quantity\nVICTIM-SKU,1\n", "text/csv")}
        },
        ("POST", "/api/feeds/create"): {
            "json": {
                "inputFeedDocumentId": feed,
                "feedType": "POST_INVENTORY_AVAILABILITY_DATA",
                "marketplaceIds": [US],
            }
        },
        ("POST", "/api/feeds/createDocument"): {
            "json": {"connectionId": connection, "contentType": "text/tab-separated-values; charset=UTF-8"}
        },
        ("PUT", "/api/feeds/{feed_id}/upload"): {
            "content": inventory_tsv(),
            "headers": {"Content-Type": "text/tab-separated-values; charset=UTF-8"},
        },
        ("POST", "/api/reports/create"): {
            "json": {
                "connectionId": connection,
                "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
                "marketplaceIds": [US],
            }
        },
        ("POST", "/api/reports/schedules"): {
            "json": {
                "connectionId": connection,
                "reportType": "GET_MERCHANT_LISTINGS_ALL_DATA",
                "marketplaceIds": [US],
                "every": "day",
            }
        },
        ("PATCH", "/api/tenants/{tenant_id}/flags"): {"json": {"flags": {"use_data_kiosk": True}}},
        ("POST", "/api/tenants/{tenant_id}/invitations"): {
            "json": {"email": "intruder@example.com", "role": "owner"}
        },
        ("PATCH", "/api/tenants/{tenant_id}/members/{user_id}"): {"json": {"role": "viewer"}},
    }
    return bodies.get((method, path), {})


def operations(openapi: dict[str, Any]) -> list[tuple[str, str, list[dict[str, Any]], bool]]:
    """(METHOD, path, parameters, has a body) of every operation of the OpenAPI document."""
    found = []
    for path, ops in openapi["paths"].items():
        for method, op in ops.items():
            found.append((method.upper(), path, op.get("parameters", []), "requestBody" in op))
    return found
