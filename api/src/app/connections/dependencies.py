"""What connection endpoints (and the orders' address endpoint) are handed per request: the
process's Amazon clients, built once in the lifespan, and onboarding's collaborators."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.auth.dependencies import settings_of
from app.connections.clients import AmazonClients
from app.connections.oauth_state import OAuthStateStore
from app.connections.service import Onboarding


def amazon_clients(request: Request) -> AmazonClients:
    clients: AmazonClients = request.app.state.amazon_clients
    return clients


AmazonClientsDep = Annotated[AmazonClients, Depends(amazon_clients)]


def onboarding(request: Request, clients: AmazonClientsDep) -> Onboarding:
    settings = settings_of(request)
    return Onboarding(
        settings=settings,
        states=OAuthStateStore(request.app.state.redis, settings.security.session_secret),
        clients=clients,
    )


OnboardingDep = Annotated[Onboarding, Depends(onboarding)]
