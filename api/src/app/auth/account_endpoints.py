"""Account routes: sign-up, e-mail verification, password reset by e-mail and password change."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, Response, status

from app.auth import recovery, verification
from app.auth.account_schemas import (
    ChangePasswordRequest,
    EmailSent,
    ForgotPasswordRequest,
    LinkToken,
    ResetPasswordRequest,
)
from app.auth.dependencies import PrincipalDep, builtin_sign_in_open, clear_session_cookies, settings_of
from app.auth.schemas import SignUpRequest
from app.auth.service import hash_session_token
from app.db.dependencies import SessionDep
from app.kit.errors import ERROR_RESPONSES

router = APIRouter(prefix="/auth", tags=["auth"])

# With Clerk on, Clerk alone keeps passwords: these routes answer 403 (`builtin_sign_in_open`).
_PASSWORDS = [Depends(builtin_sign_in_open)]

_CHECK_INBOX = "If the address can receive mail, a message is on its way: check the inbox."


@router.post(
    "/signup",
    response_model=EmailSent,
    status_code=status.HTTP_202_ACCEPTED,
    responses=ERROR_RESPONSES,
    dependencies=_PASSWORDS,
)
async def signup(body: SignUpRequest, request: Request, session: SessionDep) -> EmailSent:
    """Create an unverified account and e-mail its verification link. The answer is the same when
    the address already has an account (its owner gets a notice instead): sign in next."""
    await verification.sign_up(
        session, settings_of(request), email=body.email, password=body.password, name=body.name
    )
    return EmailSent(message=_CHECK_INBOX)


@router.post("/verify", status_code=status.HTTP_204_NO_CONTENT, responses=ERROR_RESPONSES)
async def verify_email(body: LinkToken, session: SessionDep) -> Response:
    """Open a verification link: the address it was sent to counts as verified (once)."""
    await verification.verify_email(session, body.token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/verify/resend",
    response_model=EmailSent,
    status_code=status.HTTP_202_ACCEPTED,
    responses=ERROR_RESPONSES,
)
async def resend_verification(request: Request, principal: PrincipalDep, session: SessionDep) -> EmailSent:
    """E-mail the signed-in user a new verification link (a few per hour at most)."""
    await verification.send_verification(session, settings_of(request), principal.user)
    return EmailSent(message=_CHECK_INBOX)


@router.post(
    "/password/forgot",
    response_model=EmailSent,
    status_code=status.HTTP_202_ACCEPTED,
    responses=ERROR_RESPONSES,
    dependencies=_PASSWORDS,
)
async def forgot_password(body: ForgotPasswordRequest, request: Request, session: SessionDep) -> EmailSent:
    """E-mail a password-reset link; the same answer whether or not the address has an account."""
    await recovery.request_reset(session, settings_of(request), body.email)
    return EmailSent(message=_CHECK_INBOX)


@router.post(
    "/password/reset",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERROR_RESPONSES,
    dependencies=_PASSWORDS,
)
async def reset_password(body: ResetPasswordRequest, request: Request, session: SessionDep) -> Response:
    """Set a new password with a reset link; every session of the account ends (sign in again)."""
    await recovery.reset_password(session, body.token, body.password)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response, settings_of(request))
    return response


@router.post(
    "/password/change",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=ERROR_RESPONSES,
    dependencies=_PASSWORDS,
)
async def change_password(
    body: ChangePasswordRequest, principal: PrincipalDep, session: SessionDep
) -> Response:
    """Change the password (the current one is required); the user's other sessions end."""
    keep = hash_session_token(principal.session_key) if principal.via == "session" else None
    await recovery.change_password(
        session,
        principal.user,
        current_password=body.current_password,
        new_password=body.new_password,
        keep_session=keep,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
