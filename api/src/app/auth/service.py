"""Sign-up, sign-in and sessions. Services never commit: the request's unit of work does."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.clerk import ClerkIdentity
from app.auth.models import User
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.repository import SessionRepository, UserRepository
from app.kit.errors import AppError, Conflict, Unauthenticated

# Login attempts per (e-mail, IP) before a pause: enough for typos, far too few for guessing.
LOGIN_MAX_ATTEMPTS = 10
LOGIN_WINDOW_SEC = 15 * 60


class TooManyAttempts(AppError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many sign-in attempts; try again in {max(retry_after_s, 1)} seconds")
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class NewSession:
    """The cookie values of a fresh session (the token is only ever in the browser's cookie)."""

    token: str
    csrf_token: str
    expires_at: datetime


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_for(secret: str, session_key: str) -> str:
    """The CSRF token bound to one session (signed double submit: a cookie planted by a sibling
    subdomain cannot match because it does not know the session)."""
    return hmac.new(secret.encode(), f"csrf:{session_key}".encode(), hashlib.sha256).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_session(
    session: AsyncSession, user: User, *, secret: str, max_age_s: int, user_agent: str | None
) -> NewSession:
    token = secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + timedelta(seconds=max_age_s)
    await SessionRepository(session).add(
        token_hash=hash_session_token(token),
        user_id=user.id,
        expires_at=expires_at,
        user_agent=(user_agent or "")[:500] or None,
    )
    return NewSession(token, csrf_token_for(secret, token), expires_at)


async def user_for_session_token(session: AsyncSession, token: str) -> User | None:
    return await SessionRepository(session).active_user(hash_session_token(token), datetime.now(UTC))


async def end_session(session: AsyncSession, token: str) -> None:
    await SessionRepository(session).revoke(hash_session_token(token))


async def user_by_id(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await UserRepository(session).by_id(user_id)


async def user_by_email(session: AsyncSession, email: str) -> User | None:
    return await UserRepository(session).by_email(email)


async def clerk_user(session: AsyncSession, identity: ClerkIdentity) -> User:
    """The local user of a Clerk account, created on first sight (memberships need a local id)."""
    users = UserRepository(session)
    user = await users.by_clerk_id(identity.user_id)
    if user is not None:
        return user
    # Only an address Clerk verified is used at all: an unverified one is anyone's to type.
    email = identity.email if identity.email and identity.email_verified else None
    if email:
        user = await users.by_email(email)
        if user is not None:
            # Linking hands the account over: only one nobody can sign in to yet (no password,
            # no Clerk id), such as an invited address. A password someone set, maybe a squatter
            # who registered the address first, or another Clerk account, is never taken over.
            if user.password_hash is not None or user.clerk_user_id is not None:
                raise Conflict(
                    "a local account already uses this e-mail address; it cannot be linked to this "
                    "sign-in (ask an administrator)",
                    code="account_not_linkable",
                )
            await users.change(user, clerk_user_id=identity.user_id, email_verified_at=datetime.now(UTC))
            return user
    user = await users.add(
        email=email or f"{identity.user_id}@clerk.invalid", name=identity.name, clerk_user_id=identity.user_id
    )
    if email:
        # Clerk verified it: invitations to this address can be accepted.
        await users.change(user, email_verified_at=datetime.now(UTC))
    return user


class LoginLimiter:
    """Failed sign-ins per (e-mail, IP) in Redis; the key is hashed so Redis holds no addresses."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self.redis = redis

    @staticmethod
    def _key(email: str, ip: str) -> str:
        digest = hashlib.sha256(f"{normalise_email(email)}|{ip}".encode()).hexdigest()
        return f"auth:login-failures:{digest}"

    async def check(self, email: str, ip: str) -> None:
        key = self._key(email, ip)
        failures = await self.redis.get(key)
        if failures is not None and int(failures) >= LOGIN_MAX_ATTEMPTS:
            raise TooManyAttempts(int(await self.redis.ttl(key)))

    async def failed(self, email: str, ip: str) -> None:
        key = self._key(email, ip)
        failures = await self.redis.incr(key)
        if failures == 1:
            # The window starts at the first failure (EXPIRE NX needs Redis 7; the embedded one is 6).
            await self.redis.expire(key, LOGIN_WINDOW_SEC)

    async def succeeded(self, email: str, ip: str) -> None:
        await self.redis.delete(self._key(email, ip))


async def sign_in(
    session: AsyncSession, limiter: LoginLimiter, *, email: str, password: str, ip: str
) -> User:
    await limiter.check(email, ip)
    user = await UserRepository(session).by_email(email)
    if user is None or not user.is_active or not verify_password(user.password_hash, password):
        await limiter.failed(email, ip)
        # One message for every case: the answer must not reveal which e-mails have accounts.
        raise Unauthenticated("wrong e-mail or password", code="invalid_credentials")
    await limiter.succeeded(email, ip)
    if user.password_hash and needs_rehash(user.password_hash):
        await UserRepository(session).change(user, password_hash=hash_password(password))
    return user
