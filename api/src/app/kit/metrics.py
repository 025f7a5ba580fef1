"""Prometheus metrics shared by the API, workers and the Amazon clients.

Workers run in several processes: when PROMETHEUS_MULTIPROC_DIR is set, the standard multiprocess
collector aggregates them; otherwise each process exposes its own registry.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

HTTP_REQUESTS = Counter(
    "http_requests_total", "HTTP requests served by the API", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds", "Time to serve an HTTP request", ["method", "route"]
)
READINESS = Gauge("dependency_up", "Whether a dependency answered the last readiness check", ["dependency"])
JOBS = Counter("jobs_total", "Background jobs run by the workers", ["actor", "outcome"])
JOB_LATENCY = Histogram("job_duration_seconds", "Time a background job ran", ["actor"])


def render_metrics() -> tuple[bytes, str]:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(), CONTENT_TYPE_LATEST
