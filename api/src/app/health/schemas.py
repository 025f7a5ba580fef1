"""Shapes of the tenant's Health view (`GET /api/tenants/{tenant_id}/health`)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from app.kit.providers import Provider
from app.kit.regions import Region


class DatasetFreshnessOut(BaseModel):
    dataset: str
    label: str
    # The SP-API marketplace id, or the Ads profile id.
    scope_id: str
    # What the panel shows for the scope: the marketplace's name and country, or the profile's
    # account and country (`app.connections.service.scope_label`).
    scope_label: str
    status: Literal["idle", "running", "error", "paused"]
    last_success_at: datetime | None
    # Seconds since the last success (since the row was made when it never succeeded).
    age_s: float
    interval_s: float
    # Older than twice its interval: the data is not as fresh as the product promises.
    stale: bool
    last_error: str | None


class FailureOut(BaseModel):
    at: datetime
    type: str
    kind: str | None
    dataset: str | None
    scope_id: str | None
    error: str


class OperationCallsOut(BaseModel):
    service: str
    operation: str
    calls: int
    throttled: int


class ConnectionHealthOut(BaseModel):
    id: uuid.UUID
    provider: Provider
    region: Region
    name: str
    status: Literal["active", "needs_reauth", "revoked"]
    needs_reauth: bool
    last_error: str | None
    stale: bool
    datasets: list[DatasetFreshnessOut]
    failures: list[FailureOut]
    calls_today: list[OperationCallsOut]


class TenantHealthOut(BaseModel):
    tenant_id: uuid.UUID
    generated_at: datetime
    # The UTC day the call counts are of.
    day: date
    connections: list[ConnectionHealthOut]
    # Connections Amazon no longer lets us use until the seller or advertiser authorizes again.
    needs_reauthorization: list[uuid.UUID]


class TenantAttentionOut(BaseModel):
    """What needs attention in one of the user's tenants, counted as its Health page counts it."""

    tenant_id: uuid.UUID
    sellers: int = Field(description="Seller accounts connected (not disconnected)")
    ads_accounts: int = Field(description="Ads accounts connected (not disconnected)")
    needs_reauth: int = Field(description="Connections Amazon no longer lets us use until authorized again")
    backfilling: int = Field(description="Datasets (per marketplace or profile) still loading their history")
    failing: int = Field(description="Datasets whose last run failed")
    stale: int = Field(description="Datasets not refreshed for more than twice their interval")
