"""The onboarding collaborators for one request, built from the application's shared clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.amazon_http import AmazonTransport, RateLimiter
from app.auth.dependencies import settings_of
from app.connections.oauth_state import OAuthStateStore
from app.connections.service import Onboarding
from app.tokens.repository import SqlTokenStore
from app.tokens.service import TokenManager


def onboarding(request: Request) -> Onboarding:
    settings = settings_of(request)
    state = request.app.state
    # One HTTP client and one Redis per process; the limiter shares Amazon's buckets with workers.
    transport = AmazonTransport(state.http, limiter=RateLimiter(state.redis))
    store = SqlTokenStore(state.sessionmaker, settings.security.encryption_keys)
    return Onboarding(
        settings=settings,
        states=OAuthStateStore(state.redis, settings.security.session_secret),
        transport=transport,
        tokens=TokenManager(settings=settings, store=store, redis=state.redis, transport=transport),
        token_store=store,
    )


OnboardingDep = Annotated[Onboarding, Depends(onboarding)]
