"""TOTP (RFC 6238, through pyotp) and recovery codes: pure functions, no storage, no clock of their own.

A code is accepted for the current 30-second step and one step either side (clock drift between the
phone and the server), and only for a step later than the last one accepted for that user: a code
seen once (over a shoulder, in a proxy log) cannot be replayed within its window.

Recovery codes carry 80 random bits each, so a fast hash (SHA-256) is enough to store them: there
is no dictionary to search, and a slow hash would cost ten argon2 runs per attempt.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

import pyotp

# The step either side of now that still counts (phones drift; RFC 6238 section 5.2 advises one).
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed by hand
_RECOVERY_GROUPS = 4
_RECOVERY_GROUP_LEN = 4  # 16 characters of a 31-letter alphabet: 79 bits
_TOTP_CODE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    """A 160-bit base32 secret (RFC 4226 recommends 160 bits)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// URI authenticator apps read from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def current_code(secret: str, at: datetime) -> str:
    """The code an authenticator shows at `at` (tests and the e2e test compute codes with pyotp too)."""
    return pyotp.TOTP(secret).at(at)


def looks_like_totp(code: str) -> bool:
    return bool(_TOTP_CODE.match(code.strip().replace(" ", "")))


def matching_step(secret: str, code: str, at: datetime) -> int | None:
    """The time step whose code `code` is (within the window around `at`), or None.

    The caller accepts it only when it is later than the last accepted step (replay protection)."""
    code = code.strip().replace(" ", "")
    if not looks_like_totp(code):
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    found = None
    # Every candidate is compared (no early exit), in constant time each.
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if pyotp.utils.strings_equal(code, totp.generate_otp(step)):
            found = step
    return found


def new_recovery_codes() -> list[str]:
    return [
        "-".join(
            "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_GROUP_LEN))
            for _ in range(_RECOVERY_GROUPS)
        )
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def normalise_recovery_code(code: str) -> str:
    """Case, spaces and dashes do not matter when a code is typed back."""
    return re.sub(r"[\s-]", "", code).lower()


def hash_recovery_code(code: str) -> str:
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()
