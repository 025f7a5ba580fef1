"""Sign-up and e-mail verification.

Sign-up answers the same whatever the address: a new address gets an unverified account and a
verification link; an address that already has an account gets a notice instead ("someone tried to
sign up with your address"), so the answer never says which addresses have accounts.

An unverified account may sign in and create and run its own tenants: they hold nothing of anyone
else, and a squatter on someone's address loses the account when the real owner resets the
password (the reset link proves the mailbox, verifies the address and ends every session). It
cannot accept invitations: joining someone else's tenant needs the address proven.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import links
from app.auth.models import User
from app.auth.passwords import check_password_policy, hash_password, off_loop
from app.auth.repository import UserRepository
from app.kit.errors import Conflict
from app.mail.service import Mail, send_after_commit
from app.settings import Settings

VERIFY_EMAIL = "verify_email"


async def sign_up(
    session: AsyncSession, settings: Settings, *, email: str, password: str, name: str | None
) -> User | None:
    """The new unverified account, or None when the address already had one (its owner is told).
    The password must meet the policy (`WeakPassword` says why not), whoever the address is."""
    await off_loop(check_password_policy, password, email)
    users = UserRepository(session)
    existing = await users.by_email(email)
    if existing is not None:
        # Hash anyway: an answer that came back without argon2's ~0.5 s would tell the address has an account.
        await hash_password(password)
        send_after_commit(session, _already_registered(settings, existing))
        return None
    user = await users.add(email=email, name=name, password_hash=await hash_password(password))
    await send_verification(session, settings, user)
    return user


async def create_verified_user(session: AsyncSession, *, email: str, password: str, name: str | None) -> User:
    """An account an operator creates (`spapi-saas create-user`): the operator vouches for the
    address, so it counts as verified. Conflict when the address has an account."""
    users = UserRepository(session)
    if await users.by_email(email) is not None:
        raise Conflict("an account with this e-mail already exists")
    await off_loop(check_password_policy, password, email)
    user = await users.add(email=email, name=name, password_hash=await hash_password(password))
    await mark_verified(session, user)
    return user


async def send_verification(session: AsyncSession, settings: Settings, user: User) -> None:
    """E-mail a verification link (nothing when the address is already verified or was sent too
    many links this hour: the caller's answer is the same)."""
    if user.email_verified_at is not None:
        return
    token = await links.issue(session, user, VERIFY_EMAIL, links.VERIFY_EMAIL_TTL)
    if token is None:
        return
    url = links.link_url(settings, "/auth/verify", token)
    hours = int(links.VERIFY_EMAIL_TTL.total_seconds() // 3600)
    send_after_commit(
        session,
        Mail(
            to=user.email,
            subject="Verify your e-mail address",
            text=(
                "Welcome! Confirm that this is your address by opening this link:\n\n"
                f"{url}\n\n"
                f"The link works once and expires in {hours} hours. If you did not sign up, ignore "
                "this message.\n"
            ),
            kind="verify_email",
        ),
    )


async def verify_email(session: AsyncSession, token: str) -> User:
    """Spend a verification link and mark the address it was sent to verified."""
    user, email = await links.spend(session, token, VERIFY_EMAIL)
    if email.lower() != user.email.lower():
        # The account's address changed since: the link proves an address the account no longer has.
        raise links.InvalidLink()
    await mark_verified(session, user)
    return user


async def mark_verified(session: AsyncSession, user: User) -> None:
    if user.email_verified_at is None:
        await UserRepository(session).change(user, email_verified_at=datetime.now(UTC))


def _already_registered(settings: Settings, user: User) -> Mail:
    forgot = f"{settings.runtime.public_url.rstrip('/')}/auth/forgot"
    return Mail(
        to=user.email,
        subject="Someone tried to sign up with your address",
        text=(
            "Someone (perhaps you) tried to create an account with this e-mail address, which "
            "already has one. Nothing was changed.\n\n"
            f"If it was you, sign in, or choose a new password here: {forgot}\n\n"
            "If it was not you, you can ignore this message.\n"
        ),
        kind="already_registered",
    )
