"""SQL of the second factor: the TOTP row, recovery codes, and the session's MFA mark.

Single use is enforced by the database, not by a read-then-write: a TOTP step is claimed by a
conditional UPDATE (`last_used_step < step`) and a recovery code by an UPDATE of an unused row,
so two requests racing with the same code cannot both win.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.mfa_models import MfaRecoveryCode, UserMfa
from app.auth.models import UserSession


class MfaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: uuid.UUID) -> UserMfa | None:
        return await self.session.get(UserMfa, user_id, populate_existing=True)

    async def start(self, user_id: uuid.UUID, secret_enc: bytes) -> None:
        """A new unconfirmed enrolment (replacing an earlier unconfirmed one)."""
        statement = insert(UserMfa).values(user_id=user_id, totp_secret_enc=secret_enc)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[UserMfa.user_id],
                set_={"totp_secret_enc": secret_enc, "confirmed_at": None, "last_used_step": None},
                where=UserMfa.confirmed_at.is_(None),
            )
        )

    async def confirm(self, user_id: uuid.UUID, step: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(UserMfa)
            .where(UserMfa.user_id == user_id, UserMfa.confirmed_at.is_(None))
            .values(confirmed_at=now, last_used_step=step)
            .returning(UserMfa.user_id)
        )
        return result.first() is not None

    async def claim_step(self, user_id: uuid.UUID, step: int) -> bool:
        """Record `step` as used; False when it (or a later one) was used already: a replay."""
        result = await self.session.execute(
            update(UserMfa)
            .where(
                UserMfa.user_id == user_id,
                UserMfa.confirmed_at.is_not(None),
                or_(UserMfa.last_used_step.is_(None), UserMfa.last_used_step < step),
            )
            .values(last_used_step=step)
            .returning(UserMfa.user_id)
        )
        return result.first() is not None

    async def remove(self, user_id: uuid.UUID) -> None:
        await self.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user_id))
        await self.session.execute(delete(UserMfa).where(UserMfa.user_id == user_id))

    async def replace_recovery_codes(self, user_id: uuid.UUID, code_hashes: Sequence[str]) -> None:
        await self.session.execute(delete(MfaRecoveryCode).where(MfaRecoveryCode.user_id == user_id))
        await self.session.execute(
            insert(MfaRecoveryCode), [{"user_id": user_id, "code_hash": h} for h in code_hashes]
        )

    async def use_recovery_code(self, user_id: uuid.UUID, code_hash: str, now: datetime) -> bool:
        result = await self.session.execute(
            update(MfaRecoveryCode)
            .where(
                MfaRecoveryCode.user_id == user_id,
                MfaRecoveryCode.code_hash == code_hash,
                MfaRecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .returning(MfaRecoveryCode.id)
        )
        return result.first() is not None

    async def recovery_codes_left(self, user_id: uuid.UUID) -> int:
        count = await self.session.scalar(
            select(func.count())
            .select_from(MfaRecoveryCode)
            .where(MfaRecoveryCode.user_id == user_id, MfaRecoveryCode.used_at.is_(None))
        )
        return int(count or 0)

    async def mark_session_verified(self, token_hash: str, user_id: uuid.UUID, now: datetime) -> None:
        await self.session.execute(
            update(UserSession)
            .where(UserSession.id == token_hash, UserSession.user_id == user_id)
            .values(mfa_verified_at=now)
        )

    async def session_verified_at(self, token_hash: str, user_id: uuid.UUID) -> datetime | None:
        verified: datetime | None = await self.session.scalar(
            select(UserSession.mfa_verified_at).where(
                UserSession.id == token_hash,
                UserSession.user_id == user_id,
                UserSession.revoked_at.is_(None),
            )
        )
        return verified

    async def secrets_for_rotation(self) -> list[tuple[uuid.UUID, bytes]]:
        rows = await self.session.execute(select(UserMfa.user_id, UserMfa.totp_secret_enc).with_for_update())
        return [(row[0], row[1]) for row in rows]

    async def set_secret(self, user_id: uuid.UUID, secret_enc: bytes) -> None:
        await self.session.execute(
            update(UserMfa).where(UserMfa.user_id == user_id).values(totp_secret_enc=secret_enc)
        )
