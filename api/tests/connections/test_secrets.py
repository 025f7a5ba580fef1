"""Encryption-key rotation over stored ciphertext, and the application's client-secret rotation:
the official APPLICATION_OAUTH_CLIENT_NEW_SECRET payload is stored encrypted and the very next LWA
call uses the new secret, in the same process, without a restart."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.amazon_http import AmazonTransport, RateLimiter
from app.amazon_http.lwa import SCOPE_NOTIFICATIONS, SCOPE_ROTATION
from app.kit.crypto import DecryptionError, decrypt, encrypt
from app.kit.redis import create_redis
from app.settings import get_settings
from app.tokens.client_secret import NotANewSecretNotification, store_new_client_secret
from app.tokens.commands import reencrypt_all, request_client_secret_rotation
from app.tokens.models import AppSecret, Token
from app.tokens.repository import SqlTokenStore
from app.tokens.service import TokenManager
from tests.connections.support import emulator_settings, register_app
from tests.factories.connections import make_connection
from tests.factories.tenants import make_tenant


def _notification(client_id: str, secret: str, *, capitalised: bool = False) -> dict[str, Any]:
    """Amazon's sample APPLICATION_OAUTH_CLIENT_NEW_SECRET notification (lwa-rotation use case)."""
    payload = {
        "applicationOAuthClientNewSecret": {
            "clientId": client_id,
            "newClientSecret": secret,
            "newClientSecretExpiryTime": "2027-05-27T12:00:00Z",
            "oldClientSecretExpiryTime": "2026-12-05T12:00:00Z",
        }
    }
    envelope = {
        "notificationVersion": "1.0",
        "notificationType": "APPLICATION_OAUTH_CLIENT_NEW_SECRET",
        "payloadVersion": "2023-11-30",
        "eventTime": "2026-11-28T12:00:00Z",
        "payload": payload,
        "notificationMetadata": {
            "applicationId": "amzn1.sp.solution.test",
            "subscriptionId": "subscription-id",
            "publishTime": "2026-11-28T12:00:01Z",
            "notificationId": str(uuid.uuid4()),
        },
    }
    if capitalised:
        return {k[:1].upper() + k[1:]: v for k, v in envelope.items()}
    return envelope


async def test_reencrypt_all_moves_every_ciphertext_to_the_new_first_key(session: AsyncSession) -> None:
    old, new = get_settings().security.encryption_keys[0], Fernet.generate_key().decode()
    tenant = await make_tenant(session, "Rotation")
    connection = await make_connection(session, tenant.id, account_id="A1ROTATE")
    session.add(
        Token(
            tenant_id=tenant.id, connection_id=connection.id, refresh_token_enc=encrypt([old], "Atzr|refresh")
        )
    )
    session.add(AppSecret(client_id="client", secret_enc=encrypt([old], "amzn1.oa2-cs.v1.secret")))
    await session.flush()

    done = await reencrypt_all(session, [new, old])
    assert done.refresh_tokens >= 1 and done.app_secrets >= 1

    token = await session.scalar(
        select(Token).where(Token.connection_id == connection.id).execution_options(populate_existing=True)
    )
    assert token is not None and token.rotated_at is not None
    assert decrypt([new], token.refresh_token_enc) == "Atzr|refresh"  # the new key alone suffices
    with pytest.raises(DecryptionError):
        decrypt([old], token.refresh_token_enc)
    secret = await session.scalar(select(AppSecret.secret_enc).where(AppSecret.client_id == "client"))
    assert secret is not None and decrypt([new], secret) == "amzn1.oa2-cs.v1.secret"


async def test_other_notifications_are_refused(session: AsyncSession) -> None:
    with pytest.raises(NotANewSecretNotification):
        await store_new_client_secret(session, ["k"], {"notificationType": "ORDER_CHANGE", "payload": {}})


