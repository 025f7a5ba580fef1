"""Maintenance commands: `spapi-saas rotate-encryption-key` and `rotate-client-secret`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.amazon_http import AmazonTransport, RateLimiter, create_http_client
from app.amazon_http.lwa import SCOPE_ROTATION
from app.audit.service import record
from app.auth.mfa_service import reencrypt_totp_secrets
from app.db.session import create_engine, create_sessionmaker, unit_of_work
from app.kit.crypto import rotate
from app.kit.redis import create_redis
from app.settings import get_settings
from app.tokens.repository import CiphertextRepository, SqlTokenStore
from app.tokens.service import TokenManager


@dataclass(frozen=True)
class Reencrypted:
    refresh_tokens: int
    app_secrets: int
    totp_secrets: int = 0
    # Tenants' data keys re-wrapped: what they encrypt (refresh tokens, cached PII) stays as it is.
    tenant_keys: int = 0


async def reencrypt_all(session: AsyncSession, keys: Sequence[str]) -> Reencrypted:
    """Re-encrypt every stored secret under the first key (rows are locked while rewritten): the
    tenants' data keys, the refresh tokens not yet under a tenant key, the client secrets."""
    repository = CiphertextRepository(session)
    tenant_keys = await repository.tenant_keys()
    for tenant_id, wrapped in tenant_keys:
        await repository.set_tenant_key(tenant_id, rotate(keys, wrapped))
    tokens = await repository.refresh_tokens()
    for token_id, ciphertext in tokens:
        await repository.set_refresh_token(token_id, rotate(keys, ciphertext))
    secrets = await repository.app_secrets()
    for secret_id, ciphertext in secrets:
        await repository.set_app_secret(secret_id, rotate(keys, ciphertext))
    totp_secrets = await reencrypt_totp_secrets(session, keys)
    await record(
        session,
        tenant_id=None,
        actor_user_id=None,
        action="app.encryption_key_rotated",
        data={
            "refresh_tokens": len(tokens),
            "app_secrets": len(secrets),
            "totp_secrets": totp_secrets,
            "tenant_keys": len(tenant_keys),
        },
    )
    return Reencrypted(len(tokens), len(secrets), totp_secrets, len(tenant_keys))


async def rotate_encryption_key_command() -> Reencrypted:
    """Put the new key first in ENCRYPTION_KEY (old ones after it), run this, then drop the old keys."""
    settings = get_settings()
    engine = create_engine(settings, pool_size=1)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            return await reencrypt_all(session, settings.security.encryption_keys)
    finally:
        await engine.dispose()


async def request_client_secret_rotation(session: AsyncSession, manager: TokenManager) -> str | None:
    """Ask Amazon for a new client secret (grantless rotateApplicationClientSecret, 204). Amazon
    announces the new secret by notification; the old one keeps working for 7 days."""
    settings = manager.settings
    client = manager.grantless_client(settings.spapi.spapi_region, SCOPE_ROTATION, max_wait_s=60.0)
    request_id = await client.applications.rotate_client_secret()
    await record(
        session,
        tenant_id=None,
        actor_user_id=None,
        action="app.client_secret_rotation_requested",
        target_type="application",
        target_id=settings.spapi.lwa_client_id,
        request_id=request_id,
    )
    return request_id


async def rotate_client_secret_command() -> str | None:
    settings = get_settings()
    engine = create_engine(settings, pool_size=1)
    redis = create_redis(settings.redis.redis_url)
    http = create_http_client()
    try:
        sessionmaker = create_sessionmaker(engine)
        transport = AmazonTransport(http, limiter=RateLimiter(redis))
        store = SqlTokenStore(sessionmaker, settings.security.encryption_keys)
        # Grantless calls only: no connection's refresh token is used, so no invalid_grant to handle.
        manager = TokenManager(settings=settings, store=store, redis=redis, transport=transport)
        async with unit_of_work(sessionmaker) as session:
            return await request_client_secret_rotation(session, manager)
    finally:
        await http.aclose()
        await redis.aclose()
        await engine.dispose()
