"""SP-API and Ads onboarding through the API and the emulator's consent pages: the happy path,
reconnecting, disconnecting, roles and every rejected state."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditLog
from app.connections.amazon import sp_consent_url
from app.connections.models import AdsProfile, Connection
from app.kit.crypto import DecryptionError, decrypt
from app.settings import get_settings
from app.sync.models import SyncState
from app.tokens.models import TenantKey, Token
from app.tokens.tenant_keys import decrypt_with_wrapped_key
from app.worker.enqueue import buffered_jobs
from tests.auth.helpers import as_user, sign_up, sign_up_verified
from tests.auth.mfa_helpers import enrol
from tests.connections.support import (
    API_BASE,
    BR,
    CA,
    DEMO_SELLER_ID,
    MX,
    US,
    RegisteredApp,
    consent,
    emulator_settings,
)
from tests.tenants.helpers import join


async def _tenant(client: httpx.AsyncClient) -> str:
    response = await client.post("/api/tenants", json={"name": f"T {uuid.uuid4().hex[:6]}"})
    assert response.status_code == 201
    tenant_id: str = response.json()["id"]
    return tenant_id


async def _start(
    client: httpx.AsyncClient, tenant_id: str, marketplaces: list[str] | None = None, ads: bool = False
) -> str:
    path = "/api/ads/oauth/start" if ads else "/api/oauth/start"
    params: dict[str, Any] = {"tenant_id": tenant_id, "region": "NA"}
    if marketplaces:
        params["marketplaces"] = marketplaces
    response = await client.post(path, params=params)
    assert response.status_code == 200, response.text
    url: str = response.json()["consentUrl"]
    return url


async def _callback(client: httpx.AsyncClient, query: dict[str, str], ads: bool = False) -> httpx.Response:
    return await client.get("/api/ads/oauth/callback" if ads else "/api/oauth/callback", params=query)


async def _connect_sp(
    client: httpx.AsyncClient, emulator_url: str, tenant_id: str, marketplaces: list[str]
) -> httpx.Response:
    return await _callback(client, consent(emulator_url, await _start(client, tenant_id, marketplaces)))


async def _rows(session: AsyncSession, model: Any, tenant_id: str) -> int:
    count = await session.scalar(
        select(func.count()).select_from(model).where(model.tenant_id == uuid.UUID(tenant_id))
    )
    return int(count or 0)


async def test_sp_consent_url_and_state(client: httpx.AsyncClient, emulator_url: str) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    url = await _start(client, tenant_id, [US, CA])
    parsed = urlparse(url)
    query = parse_qs(parsed.query)
    assert f"{parsed.scheme}://{parsed.netloc}" == emulator_url  # SELLER_CENTRAL_URL_OVERRIDE
    assert parsed.path == "/apps/authorize/consent"
    assert query["application_id"][0].startswith("amzn1.sp.solution.test")
    assert "version" not in query  # a published app
    nonce, _, signature = query["state"][0].partition(".")
    assert len(nonce) >= 32 and len(signature) == 32
    wrong_region = await client.post(
        "/api/oauth/start",
        params={"tenant_id": tenant_id, "region": "NA", "marketplaces": ["A1PA6795UKMFR9"]},
    )
    assert wrong_region.status_code == 422


async def test_connect_seller_stores_encrypted_refresh_token_and_sync_state(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    done = await _connect_sp(client, emulator_url, tenant_id, [US, MX])
    assert done.status_code == 303
    assert done.headers["location"] == f"/dashboard/tenants/{tenant_id}/integrations/amazon?connected=1"

    listed = (await client.get(f"/api/tenants/{tenant_id}/connections")).json()
    assert len(listed) == 1
    connection = listed[0]
    assert connection["provider"] == "amazon_sp" and connection["region"] == "NA"
    assert connection["account_id"] == DEMO_SELLER_ID and connection["status"] == "active"
    assert set(connection["marketplaces"]) == {US, CA, MX, BR}  # from getMarketplaceParticipations
    assert connection["selected_marketplaces"] == [US, MX]

    token = await session.scalar(select(Token).where(Token.tenant_id == uuid.UUID(tenant_id)))
    assert token is not None
    # Under the tenant's own data key (envelope encryption), itself wrapped by the master keys.
    assert token.encrypted_with == "tenant"
    wrapped = await session.scalar(
        select(TenantKey.key_enc).where(TenantKey.tenant_id == uuid.UUID(tenant_id))
    )
    assert wrapped is not None
    with pytest.raises(DecryptionError):
        decrypt(get_settings().security.encryption_keys, token.refresh_token_enc)
    refresh_token = decrypt_with_wrapped_key(
        get_settings().security.encryption_keys, wrapped, token.refresh_token_enc
    )
    assert refresh_token.startswith("Atzr|") and refresh_token.encode() not in token.refresh_token_enc

    states = (
        await session.scalars(select(SyncState).where(SyncState.tenant_id == uuid.UUID(tenant_id)))
    ).all()
    assert sorted((s.marketplace_id, s.entity, s.status) for s in states) == [
        (MX, "orders", "idle"),
        (US, "orders", "idle"),
    ]
    jobs = buffered_jobs(session)
    ids = {"connection_id": connection["id"], "tenant_id": tenant_id}
    assert [(j.actor_name, j.kwargs) for j in jobs] == [
        ("reports.discover_settlements", ids),
        ("sync.connection_onboarded", ids),
    ]
    actions = [
        e["action"] for e in (await client.get(f"/api/tenants/{tenant_id}/audit-logs")).json()["items"]
    ]
    assert actions[0] == "connection.connected"


async def test_connecting_the_same_seller_again_updates_it(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    assert (await _connect_sp(client, emulator_url, tenant_id, [US])).status_code == 303
    first = await session.scalar(
        select(Token.refresh_token_enc).where(Token.tenant_id == uuid.UUID(tenant_id))
    )
    assert (await _connect_sp(client, emulator_url, tenant_id, [US, CA])).status_code == 303
    assert await _rows(session, Connection, tenant_id) == 1
    assert await _rows(session, Token, tenant_id) == 1
    second = await session.scalar(
        select(Token.refresh_token_enc)
        .where(Token.tenant_id == uuid.UUID(tenant_id))
        .execution_options(populate_existing=True)
    )
    assert first != second
    listed = (await client.get(f"/api/tenants/{tenant_id}/connections")).json()
    assert listed[0]["selected_marketplaces"] == [US, CA]
    actions = [
        e["action"] for e in (await client.get(f"/api/tenants/{tenant_id}/audit-logs")).json()["items"]
    ]
    assert actions[:2] == ["connection.reconnected", "connection.connected"]


async def test_disconnect_then_reconnect(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    await _connect_sp(client, emulator_url, tenant_id, [US])
    connection_id = (await client.get(f"/api/tenants/{tenant_id}/connections")).json()[0]["id"]

    gone = await client.post(f"/api/tenants/{tenant_id}/connections/{connection_id}/disconnect")
    assert gone.status_code == 200 and gone.json()["status"] == "revoked"
    assert await _rows(session, Token, tenant_id) == 0
    assert await _rows(session, Connection, tenant_id) == 1  # data stays for the grace period...
    # ... whose end the tenant sees: DATA_DELETION_GRACE_DAYS (30) after the disconnect.
    due = datetime.fromisoformat(gone.json()["data_deletion_due_at"])
    assert timedelta(days=29, hours=23) < due - datetime.now(UTC) <= timedelta(days=30)
    statuses = await session.scalars(
        select(SyncState.status)
        .where(SyncState.tenant_id == uuid.UUID(tenant_id))
        .execution_options(populate_existing=True)
    )
    assert set(statuses) == {"paused"}

    url = (await client.post(f"/api/tenants/{tenant_id}/connections/{connection_id}/reconnect")).json()[
        "consentUrl"
    ]
    assert (await _callback(client, consent(emulator_url, url))).status_code == 303
    again = (await client.get(f"/api/tenants/{tenant_id}/connections")).json()[0]
    assert again["id"] == connection_id and again["status"] == "active" and again["disconnected_at"] is None
    assert again["data_deletion_due_at"] is None  # the reconnect cancelled the deletion
    statuses = await session.scalars(
        select(SyncState.status)
        .where(SyncState.tenant_id == uuid.UUID(tenant_id))
        .execution_options(populate_existing=True)
    )
    assert set(statuses) == {"idle"}
    actions = [
        e["action"] for e in (await client.get(f"/api/tenants/{tenant_id}/audit-logs")).json()["items"]
    ]
    assert actions[:4] == [
        "connection.reconnected",
        "connection.data_deletion_cancelled",
        "connection.data_deletion_scheduled",
        "connection.disconnected",
    ]

    still = await client.delete(f"/api/tenants/{tenant_id}/connections/{connection_id}")
    assert still.status_code == 409


async def test_ads_profiles_are_linked_to_the_sp_connection(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    await _connect_sp(client, emulator_url, tenant_id, [US, CA])
    done = await _callback(client, consent(emulator_url, await _start(client, tenant_id, ads=True)), ads=True)
    assert done.status_code == 303, done.text
    assert done.headers["location"].endswith("?connected=ads")
    listed = {c["provider"]: c for c in (await client.get(f"/api/tenants/{tenant_id}/connections")).json()}
    ads, sp = listed["amazon_ads"], listed["amazon_sp"]
    assert ads["account_id"] == DEMO_SELLER_ID and ads["parent_connection_id"] == sp["id"]
    assert ads["profiles"], "the emulator's advertiser has profiles"
    for profile in ads["profiles"]:
        expected = sp["id"] if profile["marketplace_id"] in sp["marketplaces"] else None
        assert profile["linked_sp_connection_id"] == expected
    assert await _rows(session, AdsProfile, tenant_id) == len(ads["profiles"])
    assert await _rows(session, Token, tenant_id) == 2


async def test_cancel_on_consent_page_returns_to_panel_without_storing(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    query = consent(emulator_url, await _start(client, tenant_id, [US]), cancel=True)
    response = await _callback(client, query)
    assert response.status_code == 303 and response.headers["location"].endswith("?error=access_denied")
    assert await _rows(session, Connection, tenant_id) == 0


# Rejected states ------------------------------------------------------------------------------


async def _assert_rejected(
    response: httpx.Response, session: AsyncSession, tenant_id: str, words: str
) -> None:
    assert response.status_code == 400, response.text
    assert "text/html" in response.headers["content-type"]
    assert "Authorization failed" in response.text and words in response.text
    assert await _rows(session, Connection, tenant_id) == 0
    assert await _rows(session, Token, tenant_id) == 0
    assert await _rows(session, SyncState, tenant_id) == 0
    assert (
        await session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.tenant_id == uuid.UUID(tenant_id), AuditLog.action.like("connection.%"))
        )
        == 0
    )


async def test_missing_state_is_rejected(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    query = consent(emulator_url, await _start(client, tenant_id, [US]))
    del query["state"]
    await _assert_rejected(await _callback(client, query), session, tenant_id, "no state")


@pytest.mark.parametrize("forgery", ["random", "bad-signature", "no-signature"])
async def test_forged_state_is_rejected(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str, forgery: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    query = consent(emulator_url, await _start(client, tenant_id, [US]))
    nonce, _, signature = query["state"].partition(".")
    query["state"] = {
        "random": f"{uuid.uuid4().hex}.{uuid.uuid4().hex}",
        "bad-signature": f"{nonce}.{signature[::-1]}",
        "no-signature": nonce,
    }[forgery]
    await _assert_rejected(
        await _callback(client, query), session, tenant_id, "not one this application issued"
    )


async def test_expired_state_is_rejected(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str, app: Any
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    query = consent(emulator_url, await _start(client, tenant_id, [US]))
    key = "oauth:state:" + query["state"].partition(".")[0]
    redis = app.state.redis
    assert 590 <= await redis.ttl(key) <= 600  # ten minutes
    await redis.pexpire(key, 1)  # what ten minutes later looks like
    await asyncio.sleep(0.01)
    await _assert_rejected(await _callback(client, query), session, tenant_id, "expired or was already used")


async def test_reused_state_is_rejected(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    query = consent(emulator_url, await _start(client, tenant_id, [US]))
    assert (await _callback(client, query)).status_code == 303
    replay = await _callback(client, query)
    assert replay.status_code == 400 and "expired or was already used" in replay.text
    assert await _rows(session, Connection, tenant_id) == 1


async def test_state_of_another_user_and_tenant_is_rejected(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    query = consent(emulator_url, await _start(client, tenant_id, [US]))
    intruder = as_user(client)
    await sign_up(intruder)
    other_tenant = await _tenant(intruder)
    await _assert_rejected(await _callback(intruder, query), session, tenant_id, "started by another user")
    assert await _rows(session, Connection, other_tenant) == 0


async def test_state_after_losing_access_to_the_tenant_is_rejected(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    admin = as_user(client)
    admin_user = await sign_up_verified(admin, session)
    await join(client, admin, session, tenant_id, "admin")
    query = consent(emulator_url, await _start(admin, tenant_id, [US]))
    await client.patch(f"/api/tenants/{tenant_id}/members/{admin_user['id']}", json={"role": "viewer"})
    await _assert_rejected(await _callback(admin, query), session, tenant_id, "can no longer connect")


async def test_signed_out_callback_is_rejected(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    query = consent(emulator_url, await _start(client, tenant_id, [US]))
    stranger = as_user(client)
    await _assert_rejected(await _callback(stranger, query), session, tenant_id, "not signed in")


async def test_ads_state_on_the_sp_callback_is_rejected(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    ads_query = consent(emulator_url, await _start(client, tenant_id, ads=True))
    query = {
        "state": ads_query["state"],
        "spapi_oauth_code": ads_query["code"],
        "selling_partner_id": DEMO_SELLER_ID,
    }
    await _assert_rejected(
        await _callback(client, query), session, tenant_id, "different kind of authorization"
    )


async def test_a_changed_selling_partner_id_is_rejected(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    """The seller consents with its own account, then edits the redirect's selling_partner_id to
    another seller's: the token is not that seller's, and nothing is stored."""
    await sign_up(client)
    tenant_id = await _tenant(client)
    query = consent(emulator_url, await _start(client, tenant_id, [US]))
    assert query["selling_partner_id"] == DEMO_SELLER_ID
    query["selling_partner_id"] = "A2SOMEONEELSE999"
    await _assert_rejected(
        await _callback(client, query), session, tenant_id, "did not confirm the selling partner id"
    )


async def test_bad_code_is_rejected_without_storing(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    query = consent(emulator_url, await _start(client, tenant_id, [US]))
    query["spapi_oauth_code"] = "not-a-code"
    await _assert_rejected(
        await _callback(client, query), session, tenant_id, "did not accept the authorization code"
    )


# Roles and isolation -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "admin", "owner"])
async def test_roles_on_connection_routes(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str, role: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    await _connect_sp(client, emulator_url, tenant_id, [US])
    connection_id = (await client.get(f"/api/tenants/{tenant_id}/connections")).json()[0]["id"]
    member = as_user(client)
    await sign_up_verified(member, session)
    if role == "owner":
        await enrol(client)  # inviting an owner needs MFA
    await join(client, member, session, tenant_id, role)
    allowed = role != "viewer"
    expected = 200 if allowed else 403
    assert (await member.get(f"/api/tenants/{tenant_id}/connections")).status_code == 200
    assert (
        await member.post("/api/oauth/start", params={"tenant_id": tenant_id, "region": "NA"})
    ).status_code == expected
    assert (
        await member.post("/api/ads/oauth/start", params={"tenant_id": tenant_id, "region": "NA"})
    ).status_code == expected
    assert (
        await member.post(f"/api/tenants/{tenant_id}/connections/{connection_id}/reconnect")
    ).status_code == expected
    assert (
        await member.post(f"/api/tenants/{tenant_id}/connections/{connection_id}/disconnect")
    ).status_code == expected
    assert (await member.delete(f"/api/tenants/{tenant_id}/connections/{connection_id}")).status_code == (
        204 if allowed else 403
    )


async def test_other_tenants_connections_answer_404(client: httpx.AsyncClient, emulator_url: str) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    await _connect_sp(client, emulator_url, tenant_id, [US])
    connection_id = (await client.get(f"/api/tenants/{tenant_id}/connections")).json()[0]["id"]
    stranger = as_user(client)
    await sign_up(stranger)
    own = await _tenant(stranger)
    assert (await stranger.get(f"/api/tenants/{tenant_id}/connections")).status_code == 404
    assert (
        await stranger.post("/api/oauth/start", params={"tenant_id": tenant_id, "region": "NA"})
    ).status_code == 404
    # Their own tenant id with our connection id: still not found.
    for path in ("disconnect", "reconnect"):
        response = await stranger.post(f"/api/tenants/{own}/connections/{connection_id}/{path}")
        assert response.status_code == 404, path


async def test_no_access_token_is_stored_anywhere(
    client: httpx.AsyncClient, session: AsyncSession, emulator_url: str
) -> None:
    await sign_up(client)
    tenant_id = await _tenant(client)
    await _connect_sp(client, emulator_url, tenant_id, [US])
    await _callback(client, consent(emulator_url, await _start(client, tenant_id, ads=True)), ads=True)
    tables = (
        await session.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
    ).all()
    for table in tables:
        hits = await session.scalar(
            text(f"SELECT count(*) FROM \"{table}\" t WHERE row_to_json(t)::text ~ 'Atz[ar]\\|'")
        )
        assert hits == 0, f"{table} holds an LWA token in clear"


def test_draft_app_consent_url_says_version_beta(emulator_url: str, registered_app: RegisteredApp) -> None:
    settings = emulator_settings(emulator_url, API_BASE, registered_app)
    draft = settings.model_copy(update={"spapi": settings.spapi.model_copy(update={"spapi_app_draft": True})})
    url = sp_consent_url(draft, "NA", [US], "a-state")
    query = parse_qs(urlparse(url).query)
    assert query["version"] == ["beta"]
    assert query["application_id"] == [settings.spapi.spapi_application_id]
    # Seller Central's page shows it is consenting to a Draft app (the emulator renders the notice).
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200 and "Draft" in page.text
