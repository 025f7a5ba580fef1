"""Sign-up, sign-in and sessions. Services never commit: the request's unit of work does.

A session lives until the first of: its absolute expiry (`expires_at`, SESSION_MAX_AGE_SEC after
sign-in), SESSION_IDLE_TIMEOUT_SEC without a request (`last_seen_at`, written at most once a
minute per session), its revocation (sign-out, sign-out everywhere, a password reset). Rows that
can never be used again are deleted by `auth.purge_sessions` (`auth/tasks.py`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.clerk import ClerkIdentity
from app.auth.events import AccountEvent
from app.auth.models import User
from app.auth.passwords import hash_password, needs_rehash, verify_password
from app.auth.repository import SessionRepository, UserRepository
from app.auth.schemas import SessionInfo
from app.auth.throttle import SignInGuard
from app.kit.errors import Conflict, Unauthenticated
from app.kit.events import publish

# `last_seen_at` is written at most this often per session: the idle timeout needs minutes, not
# a write per request.
TOUCH_EVERY = timedelta(minutes=1)


class InvalidCredentials(Unauthenticated):
    """One answer for an unknown e-mail, a wrong password and a disabled account."""

    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__("wrong e-mail or password")


@dataclass(frozen=True)
class Client:
    """Who asks, for the audit log: the real client address (behind the trusted proxy) and the
    request id."""

    ip: str | None
    request_id: str | None


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


def email_hash(secret: str, email: str) -> str:
    """A keyed hash of an address for the audit log: the same address gives the same value, and
    without the secret a list of candidate addresses cannot be checked against it."""
    return hmac.new(secret.encode(), f"email:{normalise_email(email)}".encode(), hashlib.sha256).hexdigest()[
        :32
    ]


async def user_for_session_token(session: AsyncSession, token: str, *, idle_timeout_s: int) -> User | None:
    """The user of a live session, which this request keeps alive."""
    now = datetime.now(UTC)
    token_hash = hash_session_token(token)
    found = await SessionRepository(session).live_user(
        token_hash, now, now - timedelta(seconds=idle_timeout_s)
    )
    if found is None:
        return None
    user, last_seen_at = found
    await session_seen(session, token_hash, last_seen_at, now)
    return user


async def session_seen(session: AsyncSession, token_hash: str, last_seen_at: datetime, now: datetime) -> None:
    """A live session was used now: record it when the last record is a minute old or more."""
    if now - last_seen_at >= TOUCH_EVERY:
        await SessionRepository(session).touch(token_hash, now, every=TOUCH_EVERY)


async def end_session(session: AsyncSession, user: User, token: str, client: Client) -> None:
    await SessionRepository(session).revoke(hash_session_token(token))
    await publish(session, AccountEvent("auth.sign_out", user.id, client.ip, client.request_id))


async def revoke_all_sessions(session: AsyncSession, user_id: uuid.UUID) -> int:
    """End every session of the user, wherever it is (a password reset calls this); how many."""
    return await SessionRepository(session).revoke_all(user_id)


async def sign_out_everywhere(session: AsyncSession, user: User, client: Client) -> int:
    """End every session of the user, the one asking included; audited."""
    revoked = await revoke_all_sessions(session, user.id)
    await publish(
        session,
        AccountEvent("auth.sign_out_everywhere", user.id, client.ip, client.request_id, {"revoked": revoked}),
    )
    return revoked


async def list_sessions(
    session: AsyncSession, user_id: uuid.UUID, current_token: str | None, *, idle_timeout_s: int
) -> list[SessionInfo]:
    now = datetime.now(UTC)
    rows = await SessionRepository(session).list_live(user_id, now, now - timedelta(seconds=idle_timeout_s))
    current = hash_session_token(current_token) if current_token else None
    return [
        SessionInfo(
            id=row.id[:16],
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=row.expires_at,
            user_agent=row.user_agent,
            current=row.id == current,
        )
        for row in rows
    ]


async def purge_sessions(session: AsyncSession, now: datetime, *, idle_timeout_s: int) -> int:
    """Delete the sessions that can never be used again; how many."""
    return await SessionRepository(session).purge(now, now - timedelta(seconds=idle_timeout_s))


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


async def sign_in(
    session: AsyncSession, guard: SignInGuard, *, email: str, password: str, client: Client, secret: str
) -> User:
    """The user whose password this is. Raises TooManyAttempts (address locked or client paused,
    before any password work) or InvalidCredentials; each attempt that gets to the password is
    audited (`secret` keys the hash of an unknown address)."""
    ip = client.ip or "unknown"
    await guard.check(email, ip)
    user = await UserRepository(session).by_email(email)
    # Always one verify, off the event loop: an unknown e-mail costs what a wrong password does.
    matches = await verify_password(user.password_hash if user is not None else None, password)
    if user is None or not user.is_active or not matches:
        locked = await guard.failed(email, ip)
        user_id = user.id if user is not None else None
        data = {} if user is not None else {"email_hash": email_hash(secret, email)}
        await publish(
            session, AccountEvent("auth.sign_in_failed", user_id, client.ip, client.request_id, data)
        )
        if locked:
            lock = {**data, "lockout_s": guard.settings.signin_lockout_sec}
            await publish(
                session, AccountEvent("auth.account_locked", user_id, client.ip, client.request_id, lock)
            )
        # One message for every case: the answer must not reveal which e-mails have accounts.
        raise InvalidCredentials()
    await guard.succeeded(email)
    if user.password_hash and needs_rehash(user.password_hash):
        await UserRepository(session).change(user, password_hash=await hash_password(password))
    await publish(session, AccountEvent("auth.sign_in", user.id, client.ip, client.request_id))
    return user
