"""Shapes of the invitations API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.kit.text import EmailAddress
from app.tenants.schemas import Role


class InvitationCreate(BaseModel):
    email: EmailAddress
    role: Role


class InvitationOut(BaseModel):
    id: str
    email: str
    role: Role
    created_at: datetime
    expires_at: datetime
    # Past its expiry: the link no longer works; invite the address again to send a new one.
    expired: bool


class InvitationToken(BaseModel):
    # The token of the e-mailed link, sent in the body (never in a URL of the API, so never in logs).
    token: str = Field(min_length=10, max_length=200)


class InvitationPreview(BaseModel):
    """What the accept page shows to whoever holds the link."""

    tenant_name: str
    role: Role
    email: str
    expires_at: datetime
