"""Token failures the rest of the product reacts to (onboarding shows "reconnect", sync stops)."""

from __future__ import annotations

from app.amazon_http.errors import AmazonError


class TokenError(AmazonError):
    """Base for credential problems."""


class ReauthorizationRequired(TokenError):
    """LWA said `invalid_grant`: the seller revoked us or the authorization lapsed. The connection
    is now `needs_reauth`; nothing will work for it until the seller authorizes again."""

    def __init__(self, connection_id: str, *, request_id: str | None = None) -> None:
        super().__init__(
            f"connection {connection_id} needs re-authorization (invalid_grant)", request_id=request_id
        )
        self.connection_id = connection_id


class MissingRefreshToken(TokenError):
    """The connection has no stored refresh token (never completed onboarding, or was disconnected)."""

    def __init__(self, connection_id: str) -> None:
        super().__init__(f"connection {connection_id} has no refresh token")
        self.connection_id = connection_id


class ClientAuthenticationFailed(TokenError):
    """LWA said `invalid_client`: the application's client secret is wrong or expired (rotation)."""


class TokenServiceUnavailable(TokenError):
    """LWA did not answer after retries, or another process held the refresh lock too long."""
