"""The HTTP core shared by the SP-API and Ads clients: one transport (rate limiter, bounded retries,
token-expiry recovery, metrics), the typed error tree, the Login with Amazon token endpoint, and
pre-signed document downloads. No FastAPI, no SQLAlchemy, no product domain (import-linter checks it).
"""

from app.amazon_http.errors import (
    AmazonError,
    Conflict,
    ErrorDetail,
    Forbidden,
    InvalidInput,
    NotFound,
    ServerError,
    Throttled,
    TransportError,
    Unauthorized,
)
from app.amazon_http.lwa import ClientCredentials, InvalidClient, InvalidGrant, LwaClient, LwaError, LwaToken
from app.amazon_http.ratelimit import BucketKey, RateLimiter, UsagePlan
from app.amazon_http.retry import RetryPolicy
from app.amazon_http.transport import AmazonTransport, create_http_client, shared_http_client

__all__ = [
    "AmazonError",
    "AmazonTransport",
    "BucketKey",
    "ClientCredentials",
    "Conflict",
    "ErrorDetail",
    "Forbidden",
    "InvalidClient",
    "InvalidGrant",
    "InvalidInput",
    "LwaClient",
    "LwaError",
    "LwaToken",
    "NotFound",
    "RateLimiter",
    "RetryPolicy",
    "ServerError",
    "Throttled",
    "TransportError",
    "Unauthorized",
    "UsagePlan",
    "create_http_client",
    "shared_http_client",
]
