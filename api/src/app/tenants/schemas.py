"""Shapes of the tenants, members and feature-flag API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.kit.text import OneLine

Role = Literal["owner", "admin", "viewer"]


class TenantCreate(BaseModel):
    name: OneLine = Field(min_length=1, max_length=200)


class TenantOut(BaseModel):
    id: str
    name: str
    slug: str
    # The caller's role in this tenant.
    role: Role
    created_at: datetime


class MemberOut(BaseModel):
    user_id: str
    email: str
    name: str | None
    role: Role
    # False for people invited by e-mail who have not signed up yet.
    has_signed_up: bool
    created_at: datetime


class MemberRoleChange(BaseModel):
    role: Role


class FeatureFlagOut(BaseModel):
    key: str
    # The installation-wide environment variable that sets the default.
    env_var: str
    description: str
    value: bool
    default: bool
    overridden: bool


class FeatureFlagsUpdate(BaseModel):
    # key -> value; null removes the tenant's override (back to the environment's default).
    flags: dict[str, bool | None]
