"""Auth routes. Sessions arrive with the onboarding work; until then nobody is signed in."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth.schemas import CurrentUser
from app.kit.errors import ERROR_RESPONSES, Unauthenticated

router = APIRouter(prefix="/auth", tags=["auth"])


@router.get("/me", response_model=CurrentUser, responses=ERROR_RESPONSES)
async def me() -> CurrentUser:
    raise Unauthenticated("not signed in")
