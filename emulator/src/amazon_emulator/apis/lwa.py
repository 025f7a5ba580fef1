"""Login with Amazon token endpoint: ``POST /auth/o2/token``.

Grants: ``authorization_code`` (consent-page codes, SP-API ``spapi_oauth_code`` and Ads ``code``),
``refresh_token`` and ``client_credentials`` (grantless scopes). Errors follow LWA: ``invalid_request`` 400,
``invalid_client`` 401, ``invalid_grant`` 400, ``unsupported_grant_type`` 400, ``invalid_scope`` 400,
``server_error`` 500. ``expires_in`` is the token's real lifetime in whole seconds: 3600 at time scale 1,
3600 / time_scale under a scale (rounded down, at least 1), and the token lives exactly that long
(:meth:`~amazon_emulator.clock.Clock.announced_seconds`), so a client caching it by ``expires_in`` needs no
knowledge of the scale.
"""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from amazon_emulator.auth import GRANTLESS_NOTIFICATIONS, GRANTLESS_ROTATION, mark_body_fault, set_operation
from amazon_emulator.credentials import Application
from amazon_emulator.errors import LwaError
from amazon_emulator.state import EmulatorState, get_state

router = APIRouter(tags=["Login with Amazon"])

GRANTLESS_SCOPES = (GRANTLESS_NOTIFICATIONS, GRANTLESS_ROTATION)
_NO_CACHE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


async def _form(request: Request) -> dict[str, str]:
    raw = (await request.body()).decode("utf-8", "replace")
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(raw or "{}")
        except json.JSONDecodeError as exc:
            raise LwaError(400, "invalid_request", "The request body is malformed") from exc
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    parsed = parse_qs(raw, keep_blank_values=True)
    for key, values in parsed.items():
        if len(values) > 1:
            raise LwaError(400, "invalid_request", f"The request has a duplicate parameter : {key}")
    return {k: v[0] for k, v in parsed.items()}


def _client(state: EmulatorState, request: Request, form: dict[str, str]) -> Application:
    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
    basic = request.headers.get("authorization", "")
    if not client_id and basic.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        except ValueError:
            client_id = ""
    if not client_id:
        raise LwaError(400, "invalid_request", "The request is missing a required parameter : client_id")
    app = state.credentials.apps.get(client_id)
    if app is None or not app.secret_ok(secret, state.clock.time()):
        raise LwaError(401, "invalid_client", "Client authentication failed")
    return app


def _required(form: dict[str, str], name: str) -> str:
    value = form.get(name, "")
    if not value:
        raise LwaError(400, "invalid_request", f"The request is missing a required parameter : {name}")
    return value


def _token_response(body: dict[str, Any]) -> JSONResponse:
    return JSONResponse(body, headers=_NO_CACHE)


@router.post("/auth/o2/token")
async def token(request: Request) -> JSONResponse:
    """Exchange a code, refresh token or client credentials for an access token."""
    state = get_state(request)
    set_operation(request, "lwa.token")
    decision = state.faults.decide("lwa.token", state.clock.time())
    mark_body_fault(request, decision)
    if decision.latency_s > 0:
        await asyncio.sleep(decision.latency_s)
    if decision.throttled:
        raise LwaError(429, "server_error", "Request is throttled")
    if decision.error_status is not None:
        raise LwaError(decision.error_status, "server_error", "Internal server error")
    form = await _form(request)
    grant_type = form.get("grant_type", "")
    request.state.token_kind = grant_type or "none"
    if grant_type not in ("authorization_code", "refresh_token", "client_credentials"):
        raise LwaError(
            400,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server",
        )
    app = _client(state, request, form)
    request.state.application_id = app.application_id
    creds = state.credentials

    if grant_type == "client_credentials":
        scope = _required(form, "scope")
        scopes = tuple(scope.split())
        if not scopes or any(s not in GRANTLESS_SCOPES for s in scopes):
            raise LwaError(400, "invalid_scope", "The request has an invalid parameter : scope")
        access = creds.issue_access(app, None, "grantless", scopes)
        return _token_response({"access_token": access.token, "scope": scope, "token_type": "bearer",
                                "expires_in": access.expires_in})  # fmt: skip

    if grant_type == "authorization_code":
        code_value = _required(form, "code")
        with state.lock:
            code = creds.codes.get(code_value)
            valid = (
                code is not None
                and not code.used
                and code.client_id == app.client_id
                and state.clock.time() < code.expires_at
            )
            if code is not None:
                # Single use: a failed attempt with the right client burns it too, as LWA does.
                code.used = code.used or code.client_id == app.client_id
        if not valid or code is None:
            raise LwaError(400, "invalid_grant", "The request has an invalid grant parameter : code")
        redirect_uri = form.get("redirect_uri")
        if redirect_uri and code.redirect_uri and redirect_uri != code.redirect_uri:
            raise LwaError(400, "invalid_grant", "The request has an invalid grant parameter : redirect_uri")
        grant = creds.issue_refresh(app.client_id, code.selling_partner_id, code.kind)
    else:
        refresh_value = _required(form, "refresh_token")
        found = creds.refresh.get(refresh_value)
        if found is None or found.revoked or found.client_id != app.client_id:
            raise LwaError(
                400,
                "invalid_grant",
                "The request has an invalid grant parameter : refresh_token. "
                "User may have revoked or didn't grant the permission.",
            )
        grant = found
    request.state.selling_partner_id = grant.selling_partner_id
    kind = "ads" if grant.kind == "ads" else "lwa"
    access = creds.issue_access(app, grant.selling_partner_id, kind)
    return _token_response(
        {
            "access_token": access.token,
            "refresh_token": grant.refresh_token,
            "token_type": "bearer",
            "expires_in": access.expires_in,
        }
    )
