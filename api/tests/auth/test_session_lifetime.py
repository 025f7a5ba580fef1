"""Sessions end when idle too long, can all be ended at once, are listed, and are purged; each
sign-in event is in the audit log."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.models import AuditLog
from app.auth.models import UserSession
from app.settings import get_settings
from app.worker.actor import _REGISTRY
from app.worker.scheduler import _tick_handlers
from tests.auth.helpers import as_user, behind_proxy, random_ip, sign_up

PASSWORD = "correct-horse-battery"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def _last_seen(session: AsyncSession, token: str, when: datetime) -> None:
    await session.execute(update(UserSession).where(UserSession.id == _hash(token)).values(last_seen_at=when))


async def test_an_idle_session_expires_everywhere(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await sign_up(client)
    tenant_id = (await client.post("/api/tenants", json={"name": "Idle"})).json()["id"]
    idle = 12 * 3600  # the default SESSION_IDLE_TIMEOUT_SEC
    token = client.cookies["session"]

    await _last_seen(session, token, datetime.now(UTC) - timedelta(seconds=idle - 120))
    assert (await client.get("/api/auth/me")).status_code == 200
    assert (await client.get(f"/api/tenants/{tenant_id}/flags")).status_code == 200

    await _last_seen(session, token, datetime.now(UTC) - timedelta(seconds=idle + 1))
    assert (await client.get("/api/auth/me")).status_code == 401
    assert (await client.get(f"/api/tenants/{tenant_id}/flags")).status_code == 401


async def test_last_seen_is_written_at_most_once_a_minute(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await sign_up(client)
    tenant_id = (await client.post("/api/tenants", json={"name": "Seen"})).json()["id"]
    token = client.cookies["session"]
    for path in ("/api/auth/me", f"/api/tenants/{tenant_id}/flags"):
        recent = datetime.now(UTC) - timedelta(seconds=30)
        await _last_seen(session, token, recent)
        assert (await client.get(path)).status_code == 200
        row = await session.get(UserSession, _hash(token), populate_existing=True)
        assert row is not None and row.last_seen_at == recent  # under a minute: no write

        stale = datetime.now(UTC) - timedelta(minutes=5)
        await _last_seen(session, token, stale)
        assert (await client.get(path)).status_code == 200
        row = await session.get(UserSession, _hash(token), populate_existing=True)
        assert row is not None and row.last_seen_at > datetime.now(UTC) - timedelta(seconds=10)


async def test_sign_out_everywhere_ends_every_session_of_the_user(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    user = await sign_up(client, email := f"every-{uuid.uuid4().hex[:8]}@example.com")
    laptop = behind_proxy(client, random_ip())
    assert (
        await laptop.post("/api/auth/signin", json={"email": email, "password": PASSWORD})
    ).status_code == 200
    laptop.headers["X-CSRF-Token"] = laptop.cookies["csrf_token"]
    stranger = as_user(client)
    await sign_up(stranger)

    listed = await laptop.get("/api/auth/sessions")
    assert listed.status_code == 200
    assert len(listed.json()) == 2 and [s["current"] for s in listed.json()].count(True) == 1

    out = await laptop.post("/api/auth/signout-everywhere")
    assert out.status_code == 200 and out.json() == {"revoked": 2}
    assert any(c.startswith("session=") for c in out.headers.get_list("set-cookie"))
    assert (await client.get("/api/auth/me")).status_code == 401
    kept = as_user(client)
    kept.cookies.set("session", laptop.cookies.get("session") or "gone")
    assert (await kept.get("/api/auth/me")).status_code == 401
    assert (await stranger.get("/api/auth/me")).status_code == 200  # other users untouched

    entry = await session.scalar(
        select(AuditLog).where(
            AuditLog.action == "auth.sign_out_everywhere", AuditLog.actor_user_id == uuid.UUID(user["id"])
        )
    )
    assert entry is not None and entry.data == {"revoked": 2} and entry.tenant_id is None


async def test_revoke_all_sessions_for_the_password_reset(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    from app.auth.service import revoke_all_sessions

    user = await sign_up(client)
    assert await revoke_all_sessions(session, uuid.UUID(user["id"])) == 1
    assert (await client.get("/api/auth/me")).status_code == 401


async def test_sign_in_and_sign_out_are_audited(client: httpx.AsyncClient, session: AsyncSession) -> None:
    user = await sign_up(client, email := f"audit-{uuid.uuid4().hex[:8]}@example.com")
    browser = behind_proxy(client, ip := random_ip())
    assert (
        await browser.post("/api/auth/signin", json={"email": email, "password": "wrong-one-1"})
    ).status_code == 401
    assert (
        await browser.post("/api/auth/signin", json={"email": email, "password": PASSWORD})
    ).status_code == 200
    out = await browser.post("/api/auth/signout", headers={"X-CSRF-Token": browser.cookies["csrf_token"]})
    assert out.status_code == 204
    entries = (
        await session.scalars(
            select(AuditLog).where(AuditLog.actor_user_id == uuid.UUID(user["id"])).order_by(AuditLog.id)
        )
    ).all()
    # Those of the browser behind the proxy (`sign_up` signed in once already, directly).
    entries = [e for e in entries if str(e.ip) == ip]
    assert [(e.action, str(e.ip), e.tenant_id, e.data) for e in entries] == [
        ("auth.sign_in_failed", ip, None, {}),
        ("auth.sign_in", ip, None, {}),
        ("auth.sign_out", ip, None, {}),
    ]
    assert all(e.request_id for e in entries)


async def test_sessions_that_can_never_be_used_again_are_purged(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    from app.auth.service import purge_sessions

    await sign_up(client)
    live = _hash(client.cookies["session"])
    user_id = (await session.get(UserSession, live)).user_id  # type: ignore[union-attr]
    now = datetime.now(UTC)
    idle = get_settings().security.session_idle_timeout_sec
    dead = {
        "expired": {"expires_at": now - timedelta(seconds=1)},
        "idle": {"last_seen_at": now - timedelta(seconds=idle + 1)},
        "revoked": {"revoked_at": now - timedelta(minutes=1)},
    }
    for name, values in dead.items():
        session.add(UserSession(id=_hash(name + live), user_id=user_id, expires_at=now + timedelta(days=1)))
        await session.flush()
        await session.execute(
            update(UserSession).where(UserSession.id == _hash(name + live)).values(**values)
        )

    assert await purge_sessions(session, now, idle_timeout_s=idle) >= 3
    left = (await session.scalars(select(UserSession.id).where(UserSession.user_id == user_id))).all()
    assert left == [live]
    assert (await client.get("/api/auth/me")).status_code == 200


def test_the_purge_is_a_job_the_scheduler_enqueues() -> None:
    from app.auth.tasks import PURGE_SESSIONS_ACTOR, auth_tick

    assert PURGE_SESSIONS_ACTOR in _REGISTRY
    assert auth_tick in _tick_handlers
