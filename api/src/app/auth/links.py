"""Single-use links sent by e-mail: issued as a random token, stored only as its hash, spent once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.auth.token_repository import EmailTokenRepository
from app.kit.errors import AppError
from app.settings import Settings

VERIFY_EMAIL_TTL = timedelta(hours=24)
RESET_PASSWORD_TTL = timedelta(hours=1)
# Links of one purpose per user per hour: enough for "resend", too few to flood a mailbox.
MAX_LINKS_PER_HOUR = 5


class InvalidLink(AppError):
    status_code = 400
    code = "invalid_link"

    def __init__(self) -> None:
        # One message for unknown, spent and expired links: a link's state is nobody's business.
        super().__init__("this link is invalid or has expired; ask for a new one")


def hash_link_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_url(settings: Settings, path: str, token: str) -> str:
    """The panel's page for a link, the token in the URL's fragment: browsers never send a fragment
    to any server, so it reaches neither the access logs of nginx or a proxy in front of it nor a
    Referer header. The page reads it there and posts it in a JSON body."""
    return f"{settings.runtime.public_url.rstrip('/')}{path}#token={token}"


async def issue(session: AsyncSession, user: User, purpose: str, ttl: timedelta) -> str | None:
    """A new link's token for `user`, or None when the user has had too many of them this hour."""
    tokens = EmailTokenRepository(session)
    now = datetime.now(UTC)
    if await tokens.sent_since(user.id, purpose, now - timedelta(hours=1)) >= MAX_LINKS_PER_HOUR:
        return None
    token = secrets.token_urlsafe(32)
    await tokens.add(
        user_id=user.id,
        purpose=purpose,
        token_hash=hash_link_token(token),
        email=user.email,
        expires_at=now + ttl,
    )
    return token


async def spend(session: AsyncSession, token: str, purpose: str) -> tuple[User, str]:
    """The user of a live link and the address it was sent to; the link is spent. InvalidLink else."""
    found = await EmailTokenRepository(session).spend(hash_link_token(token), purpose, datetime.now(UTC))
    if found is None:
        raise InvalidLink()
    return found
