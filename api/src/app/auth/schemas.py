"""Shapes the auth endpoints accept and return."""

from __future__ import annotations

from pydantic import BaseModel


class CurrentUser(BaseModel):
    id: str
    email: str
    name: str | None = None
