"""The admin API for tests and demos, under ``/_emulator/`` (never under Amazon paths).

Shapes are documented on each route (and at ``/_emulator/docs``).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from amazon_emulator.apis._orders_truth import orders_truth
from amazon_emulator.clock import iso_ts, parse_iso
from amazon_emulator.config import DEFAULT_MARKETPLACES
from amazon_emulator.data.activity import HISTORY_SECONDS, add_activity, summary
from amazon_emulator.data.marketplaces import resolve
from amazon_emulator.faults import Fault
from amazon_emulator.seeding import create_seller, factories
from amazon_emulator.state import get_state
from amazon_emulator.usage_plans import all_plans

router = APIRouter(prefix="/_emulator", tags=["emulator admin"])


class AppIn(BaseModel):
    client_id: str
    client_secret: str
    application_id: str
    redirect_uris: list[str] = Field(default_factory=list)
    name: str = ""


class SelfAuthorizeIn(BaseModel):
    client_id: str
    selling_partner_id: str
    kind: str = "spapi"  # "spapi" or "ads"


class SellerIn(BaseModel):
    selling_partner_id: str | None = None
    marketplaces: list[str] = Field(default_factory=lambda: list(DEFAULT_MARKETPLACES))
    orders: int = Field(500, ge=0, le=2_000_000)
    months: int = Field(24, ge=1, le=24)
    seed: int | None = None
    name: str | None = None


class ActivityIn(BaseModel):
    new_orders: int = Field(0, ge=0, le=100_000)
    updates: int = Field(0, ge=0, le=100_000)


class UsagePlanIn(BaseModel):
    operation: str
    rate: float = Field(gt=0)
    burst: int = Field(ge=1)


class FaultIn(BaseModel):
    operation: str = "*"
    error_rate: float = Field(0.0, ge=0.0, le=1.0)
    status: int = Field(500, ge=400, le=599)
    latency_ms: float = Field(0.0, ge=0.0)
    latency_after_ms: float = Field(
        0.0, ge=0.0, le=600_000.0, description="hold successful responses this long after the handler ran"
    )
    throttle_storm_seconds: float = Field(0.0, ge=0.0)
    count: int | None = Field(
        None, ge=0, description="number of injected errors (or held responses), then stop"
    )
    statuses: list[Annotated[int, Field(ge=400, le=599)]] = Field(
        default_factory=list, description="injected errors draw their status from these (instead of status)"
    )
    script: list[Annotated[int, Field(ge=400, le=599)] | Literal["ok", "reset", "stall", "gzip_cut"]] = Field(
        default_factory=list,
        max_length=10_000,
        description="the next calls, one entry each: a status to answer, ok, or a body fault"
        " (reset: half the body then the connection closed; stall: half the body then stall_ms;"
        " gzip_cut: the body gzipped and cut short)",
    )
    stall_ms: float = Field(5000.0, ge=0.0, le=600_000.0)
    revoke_refresh_token: str | None = None


class AdvanceIn(BaseModel):
    seconds: float = Field(ge=0)


@router.get("/health")
async def health(request: Request) -> dict[str, Any]:
    state = get_state(request)
    return {"status": "ok", "time_scale": state.clock.time_scale, "sellers": len(state.sellers)}


@router.post("/apps", status_code=201)
async def register_app(body: AppIn, request: Request) -> dict[str, Any]:
    """Register an LWA application for SP-API and Ads (replaces one with the same client id)."""
    app = get_state(request).credentials.register_app(
        body.client_id, body.client_secret, body.application_id, body.redirect_uris, body.name
    )
    return {
        "client_id": app.client_id,
        "application_id": app.application_id,
        "redirect_uris": app.redirect_uris,
    }


@router.get("/apps")
async def list_apps(request: Request) -> list[dict[str, Any]]:
    apps = get_state(request).credentials.apps.values()
    return [{"client_id": a.client_id, "application_id": a.application_id, "redirect_uris": a.redirect_uris}
            for a in apps]  # fmt: skip


@router.post("/self-authorize")
async def self_authorize(body: SelfAuthorizeIn, request: Request) -> dict[str, str]:
    """Authorize an app for a seller without the consent page -> ``{refresh_token}``."""
    state = get_state(request)
    if body.client_id not in state.credentials.apps:
        raise HTTPException(404, "unknown client_id")
    if body.selling_partner_id not in state.sellers:
        raise HTTPException(404, "unknown selling_partner_id")
    grant = state.credentials.issue_refresh(body.client_id, body.selling_partner_id, body.kind)
    return {"refresh_token": grant.refresh_token, "selling_partner_id": body.selling_partner_id}


@router.post("/sellers", status_code=201)
async def create_seller_route(body: SellerIn, request: Request) -> dict[str, Any]:
    """Generate a seeded seller -> ``{selling_partner_id}``."""
    state = get_state(request)
    try:
        resolve(body.marketplaces)
    except KeyError as exc:
        raise HTTPException(422, f"unknown marketplace {exc}") from exc
    # Large sellers take a second or two to generate: keep the event loop answering meanwhile.
    seller = await asyncio.to_thread(
        create_seller,
        state,
        body.selling_partner_id,
        marketplaces=body.marketplaces,
        orders=body.orders,
        months=body.months,
        seed=body.seed,
        name=body.name,
    )
    return {"selling_partner_id": seller.selling_partner_id, "marketplaces": seller.marketplace_ids()}


@router.get("/sellers")
async def list_sellers(request: Request) -> list[dict[str, Any]]:
    return [
        {"selling_partner_id": s.selling_partner_id, "name": s.name, "marketplaces": s.marketplace_ids()}
        for s in get_state(request).sellers.values()
    ]


@router.get("/sellers/{selling_partner_id}/summary")
async def seller_summary(
    selling_partner_id: str, request: Request, as_of: str | None = None
) -> dict[str, Any]:
    """Totals at ``as_of``: orders, items, units, by marketplace, by status, newest last update."""
    state = get_state(request)
    seller = state.seller(selling_partner_id)
    if seller is None:
        raise HTTPException(404, "unknown seller")
    try:
        at = parse_iso(as_of).timestamp() if as_of else state.clock.time()
    except ValueError as exc:
        raise HTTPException(422, "as_of must be ISO 8601") from exc
    return summary(seller, at)


# Declared before `/orders/{order_id}`, which would otherwise take "truth" for an order id.
@router.get("/sellers/{selling_partner_id}/orders/truth")
async def seller_orders_truth(
    selling_partner_id: str, request: Request, as_of: str | None = None
) -> StreamingResponse:
    """Every order at ``as_of`` (default now) as NDJSON, one order per line, oldest purchase first; the
    fields are described in :mod:`amazon_emulator.apis._orders_truth`. Headers ``X-Emulator-As-Of`` and
    ``X-Emulator-History-From`` (ISO 8601) say the instant and the oldest purchase date listed (730 days
    before it, as the APIs)."""
    state = get_state(request)
    seller = state.seller(selling_partner_id)
    if seller is None:
        raise HTTPException(404, "unknown seller")
    try:
        at = parse_iso(as_of).timestamp() if as_of else state.clock.time()
    except ValueError as exc:
        raise HTTPException(422, "as_of must be ISO 8601") from exc

    def lines() -> Iterator[bytes]:
        # A plain generator: Starlette runs it in a thread, so a big seller does not hold the event loop.
        batch: list[str] = []
        for order in orders_truth(seller, at):
            batch.append(json.dumps(order, separators=(",", ":")))
            if len(batch) == 1000:
                yield ("\n".join(batch) + "\n").encode()
                batch = []
        if batch:
            yield ("\n".join(batch) + "\n").encode()

    headers = {"X-Emulator-As-Of": iso_ts(at), "X-Emulator-History-From": iso_ts(at - HISTORY_SECONDS)}
    return StreamingResponse(lines(), media_type="application/x-ndjson", headers=headers)


@router.get("/sellers/{selling_partner_id}/orders/{order_id}")
async def seller_order(selling_partner_id: str, order_id: str, request: Request) -> dict[str, Any]:
    """The truth about one order now: status, last update, totals and item lines (no PII)."""
    state = get_state(request)
    seller = state.seller(selling_partner_id)
    order = seller.orders_by_id.get(order_id) if seller else None
    now = state.clock.time()
    if order is None or order.purchase_ts > now:
        raise HTTPException(404, "unknown order")
    last = order.last_update_at(now)
    return {
        "amazon_order_id": order.amazon_order_id,
        "marketplace_id": order.marketplace_id,
        "purchase_date": iso_ts(order.purchase_ts),
        "last_update_date": iso_ts(last) if last is not None else None,
        "status": order.status_at(now),
        "fulfillment_channel": order.fulfillment_channel,
        "order_total": f"{order.order_total():.2f}",
        "items": [
            {
                "order_item_id": i.order_item_id,
                "asin": i.product.asin,
                "sku": i.product.sku,
                "quantity": i.quantity,
                "unit_price": f"{i.unit_price:.2f}",
            }
            for i in order.items
        ],
        "timeline": [{"time": iso_ts(when), "status": status} for when, status in order.timeline],
    }


@router.post("/sellers/{selling_partner_id}/activity")
async def seller_activity(selling_partner_id: str, body: ActivityIn, request: Request) -> dict[str, Any]:
    """New orders (purchased now, Pending) and status updates of open orders -> ``{created, updated}`` ids."""
    state = get_state(request)
    seller = state.seller(selling_partner_id)
    if seller is None:
        raise HTTPException(404, "unknown seller")
    return add_activity(
        seller,
        factories(state)[selling_partner_id],
        body.new_orders,
        body.updates,
        state.clock.time(),
        state.events,
    )


@router.post("/sellers/{selling_partner_id}/usage-plans")
async def seller_usage_plan(selling_partner_id: str, body: UsagePlanIn, request: Request) -> dict[str, Any]:
    """Raise (or lower) one seller's plan for one operation, as Amazon does per seller."""
    plan = get_state(request).ratelimiter.set_override(
        selling_partner_id, body.operation, body.rate, body.burst
    )
    return {"operation": body.operation, "rate": plan.rate, "burst": plan.burst}


@router.get("/usage-plans")
async def usage_plans() -> dict[str, dict[str, float]]:
    return {k: {"rate": v.rate, "burst": v.burst} for k, v in sorted(all_plans().items())}


@router.post("/faults")
async def add_fault(body: FaultIn, request: Request) -> dict[str, Any]:
    """Inject a fault (operation key, bare operationId, ``"api.*"`` or ``"*"``); or revoke a token.

    ``latency_ms`` delays the call before it is handled; ``latency_after_ms`` lets the handler run and then
    holds its successful response (``count``: for that many calls), e.g. createFeed creates the feed and the
    client hears the feedId only later (a test kills the client meanwhile). ``script`` scripts the next calls
    (statuses, ``ok`` and the body faults ``reset``, ``stall`` and ``gzip_cut``); ``statuses`` varies the
    status of errors injected at ``error_rate`` (see :mod:`amazon_emulator.faults`)."""
    state = get_state(request)
    revoked = None
    if body.revoke_refresh_token:
        revoked = state.credentials.revoke_refresh(body.revoke_refresh_token)
        if not revoked:
            raise HTTPException(404, "unknown refresh token")
    fault = None
    if (
        body.error_rate
        or body.latency_ms
        or body.latency_after_ms
        or body.throttle_storm_seconds
        or body.script
    ):
        fault = state.faults.add(
            Fault(
                operation=body.operation,
                error_rate=body.error_rate,
                status=body.status,
                latency_ms=body.latency_ms,
                latency_after_ms=body.latency_after_ms,
                throttle_until=state.clock.time() + body.throttle_storm_seconds
                if body.throttle_storm_seconds
                else 0,
                remaining=body.count,
                statuses=list(body.statuses),
                script=list(body.script),
                stall_ms=body.stall_ms,
            )
        )
    return {"fault": fault.as_dict() if fault else None, "revoked": revoked}


@router.get("/faults")
async def list_faults(request: Request) -> list[dict[str, Any]]:
    return [f.as_dict() for f in get_state(request).faults.list()]


@router.delete("/faults")
async def clear_faults(request: Request, operation: str | None = None) -> dict[str, str]:
    get_state(request).faults.clear(operation)
    return {"status": "cleared"}


@router.get("/requests")
async def request_log(
    request: Request,
    operation: str | None = None,
    path_prefix: str | None = None,
    status: int | None = None,
    limit: int | None = None,
    include_admin: bool = False,
) -> list[dict[str, Any]]:
    """The request log, oldest first: time, method, path, operation, status, token_kind, request_id..."""
    entries = get_state(request).request_log.entries(operation, path_prefix, status, include_admin, limit)
    return [e.as_dict() for e in entries]


@router.delete("/requests")
async def clear_request_log(request: Request) -> dict[str, str]:
    get_state(request).request_log.clear()
    return {"status": "cleared"}


@router.post("/clock/advance")
async def advance_clock(body: AdvanceIn, request: Request) -> dict[str, Any]:
    """Move the emulator's clock forward by real seconds (tests and demos)."""
    state = get_state(request)
    state.clock.advance(body.seconds)
    return {"now": state.clock.now().isoformat()}


@router.post("/reset")
async def reset(request: Request) -> dict[str, str]:
    """Forget everything (then re-install the demo fixtures when started with ``--demo``)."""
    get_state(request).reset()
    return {"status": "reset"}
