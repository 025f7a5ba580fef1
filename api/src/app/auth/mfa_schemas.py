"""Shapes of the MFA endpoints and of the sign-in's second step."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class MfaStatusOut(BaseModel):
    enabled: bool
    enrolment_pending: bool
    recovery_codes_left: int
    # Whether the session making this request has proved the second factor (and when).
    session_verified: bool
    session_verified_at: datetime | None = None


class MfaEnrolmentOut(BaseModel):
    """Shown once: the secret is stored encrypted and never returned again."""

    secret: str
    otpauth_uri: str


class MfaCodeIn(BaseModel):
    # A 6-digit TOTP code, or a recovery code (xxxx-xxxx-xxxx-xxxx).
    code: str = Field(min_length=6, max_length=40)


class MfaDisableIn(MfaCodeIn):
    # Required when the account has a password (Clerk-only accounts have none).
    password: str | None = Field(default=None, max_length=1024)


class RecoveryCodesOut(BaseModel):
    """Shown once: only their hashes are kept. Each works one time."""

    recovery_codes: list[str]


class MfaVerifiedOut(BaseModel):
    session_verified_at: datetime


class MfaChallenge(BaseModel):
    """The password was right and the account has MFA: send a code with this token to
    POST /api/auth/mfa/signin within `expires_in` seconds. No session exists yet."""

    status: Literal["mfa_required"] = "mfa_required"
    mfa_token: str
    expires_in: int


class MfaSignInIn(MfaCodeIn):
    mfa_token: str = Field(min_length=10, max_length=200)
