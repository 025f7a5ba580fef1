"""MFA routes: status, enrolment (secret and QR shown once), confirmation (recovery codes shown
once), step-up for the current session, disabling, new recovery codes, and the sign-in's code step."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from app.auth.dependencies import (
    CurrentUserDep,
    PrincipalDep,
    client_ip,
    set_session_cookies,
    settings_of,
)
from app.auth.mfa_schemas import (
    MfaChallenge,
    MfaCodeIn,
    MfaDisableIn,
    MfaEnrolmentOut,
    MfaSignInIn,
    MfaStatusOut,
    MfaVerifiedOut,
    RecoveryCodesOut,
)
from app.auth.mfa_service import SIGN_IN_TTL_S, MfaService, Requester, SessionRef
from app.auth.models import User
from app.auth.schemas import CurrentUser
from app.auth.service import create_session
from app.db.dependencies import SessionDep
from app.kit.errors import ERROR_RESPONSES, ErrorResponse, request_id_of

router = APIRouter(prefix="/auth/mfa", tags=["auth"])

_CODE_RESPONSES = {**ERROR_RESPONSES, 429: {"model": ErrorResponse}}


def mfa_service(request: Request, session: SessionDep) -> MfaService:
    return MfaService(
        session,
        keys=settings_of(request).security.encryption_keys,
        redis=request.app.state.redis,
        requester=Requester(client_ip(request), request_id_of(request)),
    )


MfaServiceDep = Annotated[MfaService, Depends(mfa_service)]


async def challenge_if_enrolled(service: MfaService, user: User) -> MfaChallenge | None:
    """The password step of sign-in: a user with MFA gets a pending token instead of a session."""
    if not await service.is_enabled(user.id):
        return None
    return MfaChallenge(mfa_token=await service.sign_in_challenge(user.id), expires_in=SIGN_IN_TTL_S)


@router.get("", response_model=MfaStatusOut, responses=ERROR_RESPONSES)
async def mfa_status(principal: PrincipalDep, service: MfaServiceDep) -> MfaStatusOut:
    """Whether two-factor authentication is on, and whether this session has proved it."""
    found = await service.status(principal.user.id, SessionRef.of(principal.session_key, principal.via))
    return MfaStatusOut(
        enabled=found.enabled,
        enrolment_pending=found.enrolment_pending,
        recovery_codes_left=found.recovery_codes_left,
        session_verified=found.session_verified_at is not None,
        session_verified_at=found.session_verified_at,
    )


@router.post("/enrol", response_model=MfaEnrolmentOut, responses=ERROR_RESPONSES)
async def start_enrolment(
    request: Request, response: Response, user: CurrentUserDep, service: MfaServiceDep
) -> MfaEnrolmentOut:
    """A new TOTP secret and its otpauth:// URI (for the QR code), shown this once."""
    response.headers["Cache-Control"] = "no-store"
    secret, uri = await service.start_enrolment(user, issuer=settings_of(request).security.mfa_issuer)
    return MfaEnrolmentOut(secret=secret, otpauth_uri=uri)


@router.post("/confirm", response_model=RecoveryCodesOut, responses=_CODE_RESPONSES)
async def confirm_enrolment(
    body: MfaCodeIn, response: Response, principal: PrincipalDep, service: MfaServiceDep
) -> RecoveryCodesOut:
    """The first code from the authenticator turns MFA on; the ten recovery codes are shown once."""
    response.headers["Cache-Control"] = "no-store"
    codes = await service.confirm_enrolment(
        principal.user, body.code, SessionRef.of(principal.session_key, principal.via)
    )
    return RecoveryCodesOut(recovery_codes=codes)


@router.post("/verify", response_model=MfaVerifiedOut, responses=_CODE_RESPONSES)
async def verify_session(body: MfaCodeIn, principal: PrincipalDep, service: MfaServiceDep) -> MfaVerifiedOut:
    """Step-up: a code marks this session as MFA-verified (buyer addresses, owner actions)."""
    at = await service.step_up(
        principal.user.id, body.code, SessionRef.of(principal.session_key, principal.via)
    )
    return MfaVerifiedOut(session_verified_at=at)


@router.post("/recovery-codes", response_model=RecoveryCodesOut, responses=_CODE_RESPONSES)
async def regenerate_recovery_codes(
    body: MfaCodeIn, response: Response, user: CurrentUserDep, service: MfaServiceDep
) -> RecoveryCodesOut:
    """Ten new recovery codes (the old ones stop working), shown once."""
    response.headers["Cache-Control"] = "no-store"
    return RecoveryCodesOut(recovery_codes=await service.regenerate_recovery_codes(user, body.code))


@router.post("/disable", status_code=status.HTTP_204_NO_CONTENT, responses=_CODE_RESPONSES)
async def disable(body: MfaDisableIn, user: CurrentUserDep, service: MfaServiceDep) -> Response:
    """Turn MFA off: a current code (or a recovery code) and the password, if the account has one."""
    await service.disable(user, code=body.code, password=body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/signin", response_model=CurrentUser, responses=_CODE_RESPONSES)
async def sign_in_with_code(
    body: MfaSignInIn, request: Request, response: Response, session: SessionDep, service: MfaServiceDep
) -> CurrentUser:
    """The second step of sign-in: the token from the password step and a code (TOTP or recovery).
    Starts a session already marked MFA-verified."""
    settings = settings_of(request)
    user = await service.complete_sign_in(body.mfa_token, body.code)
    new_session = await create_session(
        session,
        user,
        secret=settings.security.session_secret,
        max_age_s=settings.security.session_max_age_sec,
        user_agent=request.headers.get("user-agent"),
    )
    await service.mark_new_session_verified(user.id, new_session.token)
    set_session_cookies(response, settings, new_session)
    return CurrentUser(id=str(user.id), email=user.email, name=user.name)
