"""Amazon onboarding (SP-API website workflow, Login with Amazon for Ads) and connections."""

from __future__ import annotations

import uuid
from html import escape
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from app.audit.service import Actor
from app.auth.dependencies import Principal, client_ip, optional_principal
from app.connections import amazon, service
from app.connections.dependencies import OnboardingDep
from app.connections.oauth_state import InvalidState
from app.connections.schemas import ConnectionOut, ConsentUrl, MarketplaceOut
from app.connections.service import OnboardingFailed
from app.db.dependencies import SessionDep
from app.kit.errors import ERROR_RESPONSES, request_id_of
from app.kit.regions import Region
from app.tenants.dependencies import TenantAdmin, TenantMember

router = APIRouter(tags=["connections"])

MarketplaceIds = Annotated[
    list[str],
    Query(description="Marketplace ids to sync (repeat the parameter); all the seller's when empty."),
]


def _integration_page(tenant_id: str, **params: str) -> str:
    return f"/dashboard/tenants/{tenant_id}/integrations/amazon?{urlencode(params)}"


def _failure_page(message: str, status_code: int = 400) -> HTMLResponse:
    """A page a person reads in the browser after Amazon's redirect (not a JSON error)."""
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Authorization failed</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:10vh auto;padding:0 1rem;color:#222}}
h1{{font-size:1.4rem}} a{{color:#0b57d0}}</style></head>
<body><h1 id="oauth-error-title">Authorization failed</h1><p id="oauth-error">{escape(message)}</p>
<p>Nothing was connected and nothing was stored.</p>
<p><a href="/dashboard">Back to the dashboard</a></p></body></html>"""
    return HTMLResponse(body, status_code=status_code)


@router.get("/marketplaces", response_model=list[MarketplaceOut], responses=ERROR_RESPONSES)
async def list_marketplaces(region: Region | None = None) -> list[MarketplaceOut]:
    """Amazon's marketplaces (official ids), by region, for choosing what to connect."""
    return [
        MarketplaceOut(id=m.id, country_code=m.country_code, name=m.name, region=m.region)
        for m in amazon.MARKETPLACES
        if region is None or m.region == region
    ]


@router.post("/oauth/start", response_model=ConsentUrl, responses=ERROR_RESPONSES)
async def start_sp_oauth(
    region: Region,
    access: TenantAdmin,
    onboarding: OnboardingDep,
    marketplaces: MarketplaceIds = [],  # noqa: B006
) -> ConsentUrl:
    """Start the Seller Central authorization: returns the consent URL (state valid 10 minutes)."""
    url = await service.start(
        onboarding,
        tenant_id=access.tenant_id,
        user_id=access.user_id,
        provider="amazon_sp",
        region=region,
        marketplace_ids=marketplaces,
    )
    return ConsentUrl(consent_url=url)


@router.post("/ads/oauth/start", response_model=ConsentUrl, responses=ERROR_RESPONSES)
async def start_ads_oauth(region: Region, access: TenantAdmin, onboarding: OnboardingDep) -> ConsentUrl:
    """Start Login with Amazon for the Ads API (scope advertising::campaign_management)."""
    url = await service.start(
        onboarding,
        tenant_id=access.tenant_id,
        user_id=access.user_id,
        provider="amazon_ads",
        region=region,
        marketplace_ids=[],
    )
    return ConsentUrl(consent_url=url)


@router.get(
    "/oauth/callback",
    response_class=HTMLResponse,
    response_model=None,
    responses={400: {"description": "HTML page"}},
)
async def sp_oauth_callback(
    request: Request,
    session: SessionDep,
    onboarding: OnboardingDep,
    principal: Annotated[Principal | None, Depends(optional_principal)],
    state: str | None = None,
    spapi_oauth_code: str | None = None,
    selling_partner_id: str | None = None,
    error: str | None = None,
) -> Response:
    """Where Seller Central sends the seller back: checks the state, exchanges the code, stores
    the connection, then redirects to the panel's integration page."""
    try:
        user = principal.user if principal else None
        claimed = await service.claim_state(session, onboarding, state, "amazon_sp", user)
        if error:
            return RedirectResponse(_integration_page(claimed.tenant_id, error=error), status_code=303)
        actor = Actor(uuid.UUID(claimed.user_id), client_ip(request), request_id_of(request))
        await service.complete_sp(
            session,
            onboarding,
            claimed,
            actor,
            code=spapi_oauth_code or "",
            selling_partner_id=selling_partner_id or "",
        )
    except (InvalidState, OnboardingFailed) as exc:
        return _failure_page(str(exc))
    return RedirectResponse(_integration_page(claimed.tenant_id, connected="1"), status_code=303)


@router.get(
    "/ads/oauth/callback",
    response_class=HTMLResponse,
    response_model=None,
    responses={400: {"description": "HTML page"}},
)
async def ads_oauth_callback(
    request: Request,
    session: SessionDep,
    onboarding: OnboardingDep,
    principal: Annotated[Principal | None, Depends(optional_principal)],
    state: str | None = None,
    code: str | None = None,
    scope: str | None = None,
    error: str | None = None,
) -> Response:
    """Where Login with Amazon sends the advertiser back: code exchange, profiles, links."""
    try:
        user = principal.user if principal else None
        claimed = await service.claim_state(session, onboarding, state, "amazon_ads", user)
        if error:
            return RedirectResponse(_integration_page(claimed.tenant_id, error=error), status_code=303)
        actor = Actor(uuid.UUID(claimed.user_id), client_ip(request), request_id_of(request))
        await service.complete_ads(session, onboarding, claimed, actor, code=code or "")
    except (InvalidState, OnboardingFailed) as exc:
        return _failure_page(str(exc))
    return RedirectResponse(_integration_page(claimed.tenant_id, connected="ads"), status_code=303)


@router.get("/tenants/{tenant_id}/connections", response_model=list[ConnectionOut], responses=ERROR_RESPONSES)
async def list_connections(access: TenantMember, session: SessionDep) -> list[ConnectionOut]:
    """The tenant's Amazon connections (SP-API and Ads, with the Ads profiles found)."""
    listed = await service.list_connections(session, access.tenant_id)
    return [ConnectionOut.of(connection, profiles) for connection, profiles in listed]


@router.post(
    "/tenants/{tenant_id}/connections/{connection_id}/disconnect",
    response_model=ConnectionOut,
    responses=ERROR_RESPONSES,
)
async def disconnect_connection(
    connection_id: uuid.UUID, access: TenantAdmin, session: SessionDep, onboarding: OnboardingDep
) -> ConnectionOut:
    """Delete the refresh token and stop the sync; the synced data is deleted on `data_deletion_due_at`
    (DATA_DELETION_GRACE_DAYS, at most 30) unless the connection is reconnected before."""
    connection = await service.disconnect(session, onboarding, access.tenant_id, access.actor, connection_id)
    return ConnectionOut.of(connection)


@router.post(
    "/tenants/{tenant_id}/connections/{connection_id}/reconnect",
    response_model=ConsentUrl,
    responses=ERROR_RESPONSES,
)
async def reconnect_connection(
    connection_id: uuid.UUID, access: TenantAdmin, session: SessionDep, onboarding: OnboardingDep
) -> ConsentUrl:
    """The consent URL to authorize this connection again (after needs_reauth or a disconnect)."""
    url = await service.reconnect_url(onboarding, session, access.tenant_id, access.user_id, connection_id)
    return ConsentUrl(consent_url=url)


@router.delete(
    "/tenants/{tenant_id}/connections/{connection_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERROR_RESPONSES,
)
async def delete_connection(connection_id: uuid.UUID, access: TenantAdmin, session: SessionDep) -> Response:
    """Delete a disconnected connection and all its synced data now, without waiting for its date."""
    await service.delete(session, access.tenant_id, access.actor, connection_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