@pytest.fixture
async def committed(
    engine: AsyncEngine, clean_state: None
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    yield async_sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = create_redis(get_settings().redis.redis_url)
    yield client
    await client.aclose()


@pytest.mark.parametrize("capitalised", [False, True])
async def test_new_secret_from_notification_is_used_without_restart(
    committed: async_sessionmaker[AsyncSession], redis: aioredis.Redis, emulator_url: str, capitalised: bool
) -> None:
    app = register_app(emulator_url, "http://127.0.0.1:8000")
    settings = emulator_settings(emulator_url, "http://127.0.0.1:8000", app)
    keys = settings.security.encryption_keys
    async with httpx.AsyncClient() as http:
        transport = AmazonTransport(http, limiter=RateLimiter(redis))
        manager = TokenManager(
            settings=settings, store=SqlTokenStore(committed, keys), redis=redis, transport=transport
        )
        assert await manager.grantless_token(SCOPE_NOTIFICATIONS)  # the configured secret works

        # Amazon rotates: the emulator now knows only the new secret for this client id.
        new_secret = f"amzn1.oa2-cs.v1.{uuid.uuid4().hex}"
        rotated = await http.post(
            f"{emulator_url}/_emulator/apps",
            json={
                "client_id": app.client_id,
                "client_secret": new_secret,
                "application_id": app.application_id,
                "redirect_uris": ["http://127.0.0.1:8000/api/oauth/callback"],
            },
        )
        assert rotated.status_code == 201
        async with committed() as session, session.begin():
            await store_new_client_secret(
                session, keys, _notification(app.client_id, new_secret, capitalised=capitalised)
            )

        # Same process, same manager: the next token request already uses the new secret.
        assert await manager.grantless_token(SCOPE_ROTATION)
        async with committed() as session:
            row = await session.scalar(select(AppSecret).where(AppSecret.client_id == app.client_id))
        assert row is not None and new_secret.encode() not in row.secret_enc
        assert decrypt(keys, row.secret_enc) == new_secret
        assert row.expires_at is not None and row.expires_at.year == 2027


async def test_rotate_client_secret_end_to_end_with_the_emulator(
    committed: async_sessionmaker[AsyncSession], redis: aioredis.Redis, emulator_url: str
) -> None:
    """rotate-client-secret -> Amazon's notification -> stored -> used once the old secret expires."""
    app = register_app(emulator_url, "http://127.0.0.1:8000")
    settings = emulator_settings(emulator_url, "http://127.0.0.1:8000", app)
    keys = settings.security.encryption_keys
    async with httpx.AsyncClient() as http:
        transport = AmazonTransport(http, limiter=RateLimiter(redis))
        manager = TokenManager(
            settings=settings, store=SqlTokenStore(committed, keys), redis=redis, transport=transport
        )
        async with committed() as session, session.begin():
            await request_client_secret_rotation(session, manager)

        outbox = (
            await http.get(
                f"{emulator_url}/_emulator/notifications",
                params={"notification_type": "APPLICATION_OAUTH_CLIENT_NEW_SECRET"},
            )
        ).json()
        notification = next(
            d["message"]
            for d in outbox
            if d["message"]["payload"]["applicationOAuthClientNewSecret"]["clientId"] == app.client_id
        )
        async with committed() as session, session.begin():
            stored = await store_new_client_secret(session, keys, notification)

        # Eight days later Amazon refuses the old secret; the stored one carries on, no restart.
        await http.post(f"{emulator_url}/_emulator/clock/advance", json={"seconds": 8 * 86400})
        old = await http.post(
            f"{emulator_url}/auth/o2/token",
            data={
                "grant_type": "client_credentials",
                "scope": SCOPE_NOTIFICATIONS,
                "client_id": app.client_id,
                "client_secret": app.client_secret,
            },
        )
        assert old.status_code == 401
        assert await manager.grantless_token(SCOPE_NOTIFICATIONS)
        assert stored.secret.startswith("amzn1.oa2-cs.v1.")
