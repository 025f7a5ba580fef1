"""Amazon Selling Partner API client library (no FastAPI, no SQLAlchemy: a test enforces it).

Entry points: `SpApiClient` (one seller or the application, one region), `AmazonTransport` (the one
shared HTTP core: limiter, retries, metrics), `TokenProvider` (what the client needs from
`app.tokens`), `LwaClient` (token endpoint) and the typed errors in `app.spapi.errors`.
"""

from app.spapi.auth import MintedRdt, RdtCache, RestrictedResource, TokenProvider
from app.spapi.client import Operation, SpApiClient
from app.spapi.errors import (
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
from app.spapi.lwa import ClientCredentials, InvalidClient, InvalidGrant, LwaClient, LwaError, LwaToken
from app.spapi.ratelimit import BucketKey, RateLimiter
from app.spapi.retry import RetryPolicy
from app.spapi.transport import AmazonTransport, create_http_client, shared_http_client

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
    "MintedRdt",
    "NotFound",
    "Operation",
    "RateLimiter",
    "RdtCache",
    "RestrictedResource",
    "RetryPolicy",
    "ServerError",
    "SpApiClient",
    "Throttled",
    "TokenProvider",
    "TransportError",
    "Unauthorized",
    "create_http_client",
    "shared_http_client",
]
