"""Orders: the filtered, keyset-paginated list with totals, one order with its items, and the
buyer's shipping address on demand (PII: fetched from Amazon, audited, never stored)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BeforeValidator
from pydantic_core import to_json

from app.amazon_http.errors import AmazonError
from app.connections.dependencies import AmazonClientsDep
from app.db.dependencies import SessionDep, reads_only
from app.kit.errors import ERROR_RESPONSES, AppError, ErrorResponse
from app.kit.rate_window import FixedWindow, RateLimited
from app.orders.read_repository import OrderFilters
from app.orders.schemas import OrderDetail, OrdersPage, ShippingAddressOut
from app.orders.service import OrdersApiFactory, OrdersService
from app.settings import Settings
from app.spapi.operations.orders_vocabulary import OrderStatus
from app.tenants.dependencies import TenantAccess, TenantMember
from app.tenants.permissions import BuyerPiiReader
from app.tokens.errors import ReauthorizationRequired

router = APIRouter(prefix="/orders", tags=["orders"])


class AmazonUnavailable(AppError):
    status_code = 502
    code = "amazon_error"


def orders_api_factory(clients: AmazonClientsDep) -> OrdersApiFactory:
    """The Amazon Orders client of a connection (ORDERS_API_VERSION picks 2026-01-01 or v0)."""
    return lambda connection: clients.spapi_of(connection).orders


def as_utc(moment: datetime | None) -> datetime | None:
    """A time without an offset is read as UTC (the panel sends UTC; so do most clients)."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


@router.get("", response_model=OrdersPage, responses=ERROR_RESPONSES)
@reads_only
async def list_orders(
    access: TenantMember,
    session: SessionDep,
    connection_id: Annotated[uuid.UUID | None, Query(description="Only this Amazon connection")] = None,
    marketplace: Annotated[str | None, Query(description="Marketplace id, e.g. ATVPDKIKX0DER")] = None,
    status: Annotated[
        OrderStatus | None,
        # `status=` (empty) means no filter, as it always has; any other unknown status is a 422.
        BeforeValidator(lambda value: value or None),
        Query(description="Order status (2026-01-01 spelling)"),
    ] = None,
    created_after: Annotated[datetime | None, Query(description="Purchased at or after (ISO-8601)")] = None,
    created_before: Annotated[datetime | None, Query(description="Purchased before (ISO-8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
) -> Response:
    """Orders of a tenant, newest purchase first, in keyset pages; totals on the first page."""
    filters = OrderFilters(
        tenant_id=access.tenant_id,
        connection_id=connection_id,
        marketplace_id=marketplace or None,
        status=status,
        created_after=as_utc(created_after),
        created_before=as_utc(created_before),
    )
    page = await OrdersService(session).list_orders(filters, cursor=cursor, limit=limit)
    # Serialised once, by pydantic-core (same formats as the models: ISO-8601 Z, decimal strings).
    return Response(to_json(page), media_type="application/json")


@router.get("/{order_id}", response_model=OrderDetail, responses=ERROR_RESPONSES)
@reads_only
async def get_order(order_id: int, access: TenantMember, session: SessionDep) -> OrderDetail:
    """One order with its item lines (no PII)."""
    return await OrdersService(session).get_order(access.tenant_id, order_id)


async def address_read_quota(request: Request, access: BuyerPiiReader) -> TenantAccess:
    """PII_READS_PER_HOUR address reads per user (all tenants together), counted in Redis: a person
    looks at a few addresses, a stolen session scraping them hits this at once."""
    settings: Settings = request.app.state.settings
    window = FixedWindow(
        request.app.state.redis, name="pii-reads", limit=settings.security.pii_reads_per_hour, window_s=3600
    )
    wait = await window.hit(str(access.user_id))
    if wait is not None:
        raise RateLimited("too many buyer-address reads this hour", wait)
    return access


@router.get(
    "/{order_id}/address",
    response_model=ShippingAddressOut,
    responses={**ERROR_RESPONSES, 429: {"model": ErrorResponse}},
)
async def get_order_address(
    order_id: int,
    access: Annotated[TenantAccess, Depends(address_read_quota)],
    session: SessionDep,
    response: Response,
    orders_api: Annotated[OrdersApiFactory, Depends(orders_api_factory)],
) -> ShippingAddressOut:
    """The buyer's shipping address, fetched from Amazon now (v0: RDT; 2026-01-01: RECIPIENT).

    Owners and admins only (the `buyer_pii` permission), with a session that has proved MFA
    (`app.tenants.permissions`), PII_READS_PER_HOUR per user (429 beyond). Recorded as a
    `pii_viewed` audit entry (who, which order, when); the address itself is stored nowhere."""
    response.headers["Cache-Control"] = "no-store"
    try:
        return await OrdersService(session).shipping_address(
            access.tenant_id, order_id, actor=access.actor, orders_api=orders_api
        )
    except ReauthorizationRequired as exc:
        raise AppError(
            "the Amazon connection needs to be re-authorized", code="needs_reauth", status_code=409
        ) from exc
    except AmazonError as exc:
        raise AmazonUnavailable(
            f"Amazon refused or failed the address request ({type(exc).__name__})"
        ) from exc
