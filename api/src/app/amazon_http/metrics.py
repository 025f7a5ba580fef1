"""Prometheus metrics of every Amazon call, labelled by service (spapi, ads, lwa) and operation.

Labels never carry a seller id or a token: cardinality stays bounded and the metrics leak nothing.
Requests and 429s also carry the tenant the call was made for (our own id; empty for the
application's own calls and onboarding), so an operator can see which tenant spends a quota.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

AMAZON_REQUESTS = Counter(
    "amazon_requests_total", "HTTP requests sent to Amazon", ["service", "operation", "status", "tenant"]
)
AMAZON_THROTTLED = Counter(
    "amazon_throttled_total", "429 answers from Amazon", ["service", "operation", "tenant"]
)
AMAZON_RETRIES = Counter("amazon_retries_total", "Retried Amazon calls", ["service", "operation", "reason"])
AMAZON_LATENCY = Histogram(
    "amazon_request_duration_seconds",
    "Time to get an answer from Amazon",
    ["service", "operation"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60),
)
AMAZON_LIMITER_WAIT = Histogram(
    "amazon_limiter_wait_seconds",
    "Time a call waited for its rate-limit slot",
    ["service", "operation"],
    buckets=(0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
AMAZON_LIMITER_DEFERRED = Counter(
    "amazon_limiter_deferred_total",
    "Calls handed back with retry_after because the next slot was too far away",
    ["service", "operation"],
)
# outcome: ok, invalid_grant (the refresh token or code was refused: re-authorization needed),
# error (any other refusal), transport_error.
LWA_TOKEN_REQUESTS = Counter(
    "lwa_token_requests_total", "Token requests to Login with Amazon", ["grant_type", "outcome"]
)
