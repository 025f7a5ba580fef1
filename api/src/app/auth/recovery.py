"""Password reset by e-mail, and password change while signed in.

A reset request answers the same whether the address has an account or not. A reset link works
once for about an hour; using it sets the password, counts the address as verified (the link
proved the mailbox) and ends every session of the user, wherever it is.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import links
from app.auth.models import User
from app.auth.passwords import check_password_policy, hash_password, off_loop, verify_password
from app.auth.repository import UserRepository
from app.auth.token_repository import EmailTokenRepository, revoke_sessions_of
from app.auth.verification import mark_verified
from app.kit.errors import AppError
from app.mail.service import Mail, send_after_commit
from app.settings import Settings

RESET_PASSWORD = "reset_password"


async def request_reset(session: AsyncSession, settings: Settings, email: str) -> None:
    """E-mail a reset link when the address has an active account; nothing otherwise."""
    user = await UserRepository(session).by_email(email)
    if user is None or not user.is_active:
        return
    token = await links.issue(session, user, RESET_PASSWORD, links.RESET_PASSWORD_TTL)
    if token is None:
        return
    url = links.link_url(settings, "/auth/reset", token)
    minutes = int(links.RESET_PASSWORD_TTL.total_seconds() // 60)
    send_after_commit(
        session,
        Mail(
            to=user.email,
            subject="Choose a new password",
            text=(
                "Someone (perhaps you) asked to reset the password of the account with this address. "
                f"Choose a new one here:\n\n{url}\n\n"
                f"The link works once and expires in {minutes} minutes. Choosing a new password signs "
                "the account out everywhere. If you did not ask, ignore this message: your password "
                "stays as it is.\n"
            ),
            kind="reset_password",
        ),
    )


async def reset_password(session: AsyncSession, token: str, new_password: str) -> User:
    user, email = await links.spend(session, token, RESET_PASSWORD)
    if email.lower() != user.email.lower():
        raise links.InvalidLink()
    await off_loop(check_password_policy, new_password, user.email)
    now = datetime.now(UTC)
    await UserRepository(session).change(user, password_hash=await hash_password(new_password))
    await mark_verified(session, user)
    await EmailTokenRepository(session).spend_all(user.id, RESET_PASSWORD, now)
    await revoke_sessions_of(session, user.id, now)
    return user


async def change_password(
    session: AsyncSession, user: User, *, current_password: str, new_password: str, keep_session: str | None
) -> None:
    """Needs the current password; ends the user's other sessions (`keep_session`: this one's hash)."""
    if not await verify_password(user.password_hash, current_password):
        raise AppError("the current password is wrong", code="wrong_password", status_code=400)
    await off_loop(check_password_policy, new_password, user.email)
    await UserRepository(session).change(user, password_hash=await hash_password(new_password))
    await revoke_sessions_of(session, user.id, datetime.now(UTC), keep=keep_session)
