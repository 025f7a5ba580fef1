"""Shapes of the account routes: sign-up, e-mailed links, password reset and change."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.kit.text import EmailLookup


class EmailSent(BaseModel):
    """The same answer whether or not the address has an account."""

    status: Literal["email_sent"] = "email_sent"
    message: str


class LinkToken(BaseModel):
    # The token of an e-mailed link (from the query of the panel's page), sent in the body so the
    # API's access logs never see it.
    token: str = Field(min_length=10, max_length=200)


class ForgotPasswordRequest(BaseModel):
    email: EmailLookup


class ResetPasswordRequest(BaseModel):
    token: str = Field(min_length=10, max_length=200)
    # Length and strength: the password policy's 422 `weak_password` (`passwords.check_password_policy`).
    password: str = Field(min_length=1, max_length=1024)


class ChangePasswordRequest(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)
