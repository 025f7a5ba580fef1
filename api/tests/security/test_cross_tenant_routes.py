"""Tenant isolation, proven over every route of the OpenAPI document (so a new route is covered the
day it is added): a signed-in owner of another tenant

* naming the victim's tenant gets 404, exactly like a tenant that does not exist (case A);
* naming their own tenant with the victim's ids (in the path, a required query parameter or the
  body) gets 404 (case B); with a victim's id as an optional list filter they get their own (empty)
  list; no answer carries any of the victim's ids or its name;

and afterwards the victim's data is exactly as it was. Routes that are not tenant-scoped are in
`NOT_TENANT_SCOPED` with the reason; they are still called and must not leak anything either.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.connections.models import Connection
from app.feeds.models import Feed
from app.reports.models import ReportSchedule
from app.tenants.invitation_models import Invitation
from app.tenants.models import Membership
from tests.auth.helpers import as_user, sign_up_verified
from tests.auth.mfa_helpers import enrol
from tests.security.support import SAMPLES, World, body_for, make_world, operations, tenant_of

# (METHOD, path) -> why the route takes no tenant id.
NOT_TENANT_SCOPED: dict[tuple[str, str], str] = {
    ("GET", "/health"): "liveness probe, no data",
    ("GET", "/ready"): "readiness probe, no data",
    ("GET", "/api/auth/me"): "the caller's own account",
    ("POST", "/api/auth/signin"): "signs in; no tenant yet",
    ("POST", "/api/auth/signout"): "ends the caller's own session",
    ("POST", "/api/auth/signup"): "creates an account; no tenant yet",
    ("GET", "/api/tenants"): "lists the caller's own memberships only (checked below)",
    ("POST", "/api/tenants"): "creates a new tenant owned by the caller",
    ("GET", "/api/health/tenants"): "counts for the caller's own memberships only (checked below)",
    ("GET", "/api/marketplaces"): "Amazon's public list of marketplaces",
    ("GET", "/api/oauth/callback"): "bound to a signed single-use state issued to the signed-in user "
    "(connections/test_onboarding_api.py), never to a tenant id in the URL",
    ("GET", "/api/ads/oauth/callback"): "as /api/oauth/callback",
    # The caller's own account: every one of these acts on the signed-in user (or, signed out, on
    # the holder of a single-use e-mailed link), never on a tenant.
    ("POST", "/api/auth/verify"): "the caller's own e-mailed verification link",
    ("POST", "/api/auth/verify/resend"): "re-sends the caller's own verification link",
    ("POST", "/api/auth/password/forgot"): "mails a reset link to the address's owner; the same "
    "answer whether or not it has an account",
    ("POST", "/api/auth/password/reset"): "the holder of the e-mailed single-use reset link",
    ("POST", "/api/auth/password/change"): "the caller's own password (the current one required)",
    ("POST", "/api/auth/signout-everywhere"): "ends the caller's own sessions",
    ("GET", "/api/auth/sessions"): "the caller's own sessions",
    ("GET", "/api/auth/mfa"): "the caller's own second factor",
    ("POST", "/api/auth/mfa/enrol"): "the caller's own second factor",
    ("POST", "/api/auth/mfa/confirm"): "the caller's own second factor",
    ("POST", "/api/auth/mfa/disable"): "the caller's own second factor",
    ("POST", "/api/auth/mfa/recovery-codes"): "the caller's own second factor",
    ("POST", "/api/auth/mfa/verify"): "marks the caller's own session verified",
    ("POST", "/api/auth/mfa/signin"): "the second step of the caller's own sign-in",
    ("POST", "/api/invitations/lookup"): "the holder of the e-mailed single-use link: the token, not "
    "a tenant id, names the invitation",
    ("POST", "/api/invitations/accept"): "the token names the invitation, and only a verified account "
    "of the invited address may accept it (checked below with the victim's invitation)",
}

ID_PARAMS = {
    "tenant_id",
    "connection_id",
    "order_id",
    "feed_id",
    "report_id",
    "schedule_id",
    "user_id",
    "profile_id",
    "invitation_id",
}

# Bodies that carry only values, no id of a resource: with the caller's own tenant they are the
# caller's own business (case B does not apply).
BODY_WITHOUT_IDS = {
    ("PATCH", "/api/tenants/{tenant_id}/flags"),
    ("POST", "/api/tenants/{tenant_id}/invitations"),
    ("POST", "/api/feeds/bulk/csv"),
}


def _call(
    method: str, template: str, params: list[dict[str, Any]], ids: dict[str, str]
) -> tuple[str, dict[str, Any]]:
    """The URL and httpx arguments of one call, every id taken from `ids`, every other parameter
    from the samples (valid values, so a refusal is about access, not input)."""
    path, query = template, {}
    for param in params:
        name = param["name"]
        value = ids.get(name) if name in ID_PARAMS else SAMPLES.get(name)
        if param["in"] == "path":
            assert value is not None, f"{method} {template}: no value for the path parameter {name}"
            path = path.replace("{" + name + "}", value)
        elif param["in"] == "query" and value is not None:
            query[name] = value
    return path, {"params": query, **body_for(method, template, ids)}


def _kind_of_case_b(method: str, template: str, params: list[dict[str, Any]], has_body: bool) -> str | None:
    """ "resource": the route names one of the victim's resources (path, required query, body):
    404 expected; "filter": only as an optional list filter: the caller's own (empty) list; None:
    no id besides the tenant."""
    ids = [p for p in params if p["name"] in ID_PARAMS - {"tenant_id"}]
    if any(p["in"] == "path" or p.get("required") for p in ids):
        return "resource"
    if has_body and (method, template) not in BODY_WITHOUT_IDS:
        return "resource"
    return "filter" if ids else None


def _assert_no_leak(world: World, label: str, response: httpx.Response) -> None:
    for marker in world.markers():
        assert marker not in response.text, f"{label}: the answer carries the victim's {marker!r}"


async def test_every_route_refuses_another_tenant(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    async with as_user(client) as victim:
        world = await make_world(session, victim)
    # The attacker: a verified owner of a tenant of their own (verified, so the victim's
    # invitation link is refused for being someone else's, not for the unverified address).
    await sign_up_verified(client, session)
    # With a second factor, this session passes every check but the tenant's (the buyer address
    # route would otherwise refuse with mfa_required before looking at the order).
    await enrol(client)
    own_tenant = await tenant_of(client, "Attacker")
    victim_ids = world.ids()
    own_ids = {**victim_ids, "tenant_id": own_tenant}

    every = operations(app.openapi())
    scoped = [op for op in every if (op[0], op[1]) not in NOT_TENANT_SCOPED]
    for method, template, params, has_body in scoped:
        label = f"{method} {template}"
        assert "tenant_id" in {p["name"] for p in params}, (
            f"{label} takes no tenant_id: scope it to a tenant, or list it in NOT_TENANT_SCOPED with why"
        )
        # Case A: the victim's tenant id (and every other id the victim's).
        url, kwargs = _call(method, template, params, victim_ids)
        response = await client.request(method, url, **kwargs)
        assert response.status_code == 404, (
            f"{label} (victim's tenant): {response.status_code} {response.text}"
        )
        _assert_no_leak(world, label, response)

        # Case B: the caller's own tenant, the victim's ids.
        kind = _kind_of_case_b(method, template, params, has_body)
        if kind is None:
            continue
        url, kwargs = _call(method, template, params, own_ids)
        response = await client.request(method, url, **kwargs)
        expected = (404,) if kind == "resource" else (200, 404)
        assert response.status_code in expected, (
            f"{label} (victim's ids, own tenant): {response.status_code} {response.text}"
        )
        _assert_no_leak(world, label, response)
    assert len(scoped) >= 40, "the walk covered the tenant-scoped routes"
    assert len(every) == len(scoped) + len(NOT_TENANT_SCOPED), "every allow-listed route still exists"

    # The attacker's tenant list is their own, and so is what needs attention in it.
    assert [t["id"] for t in (await client.get("/api/tenants")).json()] == [own_tenant]
    assert [t["tenant_id"] for t in (await client.get("/api/health/tenants")).json()] == [own_tenant]
    # The victim's invitation link, in the attacker's hands: it shows the attacker nothing they
    # can use and joins them to nothing (only a verified account of the invited address may).
    taken = await client.post("/api/invitations/accept", json={"token": world.invitation_token})
    assert taken.status_code == 403 and taken.json()["error"]["code"] == "wrong_account", taken.text
    _assert_no_leak(world, "POST /api/invitations/accept (victim's link)", taken)
    assert [t["id"] for t in (await client.get("/api/tenants")).json()] == [own_tenant]

    # The routes without a tenant answer nothing of the victim's either (signing out last).
    unscoped = sorted(
        (op for op in every if (op[0], op[1]) in NOT_TENANT_SCOPED),
        key=lambda op: op[1] in ("/api/auth/signout", "/api/auth/signout-everywhere"),
    )
    for method, template, params, _ in unscoped:
        url, kwargs = _call(method, template, params, victim_ids)
        response = await client.request(method, url, **kwargs)
        assert response.status_code < 500, f"{method} {template}: {response.status_code} {response.text}"
        _assert_no_leak(world, f"{method} {template}", response)

    # Nothing of the victim's changed.
    connection = await session.get(Connection, uuid.UUID(world.connection_id), populate_existing=True)
    assert connection is not None and connection.status == "active"
    assert await session.get(Feed, uuid.UUID(world.feed_id), populate_existing=True) is not None
    assert await session.get(ReportSchedule, uuid.UUID(world.schedule_id), populate_existing=True) is not None
    roles = await session.scalars(
        select(Membership.role).where(Membership.tenant_id == uuid.UUID(world.tenant_id))
    )
    assert list(roles) == ["owner"]
    invitation = await session.get(Invitation, uuid.UUID(world.invitation_id), populate_existing=True)
    assert invitation is not None and invitation.revoked_at is None and invitation.accepted_at is None
