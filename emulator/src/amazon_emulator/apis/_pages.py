"""Helpers shared by the Reports, Feeds and Data Kiosk list operations: query arrays, times, page tokens."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request

from amazon_emulator.clock import parse_iso
from amazon_emulator.errors import invalid_input
from amazon_emulator.state import EmulatorState


def csv_param(request: Request, name: str) -> list[str] | None:
    """An array query parameter (``form`` style, not exploded: ``a,b``; repeated keys are accepted too)."""
    values = request.query_params.getlist(name)
    if not values:
        return None
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def time_param(value: str | None, name: str) -> float | None:
    if value is None:
        return None
    try:
        return parse_iso(value).timestamp()
    except ValueError:
        raise invalid_input(f"Invalid {name}: {value!r} is not an ISO 8601 date-time.") from None


def date_time_param(value: Any, name: str) -> float | None:
    """A ``date-time`` body field: a bare date (``2024-03-01``) is refused, as the model requires a time."""
    if value is None:
        return None
    if not isinstance(value, str) or "T" not in value.upper():
        raise invalid_input(
            f"Invalid {name}: {value!r} is not an ISO 8601 date-time (e.g. 2024-03-01T00:00:00Z)."
        )
    return time_param(value, name)


def page_size(value: str | None, low: int, high: int, default: int) -> int:
    if value is None:
        return default
    try:
        size = int(value)
    except ValueError:
        raise invalid_input("pageSize must be an integer.") from None
    if not low <= size <= high:
        raise invalid_input(f"pageSize must be between {low} and {high}.")
    return size


def save_token(state: EmulatorState, payload: Any) -> str:
    token = secrets.token_urlsafe(24)
    with state.lock:
        state.page_tokens[token] = (state.clock.expires_at(state.config.next_token_lifetime), payload)
    return token


def load_token(state: EmulatorState, token: str, name: str = "nextToken") -> Any:
    with state.lock:
        found = state.page_tokens.get(token)
    if found is None or found[0] <= state.clock.time():
        raise invalid_input(f"The {name} is invalid or expired.")
    return found[1]
