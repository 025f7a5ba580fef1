"""Amazon onboarding: start (consent URL with a state), callback (code exchange, connection,
encrypted refresh token, audit, `ConnectionAuthorized`), disconnect (`ConnectionDisconnected`) and
reconnect.

The domains above react to the events in the same unit of work (`app.kit.events`): the sync engine
gives a seller its sync rows and starts the backfill, notifications subscribe the seller to order
changes. Services never commit: the request's unit of work commits, then sends the jobs enqueued.
Nothing is written before every check and every Amazon call of a callback has succeeded.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from app.adsapi import Profile
from app.amazon_http import AmazonError, LwaError
from app.audit.service import Actor
from app.auth.models import User
from app.connections import amazon, retention
from app.connections.clients import AmazonClients
from app.connections.events import ConnectionAuthorized, ConnectionDisconnected
from app.connections.models import AdsProfile, Connection
from app.connections.oauth_state import InvalidState, OAuthState, OAuthStateStore
from app.connections.repository import AdsProfileRepository, ConnectionRepository
from app.kit.errors import AppError, NotFound
from app.kit.events import publish
from app.kit.providers import Provider
from app.kit.regions import Region
from app.settings import Settings
from app.tenants.service import ROLE_RANK, role_of

log = structlog.get_logger("app.connections")


class OnboardingFailed(Exception):
    """The callback could not complete; the message is shown to the user on the result page."""


@dataclass
class Onboarding:
    """What onboarding talks to: Redis (state) and Amazon (the process's clients and tokens)."""

    settings: Settings
    states: OAuthStateStore
    clients: AmazonClients


async def list_connections(
    session: AsyncSession, tenant_id: uuid.UUID
) -> list[tuple[Connection, list[AdsProfile]]]:
    """The tenant's connections, each with the Ads profiles it sees (none for SP-API)."""
    connections = await ConnectionRepository(session).list_for_tenant(tenant_id)
    profiles: dict[uuid.UUID, list[AdsProfile]] = {}
    for profile in await AdsProfileRepository(session).list_for_tenant(tenant_id):
        profiles.setdefault(profile.connection_id, []).append(profile)
    return [(c, profiles.get(c.id, [])) for c in connections]


def scope_label(scope_id: str, profiles: Mapping[str, AdsProfile]) -> str:
    """What the panel calls a sync row's scope (`marketplace_id`): an Ads profile by its account and
    country ("Brand (US)"), a marketplace by its name and country ("United States (US)"), else the
    id as Amazon gave it. `profiles` by profile id."""
    profile = profiles.get(scope_id)
    if profile is not None:
        name = profile.account_name or profile.profile_id
        return f"{name} ({profile.country_code})" if profile.country_code else name
    marketplace = amazon.MARKETPLACES_BY_ID.get(scope_id)
    return f"{marketplace.name} ({marketplace.country_code})" if marketplace else scope_id


async def ads_profile(session: AsyncSession, tenant_id: uuid.UUID, profile_id: str) -> AdsProfile | None:
    """One of the tenant's Ads profiles (Amazon's profile id), or None."""
    return await AdsProfileRepository(session).get(tenant_id, profile_id)


# Start -----------------------------------------------------------------------------------------


def _checked_marketplaces(region: Region, marketplace_ids: list[str]) -> list[str]:
    allowed = {m.id for m in amazon.marketplaces_of(region)}
    wrong = [m for m in marketplace_ids if m not in allowed]
    if wrong:
        raise AppError(
            f"marketplaces not in region {region}: {', '.join(wrong)}",
            code="invalid_marketplace",
            status_code=422,
        )
    return list(dict.fromkeys(marketplace_ids))


async def start(
    onboarding: Onboarding,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    provider: Provider,
    region: Region,
    marketplace_ids: list[str],
    connection_id: uuid.UUID | None = None,
) -> str:
    """The consent URL to send the browser to, carrying a fresh single-use state."""
    marketplaces = _checked_marketplaces(region, marketplace_ids)
    state = await onboarding.states.issue(
        OAuthState(
            tenant_id=str(tenant_id),
            user_id=str(user_id),
            provider=provider,
            region=region,
            marketplaces=marketplaces,
            connection_id=str(connection_id) if connection_id else None,
        )
    )
    if provider == "amazon_ads":
        return amazon.ads_consent_url(onboarding.settings, region, state)
    return amazon.sp_consent_url(onboarding.settings, region, marketplaces, state)


async def reconnect_url(
    onboarding: Onboarding,
    session: AsyncSession,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    connection_id: uuid.UUID,
) -> str:
    connection = await ConnectionRepository(session).get(tenant_id, connection_id)
    if connection is None:
        raise NotFound("connection not found")
    selected = connection.extra.get("selected_marketplaces") or []
    return await start(
        onboarding,
        tenant_id=tenant_id,
        user_id=user_id,
        provider=connection.provider,  # type: ignore[arg-type]
        region=connection.region,  # type: ignore[arg-type]
        marketplace_ids=[m for m in selected if isinstance(m, str)],
        connection_id=connection.id,
    )


# Callback --------------------------------------------------------------------------------------


async def claim_state(
    session: AsyncSession, onboarding: Onboarding, value: str | None, provider: Provider, user: User | None
) -> OAuthState:
    """Consume the state and check it belongs to this signed-in user, who may still connect
    accounts in its tenant. Raises InvalidState (nothing is stored)."""
    state = await onboarding.states.consume(value)
    if state.provider != provider:
        raise InvalidState("This state was issued for a different kind of authorization.")
    if user is None:
        raise InvalidState("You are not signed in to the panel in this browser. Sign in and start again.")
    if state.user_id != str(user.id):
        raise InvalidState("This authorization was started by another user. Start again from your panel.")
    tenant_id = uuid.UUID(state.tenant_id)
    role = await role_of(session, tenant_id, user.id)
    if role is None or ROLE_RANK[role] < ROLE_RANK["admin"]:
        raise InvalidState(
            "You can no longer connect accounts for the tenant this authorization was started for."
        )
    if (
        state.connection_id
        and await ConnectionRepository(session).get(tenant_id, uuid.UUID(state.connection_id)) is None
    ):
        raise InvalidState("The connection to reconnect does not belong to this tenant.")
    return state


async def _exchange(onboarding: Onboarding, provider: Provider, region: Region, code: str) -> tuple[str, str]:
    """(access token, refresh token) for a consent code; neither is logged or kept beyond this."""
    redirect_uri = (
        onboarding.settings.ads.lwa_redirect_uri
        if provider == "amazon_ads"
        else onboarding.settings.spapi.oauth_redirect_uri
    )
    try:
        token = await onboarding.clients.tokens.exchange_authorization_code(
            provider, region, code, redirect_uri
        )
    except (AmazonError, LwaError) as exc:
        log.warning(
            "onboarding.code_exchange_failed",
            provider=provider,
            error=type(exc).__name__,
            amzn_request_id=exc.request_id,
        )
        raise OnboardingFailed(
            "Amazon did not accept the authorization code (it may have expired). Start again from the panel."
        ) from None
    if not token.refresh_token:
        raise OnboardingFailed("Amazon answered without a refresh token.")
    return token.access_token, token.refresh_token


async def _finish(
    session: AsyncSession,
    onboarding: Onboarding,
    state: OAuthState,
    actor: Actor,
    connection: Connection,
    created: bool,
    refresh_token: str,
    marketplace_ids: list[str],
) -> None:
    await onboarding.clients.token_store.store_refresh_token(
        session, str(connection.tenant_id), str(connection.id), refresh_token
    )
    # A re-consent clears the "needs re-authorization" marker and any access token of the old grant.
    await onboarding.clients.forget(connection)
    reconnected = not created or state.connection_id is not None
    # Consent again before the deletion date: the data stays.
    await retention.cancel_deletion(
        session, connection, actor_user_id=actor.user_id, request_id=actor.request_id
    )
    await actor.record(
        session,
        connection.tenant_id,
        "connection.reconnected" if reconnected else "connection.connected",
        target_type="connection",
        target_id=str(connection.id),
        data={
            "provider": connection.provider,
            "region": connection.region,
            "account_id": connection.account_id,
            "marketplaces": connection.marketplaces,
        },
    )
    await publish(
        session,
        ConnectionAuthorized(
            tenant_id=connection.tenant_id,
            connection_id=connection.id,
            provider=cast(Provider, connection.provider),
            region=cast(Region, connection.region),
            marketplace_ids=tuple(marketplace_ids),
            reconnected=reconnected,
        ),
    )


async def complete_sp(
    session: AsyncSession,
    onboarding: Onboarding,
    state: OAuthState,
    actor: Actor,
    *,
    code: str,
    selling_partner_id: str,
) -> Connection:
    if not code or not selling_partner_id:
        raise OnboardingFailed("Amazon's answer is missing the authorization code or the selling partner id.")
    access_token, refresh_token = await _exchange(onboarding, "amazon_sp", state.region, code)
    client = onboarding.clients.just_issued_spapi(state.region, selling_partner_id, access_token)
    try:
        participations = await amazon.participating_marketplaces(client)
        participating = [p.marketplace.id for p in participations]
        # The id arrives as a query parameter, which the seller's browser can change: a seller
        # could otherwise register another seller's id (and receive its notifications).
        confirmed = bool(participating) and await amazon.is_own_seller_id(
            client, selling_partner_id, participating[0]
        )
    except AmazonError as exc:
        log.warning(
            "onboarding.participations_failed", error=type(exc).__name__, amzn_request_id=exc.request_id
        )
        raise OnboardingFailed(
            "Amazon did not return the seller's marketplaces; try again in a minute."
        ) from None
    if not confirmed:
        log.warning("onboarding.seller_id_not_confirmed", state_tenant=state.tenant_id)
        raise OnboardingFailed(
            "Amazon did not confirm the selling partner id of this authorization. Start again from the panel."
        )
    selected = [m for m in state.marketplaces if m in participating] or participating
    store_name = next((p.store_name for p in participations if p.store_name), None)
    tenant_id = uuid.UUID(state.tenant_id)
    connection, created = await ConnectionRepository(session).upsert(
        tenant_id=tenant_id,
        provider="amazon_sp",
        region=state.region,
        account_id=selling_partner_id,
        display_name=store_name,
        marketplaces=participating,
        user_id=uuid.UUID(state.user_id),
        extra={
            "selected_marketplaces": selected,
            "participations": [
                {
                    "id": p.marketplace.id,
                    "country_code": p.marketplace.country_code,
                    "name": p.marketplace.name,
                }
                for p in participations
            ],
        },
    )
    await _finish(session, onboarding, state, actor, connection, created, refresh_token, selected)
    log.info("onboarding.connected", connection_id=str(connection.id), provider="amazon_sp", created=created)
    return connection


def _link(profile: Profile, sp_connections: list[Connection]) -> Connection | None:
    """The SP-API connection of the same marketplace, preferring the same seller account."""
    marketplace = profile.account_info.marketplace_string_id
    candidates = [c for c in sp_connections if marketplace in (c.marketplaces or [])]
    same_seller = [c for c in candidates if c.account_id == profile.account_info.id]
    best = same_seller or candidates
    return best[0] if best else None


async def complete_ads(
    session: AsyncSession, onboarding: Onboarding, state: OAuthState, actor: Actor, *, code: str
) -> Connection:
    if not code:
        raise OnboardingFailed("Amazon's answer is missing the authorization code.")
    access_token, refresh_token = await _exchange(onboarding, "amazon_ads", state.region, code)
    try:
        profiles = await onboarding.clients.just_issued_ads(state.region, access_token).list_profiles()
    except AmazonError as exc:
        log.warning("onboarding.profiles_failed", error=type(exc).__name__, amzn_request_id=exc.request_id)
        raise OnboardingFailed(
            "Amazon Ads did not return the advertising profiles; try again in a minute."
        ) from None
    if not profiles:
        raise OnboardingFailed("This Amazon account has no advertising profiles in the chosen region.")
    tenant_id = uuid.UUID(state.tenant_id)
    # The grant belongs to one Amazon user; its profiles name the advertiser account(s) it sees.
    account_id = Counter(p.account_info.id for p in profiles).most_common(1)[0][0]
    sp_connections = await ConnectionRepository(session).active_sp_connections(tenant_id, state.region)
    links = {p.profile_id: _link(p, sp_connections) for p in profiles}
    parent = next((c for c in links.values() if c is not None), None)
    connection, created = await ConnectionRepository(session).upsert(
        tenant_id=tenant_id,
        provider="amazon_ads",
        region=state.region,
        account_id=account_id,
        display_name=next((p.account_info.name for p in profiles if p.account_info.name), None),
        marketplaces=sorted({p.account_info.marketplace_string_id for p in profiles}),
        user_id=uuid.UUID(state.user_id),
        extra={"account_types": sorted({p.account_info.type for p in profiles})},
        parent_connection_id=parent.id if parent else None,
    )
    await AdsProfileRepository(session).upsert(
        tenant_id,
        [
            {
                "connection_id": connection.id,
                "profile_id": p.profile_id,
                "country_code": p.country_code,
                "currency_code": p.currency_code,
                "timezone": p.timezone,
                "marketplace_id": p.account_info.marketplace_string_id,
                "account_type": p.account_info.type,
                "account_name": p.account_info.name,
                "account_id": p.account_info.id,
                "linked_sp_connection_id": links[p.profile_id].id if links[p.profile_id] else None,  # type: ignore[union-attr]
            }
            for p in profiles
        ],
    )
    # The Ads datasets sync per profile: its id stands where a seller's rows have a marketplace.
    profile_ids = [p.profile_id for p in profiles]
    await _finish(session, onboarding, state, actor, connection, created, refresh_token, profile_ids)
    log.info(
        "onboarding.connected",
        connection_id=str(connection.id),
        provider="amazon_ads",
        profiles=len(profiles),
    )
    return connection


# Disconnect ------------------------------------------------------------------------------------


async def disconnect(
    session: AsyncSession,
    onboarding: Onboarding,
    tenant_id: uuid.UUID,
    actor: Actor,
    connection_id: uuid.UUID,
) -> Connection:
    """Delete the refresh token, stop the sync, schedule the deletion of the connection's data
    (DATA_DELETION_GRACE_DAYS; a reconnect before then cancels it)."""
    connections = ConnectionRepository(session)
    connection = await connections.get(tenant_id, connection_id)
    if connection is None:
        raise NotFound("connection not found")
    await onboarding.clients.token_store.delete_refresh_token(session, tenant_id, connection_id)
    await connections.mark_disconnected(tenant_id, connection_id)
    await publish(
        session,
        ConnectionDisconnected(
            tenant_id=tenant_id, connection_id=connection_id, provider=cast(Provider, connection.provider)
        ),
    )
    await onboarding.clients.forget(connection)
    await actor.record(
        session,
        tenant_id,
        "connection.disconnected",
        target_type="connection",
        target_id=str(connection_id),
        data={
            "provider": connection.provider,
            "region": connection.region,
            "account_id": connection.account_id,
        },
    )
    await retention.schedule_deletion(
        session, connection, reason="disconnected", actor_user_id=actor.user_id, request_id=actor.request_id
    )
    refreshed = await connections.get(tenant_id, connection_id, refresh=True)
    assert refreshed is not None
    return refreshed


async def delete(session: AsyncSession, tenant_id: uuid.UUID, actor: Actor, connection_id: uuid.UUID) -> None:
    """Delete a disconnected connection and everything synced for it now, without waiting for
    its deletion date (`retention.delete_connection_data`)."""
    connections = ConnectionRepository(session)
    connection = await connections.get(tenant_id, connection_id)
    if connection is None:
        raise NotFound("connection not found")
    if connection.status != "revoked":
        raise AppError(
            "disconnect the account before deleting its data", code="still_connected", status_code=409
        )
    await retention.delete_connection_data(
        session,
        tenant_id,
        connection_id,
        reason="deleted_by_user",
        actor_user_id=actor.user_id,
        request_id=actor.request_id,
        action="connection.deleted",
    )
