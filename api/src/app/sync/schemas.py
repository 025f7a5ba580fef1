"""Shapes of the sync status API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Phase = Literal["waiting", "backfill", "up_to_date", "error", "paused"]


class JobOut(BaseModel):
    id: uuid.UUID
    connection_id: uuid.UUID | None
    marketplace_id: str | None
    kind: str | None
    status: str
    window_start: datetime | None
    window_end: datetime | None
    pages: int
    orders_seen: int
    orders_inserted: int
    orders_updated: int
    items: int
    throttled_429: int
    retries: int
    request_ids: list[str]
    error: str | None
    started_at: datetime | None
    finished_at: datetime | None
    duration_s: float | None


class BackfillOut(BaseModel):
    progress: float
    backfill_from: datetime | None
    backfill_to: datetime | None
    done_until: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    eta: datetime | None
    path: str | None


class DeltaOut(BaseModel):
    interval_minutes: float
    watermark: datetime | None
    last_run_at: datetime | None
    next_run_at: datetime | None
    last_job: JobOut | None


class MarketplaceSyncOut(BaseModel):
    state_id: uuid.UUID
    connection_id: uuid.UUID
    marketplace_id: str = Field(description="The marketplace, or the Ads profile id for an Ads dataset")
    scope_label: str = Field(
        description="The marketplace's name and country, or the Ads profile's account and country"
    )
    entity: str
    label: str = Field(description="What the dataset is, for people (Orders, Ads: advertised products, ...)")
    phase: Phase
    status: str
    orders: int = Field(
        description="Rows the dataset keeps for this marketplace or profile (orders for Orders)"
    )
    last_error: str | None
    last_success_at: datetime | None
    backfill: BackfillOut
    delta: DeltaOut


class LiveUpdatesOut(BaseModel):
    """A connection's notification subscription: with ORDER_CHANGE active, a changed order is
    refreshed within seconds; the delta stays as the safety net."""

    connection_id: uuid.UUID
    notification_type: str
    status: str = Field(description="active, pending, error or deleted")
    last_error: str | None
    since: datetime


class SyncStatusOut(BaseModel):
    tenant_id: uuid.UUID
    connection_id: uuid.UUID | None
    generated_at: datetime
    marketplaces: list[MarketplaceSyncOut]
    recent_jobs: list[JobOut]
    live_updates: list[LiveUpdatesOut] = Field(
        description="Notification subscriptions per connection; empty: orders arrive with the deltas only"
    )


class WatermarkOut(BaseModel):
    connection_id: uuid.UUID
    marketplace_id: str
    entity: str
    last_updated_after: datetime | None
    last_created_after: datetime | None
    backfill_from: datetime | None
    backfill_to: datetime | None
    backfill_done_until: datetime | None
    next_run_at: datetime


class RunOut(BaseModel):
    connection_id: uuid.UUID
    rows: int
