"""Who is calling: the session cookie (built-in sign-in) or a Clerk session JWT.

Unsafe methods authenticated by a cookie must carry the CSRF token (double submit, bound to the
session): the `csrf_token` cookie, readable by the panel's JavaScript, sent back as X-CSRF-Token.
A Bearer token is not sent by browsers on their own, so it needs no CSRF token.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Literal

import httpx
from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.clerk import ClerkVerifier, InvalidClerkToken
from app.auth.models import User
from app.auth.service import Client, NewSession, clerk_user, csrf_token_for, user_for_session_token
from app.db.dependencies import SessionDep
from app.kit.errors import Forbidden, Unauthenticated, request_id_of
from app.settings import Settings

SESSION_COOKIE = "session"
CSRF_COOKIE = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
# The cookie Clerk's browser SDK keeps the short-lived session JWT in.
CLERK_COOKIE = "__session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    user: User
    # What the CSRF token is bound to: the session token, or Clerk's session id.
    session_key: str
    via: Literal["session", "clerk_cookie", "bearer"]


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def client_ip(request: Request) -> str:
    """The real client address: behind a proxy listed in FORWARDED_ALLOW_IPS, the one it saw
    (X-Forwarded-For, resolved by the app's proxy-headers middleware, `main.py`); anyone else's
    X-Forwarded-For is ignored and the peer's own address is used."""
    return request.client.host if request.client else "unknown"


def client_of(request: Request) -> Client:
    """Who asks, for audit entries: the real address and the request id."""
    return Client(client_ip(request), request_id_of(request))


def set_session_cookies(response: Response, settings: Settings, new_session: NewSession) -> None:
    secure = settings.is_production
    max_age = settings.security.session_max_age_sec
    response.set_cookie(
        SESSION_COOKIE, new_session.token, max_age=max_age, httponly=True, secure=secure, samesite="lax"
    )
    set_csrf_cookie(response, settings, new_session.csrf_token)


def set_csrf_cookie(response: Response, settings: Settings, csrf_token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        csrf_token,
        max_age=settings.security.session_max_age_sec,
        httponly=False,  # the panel reads it to send it back as X-CSRF-Token
        secure=settings.is_production,
        samesite="lax",
    )


def clear_session_cookies(response: Response, settings: Settings) -> None:
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, secure=settings.is_production, samesite="lax")


def clerk_verifier(request: Request) -> ClerkVerifier | None:
    settings = settings_of(request)
    if not settings.security.clerk_jwks_url:
        return None
    verifier: ClerkVerifier | None = getattr(request.app.state, "clerk_verifier", None)
    if verifier is None:
        http: httpx.AsyncClient = request.app.state.http
        security = settings.security
        parties = [p.strip() for p in security.clerk_authorized_parties.split(",") if p.strip()]
        verifier = ClerkVerifier(
            security.clerk_jwks_url,
            http,
            parties or [settings.runtime.public_url],
            issuer=security.clerk_issuer or security.clerk_frontend_api or "",
        )
        request.app.state.clerk_verifier = verifier
    return verifier


async def _principal_from_clerk(request: Request, session: AsyncSession) -> Principal | None:
    verifier = clerk_verifier(request)
    if verifier is None:
        return None
    authorization = request.headers.get("authorization", "")
    via: Literal["clerk_cookie", "bearer"]
    if authorization.lower().startswith("bearer "):
        token, via = authorization[7:].strip(), "bearer"
    elif request.cookies.get(CLERK_COOKIE):
        token, via = request.cookies[CLERK_COOKIE], "clerk_cookie"
    else:
        return None
    try:
        identity = await verifier.verify(token)
    except InvalidClerkToken as exc:
        raise Unauthenticated(f"invalid session token: {exc}") from None
    user = await clerk_user(session, identity)
    if not user.is_active:
        raise Unauthenticated("this account is disabled")
    return Principal(user, identity.session_id, via)


async def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        idle_timeout_s = settings_of(request).security.session_idle_timeout_sec
        user = await user_for_session_token(session, token, idle_timeout_s=idle_timeout_s)
        if user is not None:
            return Principal(user, token, "session")
    return await _principal_from_clerk(request, session)


def check_csrf(request: Request, session_key: str, via: str) -> None:
    """`session_key`: what the token is bound to (Principal.session_key); `via`: Principal.via."""
    if request.method in SAFE_METHODS or via == "bearer":
        return
    expected = csrf_token_for(settings_of(request).security.session_secret, session_key)
    sent = request.headers.get(CSRF_HEADER, "")
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not (sent and hmac.compare_digest(sent, cookie) and hmac.compare_digest(sent, expected)):
        raise Forbidden("missing or invalid CSRF token (X-CSRF-Token header)", code="csrf_failed")


async def current_principal(
    request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> Principal:
    if principal is None:
        raise Unauthenticated("not signed in")
    check_csrf(request, principal.session_key, principal.via)
    return principal


async def current_user(principal: Annotated[Principal, Depends(current_principal)]) -> User:
    return principal.user


PrincipalDep = Annotated[Principal, Depends(current_principal)]
CurrentUserDep = Annotated[User, Depends(current_user)]


def builtin_sign_in_open(request: Request) -> None:
    """With Clerk on, Clerk alone signs people up and in: a second, password door beside it would
    let anyone register an address before its owner arrives through Clerk."""
    if settings_of(request).security.clerk_enabled:
        raise Forbidden(
            "sign-up and sign-in with a password are closed: this installation signs in with Clerk",
            code="builtin_auth_disabled",
        )
