"""The operator's gauges, computed when Prometheus scrapes: what waits in each queue (Redis), how
late the due sync work is and how fresh each connection's data is (one bounded SQL statement).

`/metrics` must answer fast and must answer when a dependency is down: each source has its own
short deadline, and a source that failed is reported by `ops_source_up` with its gauges left out,
never by an error of the whole scrape.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import redis.asyncio as aioredis
import structlog
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.health.repository import FreshnessRow, HealthRepository
from app.settings import Settings
from app.sync import dataset as datasets
from app.worker.queues import QueueStats, queue_stats

log = structlog.get_logger("app.health")

SOURCE_TIMEOUT_S = 2.0
# At most this many (connection, dataset) series per scrape: bounded output and query.
FRESHNESS_LIMIT = 20_000


@dataclass
class OpsSnapshot:
    now: datetime
    queues: list[QueueStats] | None = None
    freshness: list[FreshnessRow] | None = None
    intervals: dict[str, float] = field(default_factory=dict)


class OpsCollector(Collector):
    """Yields the gauges of one snapshot (a new collector per scrape)."""

    def __init__(self, snapshot: OpsSnapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snap = self.snapshot
        up = GaugeMetricFamily(
            "ops_source_up",
            "Whether this scrape could read the source of the operator's gauges",
            labels=["source"],
        )
        up.add_metric(["redis"], 1 if snap.queues is not None else 0)
        up.add_metric(["database"], 1 if snap.freshness is not None else 0)
        yield up
        if snap.queues is not None:
            yield from _queue_families(snap.queues)
        if snap.freshness is not None:
            yield from _sync_families(snap.freshness, snap.intervals, snap.now)


def _queue_families(queues: list[QueueStats]) -> Iterator[GaugeMetricFamily]:
    depth = GaugeMetricFamily("dramatiq_queue_depth", "Messages waiting in a queue", labels=["queue"])
    delayed = GaugeMetricFamily(
        "dramatiq_queue_delayed", "Delayed messages of a queue (retries, reschedules)", labels=["queue"]
    )
    dead = GaugeMetricFamily(
        "dramatiq_queue_dead_letters", "Dead-lettered messages of a queue", labels=["queue"]
    )
    age = GaugeMetricFamily(
        "dramatiq_queue_oldest_age_seconds",
        "How long the oldest waiting message of a queue has been due (0 when empty)",
        labels=["queue"],
    )
    for q in queues:
        depth.add_metric([q.queue], q.ready)
        delayed.add_metric([q.queue], q.delayed)
        dead.add_metric([q.queue], q.dead)
        age.add_metric([q.queue], q.oldest_age_s)
    yield from (depth, delayed, dead, age)


def _sync_families(
    rows: list[FreshnessRow], intervals: dict[str, float], now: datetime
) -> Iterator[GaugeMetricFamily]:
    oldest_due = min((r.oldest_due for r in rows if r.oldest_due is not None), default=None)
    due_seconds = GaugeMetricFamily(
        "sync_oldest_due_seconds", "Seconds since the oldest due, unclaimed sync row became due (0: none)"
    )
    due_seconds.add_metric([], max(0.0, (now - oldest_due).total_seconds()) if oldest_due else 0.0)
    due_rows = GaugeMetricFamily("sync_due_rows", "Sync rows due and not claimed")
    due_rows.add_metric([], sum(r.due for r in rows))
    lag = GaugeMetricFamily(
        "sync_freshness_lag_seconds",
        "Seconds since a connection's dataset last synced successfully (its stalest marketplace or profile)",
        labels=["tenant", "connection", "dataset"],
    )
    for r in rows:
        lag.add_metric(
            [str(r.tenant_id), str(r.connection_id), r.entity],
            max(0.0, (now - r.fresh_since).total_seconds()),
        )
    interval = GaugeMetricFamily(
        "sync_delta_interval_seconds", "How often a dataset's delta runs", labels=["dataset"]
    )
    for name, seconds in sorted(intervals.items()):
        interval.add_metric([name], seconds)
    yield from (due_seconds, due_rows, lag, interval)


async def _read_queues(redis: aioredis.Redis) -> list[QueueStats] | None:
    try:
        return await asyncio.wait_for(queue_stats(redis, time.time()), SOURCE_TIMEOUT_S)
    except Exception as exc:
        log.warning("metrics_source_failed", source="redis", error=type(exc).__name__)
        return None


async def _read_freshness(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> list[FreshnessRow] | None:
    async def read() -> list[FreshnessRow]:
        async with sessionmaker() as session, session.begin():
            return await HealthRepository(session).freshness(
                now, FRESHNESS_LIMIT, timeout_ms=int(SOURCE_TIMEOUT_S * 1000)
            )

    try:
        return await asyncio.wait_for(read(), SOURCE_TIMEOUT_S)
    except Exception as exc:
        log.warning("metrics_source_failed", source="database", error=type(exc).__name__)
        return None


async def scrape_ops(
    settings: Settings, redis: aioredis.Redis, sessionmaker: async_sessionmaker[AsyncSession]
) -> OpsCollector:
    """Read both sources at once, each within SOURCE_TIMEOUT_S."""
    now = datetime.now(UTC)
    queues, freshness = await asyncio.gather(_read_queues(redis), _read_freshness(sessionmaker, now))
    intervals = {d.name: d.delta_every(settings).total_seconds() for d in datasets.registered()}
    return OpsCollector(OpsSnapshot(now, queues, freshness, intervals))
