"""The second factor: enrolment, confirmation, recovery codes, disabling, step-up, and the second step
of sign-in. Services never commit: the request's unit of work does.

Sign-in with MFA is two requests. The password step (`auth/endpoints.py`) creates no session for a
user with MFA: it answers `mfa_required` with a pending token (random, kept hashed in Redis for
`SIGN_IN_TTL_S`, bound to the user, single use); the code step trades it for a session already
marked `mfa_verified_at`. No half-signed-in session ever exists, so no route anywhere has to know
about one (fail closed), and the session code (idle timeout, purge) is unchanged.

A session that predates the enrolment, or a Clerk session, is "not MFA-verified": routes behind
`require_mfa` (`app.tenants.permissions`) ask for a step-up code, which marks that session.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NoReturn

import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import mfa
from app.auth.mfa_events import MfaChanged
from app.auth.mfa_repository import MfaRepository
from app.auth.models import User
from app.auth.passwords import verify_password
from app.auth.repository import UserRepository
from app.kit.crypto import decrypt, encrypt, rotate
from app.kit.errors import AppError, Conflict, Unauthenticated
from app.kit.events import publish
from app.kit.rate_window import FixedWindow, RateLimited

# Wrong codes per user before a pause: 5 guesses at 3-in-a-million each per quarter hour.
MAX_CODE_FAILURES = 5
CODE_FAILURE_WINDOW_S = 15 * 60
# How long the code step of a sign-in may follow its password step.
SIGN_IN_TTL_S = 5 * 60
# A Clerk session has no row of ours: its step-up lives in Redis for this long at most.
CLERK_STEP_UP_TTL_S = 12 * 3600


class InvalidMfaCode(AppError):
    status_code = 400
    code = "invalid_mfa_code"


@dataclass(frozen=True)
class MfaStatus:
    enabled: bool
    enrolment_pending: bool
    recovery_codes_left: int
    session_verified_at: datetime | None


@dataclass(frozen=True)
class SessionRef:
    """The caller's session as the MFA mark knows it: a session row (`key_hash` is its id) or a
    Clerk session (its id's hash, the mark kept in Redis)."""

    key_hash: str
    via: str  # "session" | "clerk_cookie" | "bearer"

    @classmethod
    def of(cls, session_key: str, via: str) -> SessionRef:
        return cls(hashlib.sha256(session_key.encode()).hexdigest(), via)


@dataclass(frozen=True)
class Requester:
    """Who asks from where (for the audit entries the changes publish)."""

    ip: str | None = None
    request_id: str | None = None


class MfaService:
    def __init__(
        self, session: AsyncSession, *, keys: Sequence[str], redis: aioredis.Redis, requester: Requester
    ) -> None:
        self.session = session
        self.keys = list(keys)
        self.redis = redis
        self.requester = requester
        self.repo = MfaRepository(session)
        self.failures = FixedWindow(
            redis, name="mfa-failures", limit=MAX_CODE_FAILURES, window_s=CODE_FAILURE_WINDOW_S
        )

    # --- state -----------------------------------------------------------------------------

    async def is_enabled(self, user_id: uuid.UUID) -> bool:
        row = await self.repo.get(user_id)
        return row is not None and row.confirmed_at is not None

    async def session_verified_at(self, user_id: uuid.UUID, ref: SessionRef | None) -> datetime | None:
        if ref is None:
            return None
        if ref.via == "session":
            return await self.repo.session_verified_at(ref.key_hash, user_id)
        raw = await self.redis.get(self._clerk_key(user_id, ref))
        return None if raw is None else datetime.fromisoformat(_text(raw))

    async def status(self, user_id: uuid.UUID, ref: SessionRef | None) -> MfaStatus:
        row = await self.repo.get(user_id)
        enabled = row is not None and row.confirmed_at is not None
        return MfaStatus(
            enabled=enabled,
            enrolment_pending=row is not None and row.confirmed_at is None,
            recovery_codes_left=await self.repo.recovery_codes_left(user_id) if enabled else 0,
            session_verified_at=await self.session_verified_at(user_id, ref) if enabled else None,
        )

    # --- enrolment -------------------------------------------------------------------------

    async def start_enrolment(self, user: User, *, issuer: str) -> tuple[str, str]:
        """A fresh secret (shown once) and its otpauth:// URI; replaces an unconfirmed enrolment."""
        if await self.is_enabled(user.id):
            raise Conflict("two-factor authentication is already on", code="mfa_already_enabled")
        secret = mfa.new_secret()
        await self.repo.start(user.id, encrypt(self.keys, secret))
        return secret, mfa.provisioning_uri(secret, account=user.email, issuer=issuer)

    async def confirm_enrolment(self, user: User, code: str, ref: SessionRef | None) -> list[str]:
        """The first code proves the authenticator has the secret: MFA is on, this session counts
        as verified, and the recovery codes are returned (the only time they are shown)."""
        row = await self.repo.get(user.id)
        if row is None or row.confirmed_at is not None:
            raise Conflict("start the enrolment first", code="mfa_not_pending")
        await self._check_not_blocked(user.id)
        now = datetime.now(UTC)
        step = mfa.matching_step(decrypt(self.keys, row.totp_secret_enc), code, now)
        if step is None or not await self.repo.confirm(user.id, step, now):
            await self._failed(user.id)
        codes = await self._new_recovery_codes(user.id)
        await self._mark_verified(user.id, ref, now)
        await self._publish(user.id, "mfa.enabled")
        return codes

    async def regenerate_recovery_codes(self, user: User, code: str) -> list[str]:
        await self.verify_code(user.id, code)
        codes = await self._new_recovery_codes(user.id)
        await self._publish(user.id, "mfa.recovery_codes_regenerated")
        return codes

    async def disable(self, user: User, *, code: str, password: str | None) -> None:
        """Needs a current code (or a recovery code) and, for a user who has one, the password."""
        if not await self.is_enabled(user.id):
            raise Conflict("two-factor authentication is off", code="mfa_not_enabled")
        await self._check_not_blocked(user.id)
        if user.password_hash is not None and not await verify_password(user.password_hash, password or ""):
            await self.failures.hit(str(user.id))
            # 400, not 401: the caller is signed in; a 401 would read as "session lost".
            raise AppError("wrong password", code="wrong_password")
        await self.verify_code(user.id, code)
        await self.repo.remove(user.id)
        await self._publish(user.id, "mfa.disabled")

    # --- codes -----------------------------------------------------------------------------

    async def verify_code(self, user_id: uuid.UUID, code: str) -> str:
        """Accept a TOTP code (once per time step) or an unused recovery code; "totp" or "recovery".
        Wrong codes count towards a pause (429)."""
        await self._check_not_blocked(user_id)
        row = await self.repo.get(user_id)
        if row is None or row.confirmed_at is None:
            raise Conflict("two-factor authentication is off", code="mfa_not_enabled")
        now = datetime.now(UTC)
        if mfa.looks_like_totp(code):
            step = mfa.matching_step(decrypt(self.keys, row.totp_secret_enc), code, now)
            if step is not None and await self.repo.claim_step(user_id, step):
                return "totp"
        elif await self.repo.use_recovery_code(user_id, mfa.hash_recovery_code(code), now):
            await self._publish(user_id, "mfa.recovery_code_used")
            return "recovery"
        await self._failed(user_id)

    async def step_up(self, user_id: uuid.UUID, code: str, ref: SessionRef) -> datetime:
        """Mark the caller's session as MFA-verified."""
        await self.verify_code(user_id, code)
        now = datetime.now(UTC)
        await self._mark_verified(user_id, ref, now)
        return now

    # --- sign-in ---------------------------------------------------------------------------

    async def sign_in_challenge(self, user_id: uuid.UUID) -> str:
        token = secrets.token_urlsafe(32)
        await self.redis.set(self._sign_in_key(token), str(user_id), ex=SIGN_IN_TTL_S)
        return token

    async def complete_sign_in(self, token: str, code: str) -> User:
        """The user of a pending sign-in whose code is right; the token is then spent."""
        raw = await self.redis.get(self._sign_in_key(token))
        user = await UserRepository(self.session).by_id(uuid.UUID(_text(raw))) if raw else None
        if user is None or not user.is_active:
            raise Unauthenticated(
                "this sign-in has expired; enter your e-mail and password again", code="mfa_token_invalid"
            )
        await self.verify_code(user.id, code)
        # Spent only once the code is right (a typo does not send the user back to the password);
        # DEL's count settles two racing requests with the same token.
        if not await self.redis.delete(self._sign_in_key(token)):
            raise Unauthenticated("this sign-in was already completed", code="mfa_token_invalid")
        return user

    async def mark_new_session_verified(self, user_id: uuid.UUID, session_token: str) -> None:
        await self.repo.mark_session_verified(
            SessionRef.of(session_token, "session").key_hash, user_id, datetime.now(UTC)
        )

    # --- internals -------------------------------------------------------------------------

    async def _new_recovery_codes(self, user_id: uuid.UUID) -> list[str]:
        codes = mfa.new_recovery_codes()
        await self.repo.replace_recovery_codes(user_id, [mfa.hash_recovery_code(c) for c in codes])
        return codes

    async def _mark_verified(self, user_id: uuid.UUID, ref: SessionRef | None, now: datetime) -> None:
        if ref is None:
            return
        if ref.via == "session":
            await self.repo.mark_session_verified(ref.key_hash, user_id, now)
        else:
            await self.redis.set(self._clerk_key(user_id, ref), now.isoformat(), ex=CLERK_STEP_UP_TTL_S)

    async def _check_not_blocked(self, user_id: uuid.UUID) -> None:
        wait = await self.failures.retry_after(str(user_id))
        if wait is not None:
            raise RateLimited("too many wrong codes", wait)

    async def _failed(self, user_id: uuid.UUID) -> NoReturn:
        wait = await self.failures.hit(str(user_id))
        if wait is not None:
            raise RateLimited("too many wrong codes", wait)
        raise InvalidMfaCode("that code is not valid (or was already used)")

    async def _publish(self, user_id: uuid.UUID, action: str) -> None:
        await publish(self.session, MfaChanged(user_id, action, self.requester.ip, self.requester.request_id))

    @staticmethod
    def _sign_in_key(token: str) -> str:
        return f"auth:mfa-sign-in:{hashlib.sha256(token.encode()).hexdigest()}"

    @staticmethod
    def _clerk_key(user_id: uuid.UUID, ref: SessionRef) -> str:
        return f"auth:mfa-step-up:{user_id}:{ref.key_hash}"


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


async def reencrypt_totp_secrets(session: AsyncSession, keys: Sequence[str]) -> int:
    """`spapi-saas rotate-encryption-key`: every TOTP secret under the first key (rows locked)."""
    repo = MfaRepository(session)
    rows = await repo.secrets_for_rotation()
    for user_id, ciphertext in rows:
        await repo.set_secret(user_id, rotate(keys, ciphertext))
    return len(rows)
