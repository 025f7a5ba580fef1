"""Shapes the auth endpoints accept and return."""

from __future__ import annotations

from pydantic import BaseModel, Field

# Long enough that an offline guess against an argon2 hash is hopeless; no composition rules
# (they make passwords worse, not stronger).
MIN_PASSWORD_LENGTH = 10


class CurrentUser(BaseModel):
    id: str
    email: str
    name: str | None = None
    # False until the user opens the verification link e-mailed at sign-up.
    email_verified: bool = False


class SignInRequest(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class SignUpRequest(BaseModel):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=1024)
    name: str | None = Field(default=None, max_length=200)
