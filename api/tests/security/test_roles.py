"""What each role may do, route by route (table-driven): a member whose role is below a route's
minimum gets 403; a member at or above it is let through (any answer but 401/403, and never a 5xx).
Every tenant-scoped operation of the OpenAPI document must have a row in MINIMUM_ROLE, so a new
route cannot ship without a decision about who may call it."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from app.tenants.models import Membership
from app.tenants.service import ROLE_RANK
from tests.auth.helpers import as_user, sign_up
from tests.auth.mfa_helpers import enrol
from tests.security.support import SAMPLES, body_for, make_world, operations
from tests.security.test_cross_tenant_routes import ID_PARAMS, NOT_TENANT_SCOPED

ROLES = ("viewer", "admin", "owner")

# (METHOD, path) -> the lowest role that may call it.
MINIMUM_ROLE: dict[tuple[str, str], str] = {
    ("GET", "/api/ads/profiles"): "viewer",
    ("GET", "/api/ads/campaigns"): "viewer",
    ("GET", "/api/ads/products"): "viewer",
    ("GET", "/api/ads/timeseries"): "viewer",
    ("POST", "/api/ads/sync"): "admin",
    ("POST", "/api/oauth/start"): "admin",
    ("POST", "/api/ads/oauth/start"): "admin",
    ("GET", "/api/tenants/{tenant_id}/connections"): "viewer",
    ("POST", "/api/tenants/{tenant_id}/connections/{connection_id}/disconnect"): "admin",
    ("POST", "/api/tenants/{tenant_id}/connections/{connection_id}/reconnect"): "admin",
    ("DELETE", "/api/tenants/{tenant_id}/connections/{connection_id}"): "admin",
    ("POST", "/api/feeds/createDocument"): "admin",
    ("PUT", "/api/feeds/{feed_id}/upload"): "admin",
    ("POST", "/api/feeds/create"): "admin",
    ("POST", "/api/feeds/bulk/csv"): "admin",
    ("POST", "/api/feeds/bulk/validate"): "admin",
    ("POST", "/api/feeds/bulk"): "admin",
    ("GET", "/api/feeds"): "viewer",
    ("GET", "/api/feeds/{feed_id}/status"): "viewer",
    ("GET", "/api/feeds/{feed_id}/results"): "viewer",
    ("GET", "/api/feeds/{feed_id}/input"): "viewer",
    ("GET", "/api/feeds/{feed_id}/report"): "viewer",
    ("GET", "/api/orders"): "viewer",
    ("GET", "/api/orders/{order_id}"): "viewer",
    # Buyer PII: owners and admins, with a second factor (tenants/permissions.py); the test's
    # members all have one, so a viewer's 403 is about the role.
    ("GET", "/api/orders/{order_id}/address"): "admin",
    ("POST", "/api/reports/create"): "admin",
    ("GET", "/api/reports"): "viewer",
    ("GET", "/api/reports/catalogue"): "viewer",
    ("GET", "/api/reports/schedules"): "viewer",
    ("POST", "/api/reports/schedules"): "admin",
    ("DELETE", "/api/reports/schedules/{schedule_id}"): "admin",
    ("GET", "/api/reports/{report_id}/status"): "viewer",
    ("GET", "/api/reports/{report_id}/document"): "viewer",
    ("GET", "/api/reports/data/{report_type}"): "viewer",
    ("GET", "/api/sync/status"): "viewer",
    ("GET", "/api/sync/watermarks"): "viewer",
    ("GET", "/api/sync/events"): "viewer",
    ("POST", "/api/sync/run"): "admin",
    ("GET", "/api/tenants/{tenant_id}"): "viewer",
    ("GET", "/api/tenants/{tenant_id}/members"): "viewer",
    ("GET", "/api/tenants/{tenant_id}/invitations"): "admin",
    ("POST", "/api/tenants/{tenant_id}/invitations"): "admin",
    ("DELETE", "/api/tenants/{tenant_id}/invitations/{invitation_id}"): "admin",
    ("PATCH", "/api/tenants/{tenant_id}/members/{user_id}"): "admin",
    ("DELETE", "/api/tenants/{tenant_id}/members/{user_id}"): "admin",
    ("GET", "/api/tenants/{tenant_id}/flags"): "viewer",
    ("PATCH", "/api/tenants/{tenant_id}/flags"): "admin",
    ("GET", "/api/tenants/{tenant_id}/audit-logs"): "viewer",
    ("GET", "/api/tenants/{tenant_id}/health"): "admin",
}

# The same route with a body only an owner may send: granting the owner role.
OWNER_ONLY_BODIES: list[tuple[str, str, dict[str, Any]]] = [
    (
        "POST",
        "/api/tenants/{tenant_id}/invitations",
        {"json": {"email": "new-owner@example.com", "role": "owner"}},
    ),
    ("PATCH", "/api/tenants/{tenant_id}/members/{user_id}", {"json": {"role": "owner"}}),
]

# Bodies any admin may send (the owner-only variants are above).
BASE_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/tenants/{tenant_id}/invitations"): {
        "json": {"email": "helper@example.com", "role": "viewer"}
    },
}

# Streams until the client goes: its role rule is checked by the refusals only (viewers read).
STREAMING = {("GET", "/api/sync/events")}


def test_every_tenant_route_has_a_minimum_role(app: FastAPI) -> None:
    scoped = {(m, p) for m, p, _, _ in operations(app.openapi())} - set(NOT_TENANT_SCOPED)
    assert scoped - set(MINIMUM_ROLE) == set(), "give each new route its minimum role"
    assert set(MINIMUM_ROLE) - scoped == set(), "rows of routes that no longer exist"


def _call(template: str, params: list[dict[str, Any]], ids: dict[str, str]) -> tuple[str, dict[str, str]]:
    path, query = template, {}
    for param in params:
        name = param["name"]
        value = ids.get(name) if name in ID_PARAMS else SAMPLES.get(name)
        if param["in"] == "path":
            assert value is not None, (template, name)
            path = path.replace("{" + name + "}", value)
        elif param["in"] == "query" and value is not None:
            query[name] = value
    return path, query


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_may_do_what_its_rank_allows(
    role: str, app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    async with as_user(client) as owner:
        world = await make_world(session, owner)
    tenant_id = uuid.UUID(world.tenant_id)
    target = await sign_up(as_user(client))  # a viewer the member routes act on
    session.add(Membership(tenant_id=tenant_id, user_id=uuid.UUID(target["id"]), role="viewer"))
    me = await sign_up(client)
    # Every role with a verified second factor: a refusal is about the role, and the routes that
    # also want MFA (the buyer address, the owner role) let an owner or admin through.
    await enrol(client)
    session.add(Membership(tenant_id=tenant_id, user_id=uuid.UUID(me["id"]), role=role))
    await session.commit()  # kept when a refused request rolls its unit of work back
    ids = {**world.ids(), "user_id": target["id"]}
    every = operations(app.openapi())
    by_route = {(m, p): params for m, p, params, _ in every}
    # The owner-only variants first: the member they act on is removed by a later row.
    rows = [(m, p, by_route[(m, p)], body) for m, p, body in OWNER_ONLY_BODIES]
    rows += [(m, p, params, BASE_BODIES.get((m, p)) or body_for(m, p, ids)) for m, p, params, _ in every]
    for method, template, params, body in rows:
        minimum = (
            "owner"
            if any(body is b for _, _, b in OWNER_ONLY_BODIES)
            else MINIMUM_ROLE.get((method, template))
        )
        if minimum is None:
            continue  # not tenant-scoped
        allowed = ROLE_RANK[role] >= ROLE_RANK[minimum]
        if allowed and (method, template) in STREAMING:
            continue
        path, query = _call(template, params, ids)
        response = await client.request(method, path, params=query, **body)
        label = f"{role} {method} {template} {body.get('json', '')}"
        if allowed:
            assert response.status_code not in (401, 403), f"{label}: {response.status_code} {response.text}"
            # 502: Amazon refused (the factories' connections hold no real grant), past the role check.
            assert response.status_code < 500 or response.status_code == 502, f"{label}: {response.text}"
        else:
            assert response.status_code == 403, f"{label}: {response.status_code} {response.text}"
