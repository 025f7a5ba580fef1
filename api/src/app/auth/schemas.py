"""Shapes the auth endpoints accept and return."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.kit.text import EmailAddress, EmailLookup, OneLine


class CurrentUser(BaseModel):
    id: str
    email: str
    name: str | None = None
    # False until the user opens the verification link e-mailed at sign-up.
    email_verified: bool = False


class SignInRequest(BaseModel):
    email: EmailLookup
    password: str = Field(min_length=1, max_length=1024)


class SignUpRequest(BaseModel):
    email: EmailAddress
    # Length and strength are the password policy's (`passwords.check_password_policy`): its 422
    # `weak_password` says what to change; this bound only keeps huge bodies out.
    password: str = Field(min_length=1, max_length=1024)
    name: OneLine | None = Field(default=None, max_length=200)


class SessionInfo(BaseModel):
    """One signed-in browser of the current user (the token itself is never shown)."""

    id: str = Field(description="A short, stable reference to the session (not its token).")
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    user_agent: str | None
    current: bool


class SignedOutEverywhere(BaseModel):
    # Sessions ended, the one that asked included.
    revoked: int
