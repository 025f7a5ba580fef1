"""Shapes of the Ads API."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AdsSyncIn(BaseModel):
    profile_id: str | None = Field(default=None, description="One profile; none: every Ads profile")


class AdsSyncOut(BaseModel):
    queued: int = Field(description="Sync rows (profile x dataset) made due now")
