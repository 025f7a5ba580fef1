"""Auth routes: sign-in, sign-out (here or everywhere), the current user and sessions (sign-up and
links: account_endpoints.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import JSONResponse

from app.auth.dependencies import (
    SESSION_COOKIE,
    CurrentUserDep,
    PrincipalDep,
    builtin_sign_in_open,
    clear_session_cookies,
    client_of,
    set_csrf_cookie,
    set_session_cookies,
    settings_of,
)
from app.auth.mfa_endpoints import MfaServiceDep, challenge_if_enrolled
from app.auth.mfa_schemas import MfaChallenge
from app.auth.models import User
from app.auth.schemas import CurrentUser, SessionInfo, SignedOutEverywhere, SignInRequest
from app.auth.service import (
    InvalidCredentials,
    create_session,
    csrf_token_for,
    end_session,
    list_sessions,
    sign_in,
    sign_out_everywhere,
)
from app.auth.throttle import SignInGuard, TooManyAttempts
from app.db.dependencies import SessionDep
from app.kit.errors import ERROR_RESPONSES, ErrorResponse, error_response

router = APIRouter(prefix="/auth", tags=["auth"])

_SIGN_IN_RESPONSES = {**ERROR_RESPONSES, 429: {"model": ErrorResponse}}


_BUILTIN_OPEN = [Depends(builtin_sign_in_open)]


def _current(user: User) -> CurrentUser:
    return CurrentUser(
        id=str(user.id), email=user.email, name=user.name, email_verified=user.email_verified_at is not None
    )


@router.post(
    "/signin",
    response_model=CurrentUser | MfaChallenge,
    responses=_SIGN_IN_RESPONSES,
    dependencies=_BUILTIN_OPEN,
)
async def signin(
    body: SignInRequest, request: Request, response: Response, session: SessionDep, mfa: MfaServiceDep
) -> CurrentUser | MfaChallenge | JSONResponse:
    """Check the password and start a session (HttpOnly cookie plus the CSRF cookie). With MFA on,
    no session yet: `mfa_required` and a token for POST /api/auth/mfa/signin.

    401 `invalid_credentials` for an unknown e-mail, a wrong password or a disabled account alike;
    429 (with Retry-After) while the address is locked after repeated failures or this client is
    paused, for any address. Failures are answered, not raised, so their audit entries commit."""
    settings = settings_of(request)
    try:
        user = await sign_in(
            session,
            SignInGuard(request.app.state.redis, settings.security),
            email=body.email,
            password=body.password,
            client=client_of(request),
            secret=settings.security.session_secret,
        )
    except TooManyAttempts as exc:
        return error_response(
            request, exc.status_code, exc.code, exc.message, headers={"Retry-After": str(exc.retry_after_s)}
        )
    except InvalidCredentials as exc:
        return error_response(request, exc.status_code, exc.code, exc.message)
    challenge = await challenge_if_enrolled(mfa, user)
    if challenge is not None:
        return challenge
    new_session = await create_session(
        session,
        user,
        secret=settings.security.session_secret,
        max_age_s=settings.security.session_max_age_sec,
        user_agent=request.headers.get("user-agent"),
    )
    set_session_cookies(response, settings, new_session)
    return _current(user)


@router.post("/signout", status_code=status.HTTP_204_NO_CONTENT, responses=ERROR_RESPONSES)
async def signout(request: Request, principal: PrincipalDep, session: SessionDep) -> Response:
    """End this browser's session (the row is revoked; the cookie alone is worthless)."""
    if principal.via == "session":
        await end_session(session, principal.user, principal.session_key, client_of(request))
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response, settings_of(request))
    return response


@router.post("/signout-everywhere", response_model=SignedOutEverywhere, responses=ERROR_RESPONSES)
async def signout_everywhere(
    request: Request, response: Response, principal: PrincipalDep, session: SessionDep
) -> SignedOutEverywhere:
    """End every session of the signed-in user, in every browser, this one included (the
    cookies are cleared: sign in again). Sessions of Clerk are Clerk's and end in Clerk."""
    revoked = await sign_out_everywhere(session, principal.user, client_of(request))
    clear_session_cookies(response, settings_of(request))
    return SignedOutEverywhere(revoked=revoked)


@router.get("/sessions", response_model=list[SessionInfo], responses=ERROR_RESPONSES)
async def sessions(request: Request, principal: PrincipalDep, session: SessionDep) -> list[SessionInfo]:
    """The signed-in user's live sessions (browsers), most recently used first."""
    current = principal.session_key if principal.via == "session" else None
    idle_timeout_s = settings_of(request).security.session_idle_timeout_sec
    return await list_sessions(session, principal.user.id, current, idle_timeout_s=idle_timeout_s)


@router.get("/me", response_model=CurrentUser, responses=ERROR_RESPONSES)
async def me(
    request: Request, response: Response, principal: PrincipalDep, user: CurrentUserDep
) -> CurrentUser:
    """The signed-in user. Also (re)issues the CSRF cookie, e.g. for Clerk sessions."""
    settings = settings_of(request)
    if principal.via != "bearer" or SESSION_COOKIE in request.cookies:
        set_csrf_cookie(
            response, settings, csrf_token_for(settings.security.session_secret, principal.session_key)
        )
    return _current(user)
