"""Prometheus metrics shared by the API, workers and the Amazon clients.

Workers run in several processes: when PROMETHEUS_MULTIPROC_DIR is set, the standard multiprocess
collector aggregates them; otherwise each process exposes its own registry.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import Collector

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests served by the API", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "Time to serve an HTTP request", ["method", "route"]
)
READINESS = Gauge("dependency_up", "Whether a dependency answered the last readiness check", ["dependency"])
JOBS = Counter("jobs_total", "Background jobs run by the workers", ["actor", "outcome"])
JOB_LATENCY = Histogram("job_duration_seconds", "Time a background job ran", ["actor"])


def render_metrics(extra: Sequence[Collector] = ()) -> tuple[bytes, str]:
    """The process's metrics (or every process's, in multiprocess mode) and `extra`: collectors
    made for this scrape (gauges read from Redis and the database at scrape time)."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(REGISTRY)
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST
