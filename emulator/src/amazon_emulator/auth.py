"""Who is calling, and the per-operation gate every SP-API route goes through.

Declare an operation on a route with :func:`sp_operation`::

    GetOrdersCaller = Annotated[Caller, Depends(sp_operation("ordersV0.getOrders", rdt=True))]

    @router.get("/orders/v0/orders")
    async def get_orders(request: Request, caller: GetOrdersCaller) -> dict[str, Any]: ...

The dependency works in Amazon's order: it names the operation (for the request log and the
``x-amzn-RateLimit-Limit`` header, the plan's rate times the time scale: real requests per second), applies
faults (latency, injected errors, throttle storms), validates ``x-amz-access-token`` (LWA access token, RDT
or grantless token), then takes a token from the usage-plan bucket of (application, selling partner,
operation) and answers 429 ``QuotaExceeded`` when it is empty.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request

from amazon_emulator.credentials import RestrictedDataToken
from amazon_emulator.errors import SpApiError, quota_exceeded, unauthorized
from amazon_emulator.faults import FaultDecision
from amazon_emulator.state import EmulatorState, get_state

EXPIRED_DETAILS = "The access token you provided has expired."
INVALID_DETAILS = "The access token you provided is revoked, malformed or invalid."

GRANTLESS_NOTIFICATIONS = "sellingpartnerapi::notifications"
GRANTLESS_ROTATION = "sellingpartnerapi::client_credential:rotation"


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of an SP-API operation.

    ``kind`` is ``"lwa"`` (seller access token), ``"rdt"`` (restricted data token) or ``"grantless"``.
    ``selling_partner_id`` is ``None`` for grantless calls. ``rdt`` is set only for RDT calls.
    """

    kind: str
    application_id: str
    client_id: str
    selling_partner_id: str | None
    scopes: tuple[str, ...] = ()
    rdt: RestrictedDataToken | None = None

    def require_seller(self) -> str:
        if self.selling_partner_id is None:
            raise unauthorized("")
        return self.selling_partner_id


def set_operation(request: Request, operation: str) -> None:
    """Name the operation of this request for the request log (and the rate-limit header)."""
    request.state.operation = operation


def _token_kind(request: Request, kind: str) -> None:
    request.state.token_kind = kind


def authenticate(
    state: EmulatorState, request: Request, *, rdt: bool = False, grantless_scope: str | None = None
) -> Caller:
    """Validate ``x-amz-access-token`` for one call and return the caller (403 ``Unauthorized`` otherwise).

    ``rdt``: the operation accepts a restricted data token. ``grantless_scope``: the operation is grantless
    and needs a client_credentials token with this scope (seller tokens are refused).
    """
    raw = request.headers.get("x-amz-access-token", "").strip()
    if not raw:
        _token_kind(request, "none")
        raise unauthorized("")
    now = state.clock.time()
    creds = state.credentials
    if raw.startswith("Atz.sprdt|"):
        token = creds.rdts.get(raw)
        if token is None:
            _token_kind(request, "invalid")
            raise unauthorized(INVALID_DETAILS)
        _token_kind(request, "rdt")
        if now >= token.expires_at:
            raise unauthorized(EXPIRED_DETAILS)
        if not rdt:
            raise unauthorized("")
        request.state.selling_partner_id = token.selling_partner_id
        request.state.application_id = token.application_id
        return Caller("rdt", token.application_id, token.client_id, token.selling_partner_id, (), token)
    access = creds.access.get(raw)
    if access is None or access.kind == "ads":
        # An Ads API token is an LWA token too, but not one SP-API accepts.
        _token_kind(request, "ads" if access is not None else "invalid")
        raise unauthorized(INVALID_DETAILS)
    _token_kind(request, access.kind)
    request.state.application_id = access.application_id
    request.state.selling_partner_id = access.selling_partner_id
    if now >= access.expires_at:
        raise unauthorized(EXPIRED_DETAILS)
    if grantless_scope is not None:
        if access.kind != "grantless" or grantless_scope not in access.scopes:
            raise unauthorized("")
    elif access.kind != "lwa":
        raise unauthorized("")
    return Caller(
        access.kind, access.application_id, access.client_id, access.selling_partner_id, access.scopes
    )


async def apply_faults(state: EmulatorState, operation: str, request: Request | None = None) -> None:
    """Sleep and/or fail as the configured faults ask (call before authentication). A body fault is
    left on ``request.state`` for :class:`amazon_emulator.middleware.AmazonHeadersMiddleware`."""
    decision = state.faults.decide(operation, state.clock.time())
    if request is not None:
        mark_body_fault(request, decision)
    if decision.latency_s > 0:
        await asyncio.sleep(decision.latency_s)
    if decision.throttled:
        raise quota_exceeded()
    if decision.error_status is not None:
        raise SpApiError(decision.error_status)


def mark_body_fault(request: Request, decision: FaultDecision) -> None:
    if decision.body is not None:
        request.state.body_fault = decision.body
        request.state.body_stall_s = decision.stall_s


def sp_operation(
    operation: str, *, rdt: bool = False, grantless_scope: str | None = None
) -> Callable[[Request], Awaitable[Caller]]:
    """A FastAPI dependency gating one SP-API operation; returns the :class:`Caller`.

    ``operation`` is the usage-plan key ``"<api>.<operationId>"`` (see :mod:`amazon_emulator.usage_plans`).
    """

    async def dependency(request: Request) -> Caller:
        state = get_state(request)
        set_operation(request, operation)
        scale = state.clock.time_scale
        request.state.rate_limit = state.ratelimiter.plan_for(None, operation).header_value(scale)
        await apply_faults(state, operation, request)
        caller = authenticate(state, request, rdt=rdt, grantless_scope=grantless_scope)
        decision = state.ratelimiter.take(caller.application_id, caller.selling_partner_id, operation)
        request.state.rate_limit = decision.plan.header_value(scale)
        if not decision.allowed:
            raise quota_exceeded()
        return caller

    dependency.__name__ = f"sp_operation_{operation.replace('.', '_')}"
    return dependency
