"""Application Management 2023-11-30: rotateApplicationClientSecret (grantless, answers 204).

The new secret arrives later on SQS (APPLICATION_OAUTH_CLIENT_NEW_SECRET); the old one keeps working
for 7 days, so switching happens without a failed call. Use a grantless client with the rotation scope.
"""

from __future__ import annotations

from app.amazon_http.errors import request_id_of
from app.spapi.primitives import Operation, SpApiCaller

ROTATE_SECRET = Operation(
    "applications", "rotateApplicationClientSecret", "POST", "/applications/2023-11-30/clientSecret"
)


class ApplicationsApi:
    def __init__(self, client: SpApiCaller) -> None:
        self._client = client

    async def rotate_client_secret(self) -> str | None:
        """Ask Amazon for a new client secret; returns the request id (for the audit log)."""
        response = await self._client.call(ROTATE_SECRET)
        return request_id_of(response)
