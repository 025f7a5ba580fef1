"""The application's LWA client secret after a rotation.

`spapi-saas rotate-client-secret` asks Amazon for a new secret (rotateApplicationClientSecret,
grantless); Amazon then announces it on the notifications queue as
APPLICATION_OAUTH_CLIENT_NEW_SECRET. `store_new_client_secret` keeps it encrypted in
`app_secrets`; the token manager reads the newest valid row on every LWA call, so every process
switches to it at once, without a restart, while the old secret still works for 7 days.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record
from app.kit.crypto import encrypt
from app.tokens.repository import CiphertextRepository

log = structlog.get_logger("app.tokens.client_secret")

NEW_SECRET_NOTIFICATION = "APPLICATION_OAUTH_CLIENT_NEW_SECRET"


class NotANewSecretNotification(ValueError):
    pass


@dataclass(frozen=True)
class NewClientSecret:
    client_id: str
    secret: str = field(repr=False)
    expires_at: datetime | None
    old_secret_expires_at: datetime | None


def _get(mapping: dict[str, Any], name: str) -> Any:
    """Amazon's envelopes come in two casings (`payload` / `Payload`): accept both."""
    return mapping.get(name, mapping.get(name[:1].upper() + name[1:]))


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None


def parse_new_secret_notification(notification: dict[str, Any]) -> NewClientSecret:
    kind = _get(notification, "notificationType")
    if kind != NEW_SECRET_NOTIFICATION:
        raise NotANewSecretNotification(f"not a {NEW_SECRET_NOTIFICATION} notification: {kind}")
    body = _get(_get(notification, "payload") or {}, "applicationOAuthClientNewSecret") or {}
    client_id, secret = body.get("clientId"), body.get("newClientSecret")
    if not client_id or not secret:
        raise NotANewSecretNotification("the notification has no clientId or newClientSecret")
    return NewClientSecret(
        client_id=str(client_id),
        secret=str(secret),
        expires_at=_time(body.get("newClientSecretExpiryTime")),
        old_secret_expires_at=_time(body.get("oldClientSecretExpiryTime")),
    )


async def store_new_client_secret(
    session: AsyncSession, encryption_keys: list[str], notification: dict[str, Any]
) -> NewClientSecret:
    """Keep the announced secret (encrypted); it is used from the next LWA call on."""
    new = parse_new_secret_notification(notification)
    await CiphertextRepository(session).add_app_secret(
        new.client_id, encrypt(encryption_keys, new.secret), new.expires_at
    )
    await record(
        session,
        tenant_id=None,
        actor_user_id=None,
        action="app.client_secret_rotated",
        target_type="application",
        target_id=new.client_id,
        data={
            "new_secret_expires_at": new.expires_at.isoformat() if new.expires_at else None,
            "old_secret_expires_at": new.old_secret_expires_at.isoformat()
            if new.old_secret_expires_at
            else None,
        },
    )
    log.info("client_secret.stored", client_id=new.client_id)
    return new
