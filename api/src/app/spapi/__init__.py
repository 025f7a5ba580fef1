"""Amazon Selling Partner API client library (no FastAPI, no SQLAlchemy, no product domain:
import-linter checks it).

Entry points: `SpApiClient` (one seller or the application, one region) and `TokenProvider` (what
the client needs from `app.tokens`). The transport, limiter, retries, errors and LWA client it runs
on are the shared core in `app.amazon_http`.
"""

from app.spapi.auth import MintedRdt, RdtCache, RestrictedResource, TokenProvider
from app.spapi.client import SpApiClient
from app.spapi.primitives import Operation

__all__ = [
    "MintedRdt",
    "Operation",
    "RdtCache",
    "RestrictedResource",
    "SpApiClient",
    "TokenProvider",
]
