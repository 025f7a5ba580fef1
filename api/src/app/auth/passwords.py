"""Passwords: argon2id hashes computed off the event loop, and the policy a new password meets.

argon2-cffi's defaults follow RFC 9106's recommendations: ~64 MiB and tens of milliseconds of a
core per hash. Run on the event loop, a few sign-ins a second stall every other request of the
process; so every hash and verify runs in a small thread pool (argon2's C code releases the GIL),
PASSWORD_HASH_WORKERS at a time per process, and a burst waits its turn there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.kit.errors import AppError
from app.settings import get_settings

T = TypeVar("T")

# Long enough that an offline guess against an argon2 hash is hopeless together with the strength
# score below; no composition rules (they make passwords worse, not stronger). 10 rather than 12:
# the score already refuses the short guessable ones, and a strong 10-character one is fine.
MIN_PASSWORD_LENGTH = 10
# Passphrases fit; argon2 hashes any length at the same cost.
MAX_PASSWORD_LENGTH = 128
# The strength estimate reads this many characters: its cost grows steeply with the length (~60 ms
# for 40, ~2 s for 128), and 40 characters that score well are strong whatever follows.
_ESTIMATED_PREFIX = 40
# The shortest e-mail name part that is looked for inside a password ("al" would refuse too much).
_MIN_LOCAL_PART = 3

_hasher = PasswordHasher()

# Verified when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password and
# response times do not reveal which addresses have accounts.
_DUMMY_HASH = _hasher.hash("not-a-real-password-used-only-for-timing")

# The 30,000 most common passwords of real leaks, as zxcvbn ships them (its "passwords" list).
_COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])

_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(
            max_workers=get_settings().security.password_hash_workers, thread_name_prefix="passwords"
        )
    return _pool


async def off_loop(work: Callable[..., T], *args: object) -> T:
    """`work(*args)` in the password pool: CPU-heavy password work never runs on the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_executor(), work, *args)


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await off_loop(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches; with no hash (unknown e-mail), a dummy verify of the same cost."""
    return await off_loop(_verify, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


class WeakPassword(AppError):
    """A new password the policy refuses; `issues` says each reason in a sentence."""

    status_code = 422
    code = "weak_password"

    def __init__(self, issues: list[str]) -> None:
        super().__init__(" ".join(issues), extra={"issues": issues})
        self.issues = issues


def check_password_policy(password: str, email: str) -> None:
    """Raise WeakPassword unless `password` may be set for the account of `email`.

    For sign-up, password change and reset alike. CPU-bound (the strength estimate): from async
    code run it with `off_loop(check_password_policy, password, email)`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword([f"Use at least {MIN_PASSWORD_LENGTH} characters."])
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword([f"Use at most {MAX_PASSWORD_LENGTH} characters."])
    lowered = password.lower()
    local_part = email.strip().lower().split("@", 1)[0]
    if len(local_part) >= _MIN_LOCAL_PART and local_part in lowered:
        raise WeakPassword(["Do not use your e-mail address (or its name part) in the password."])
    if lowered in _COMMON_PASSWORDS:
        raise WeakPassword(["This is one of the most common passwords; choose another."])
    result = zxcvbn(password[:_ESTIMATED_PREFIX], user_inputs=[email, local_part])
    if int(result["score"]) < get_settings().security.password_min_score:
        feedback = result.get("feedback") or {}
        warning = str(feedback.get("warning") or "This password is too easy to guess.")
        issues = [warning if warning.endswith(".") else f"{warning}."]
        issues += [str(tip) for tip in feedback.get("suggestions") or []]
        raise WeakPassword(issues or ["This password is too easy to guess."])
