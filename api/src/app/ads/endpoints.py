"""Amazon Ads: the tenant's advertiser profiles with their sync state, campaigns, the per-product
table and daily series, every figure in one profile's currency. Every member reads; admins ask
for a sync now."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from pydantic_core import to_json

from app.ads import service
from app.ads.read_repository import Attribution, Direction, Filters, Group, ProductsQuery, SortKey
from app.ads.reading import AdsReadService
from app.ads.schemas import (
    AdsCampaignsOut,
    AdsProductsOut,
    AdsProfilesPage,
    AdsSyncIn,
    AdsSyncOut,
    AdsTimeseriesOut,
)
from app.db.dependencies import SessionDep, reads_only, reads_with_kept_plans
from app.kit.errors import ERROR_RESPONSES
from app.tenants.dependencies import TenantAdmin, TenantMember

router = APIRouter(prefix="/ads", tags=["ads"])

ProfileId = Annotated[str, Query(min_length=1, max_length=30, description="The Ads profile id")]
Start = Annotated[date, Query(description="First local day of the profile (inclusive)")]
End = Annotated[date, Query(description="Last local day of the profile (inclusive); at most 366 days")]
AttributionQuery = Annotated[
    Attribution, Query(description="Attribution window in days (Amazon's is 7 for sellers)")
]


def _json(data: object) -> Response:
    # Serialised once, by pydantic-core: decimals as exact strings, dates ISO-8601.
    return Response(to_json(data), media_type="application/json")


@router.get("/profiles", response_model=AdsProfilesPage, responses=ERROR_RESPONSES)
@reads_only
async def list_profiles(access: TenantMember, session: SessionDep) -> AdsProfilesPage:
    """The tenant's advertiser profiles, the seller each is linked to, and their sync state."""
    found = await AdsReadService(session).profiles(access.tenant_id, datetime.now(UTC))
    return AdsProfilesPage.model_validate(found)


@router.get("/campaigns", response_model=AdsCampaignsOut, responses=ERROR_RESPONSES)
@reads_with_kept_plans
async def list_campaigns(
    access: TenantMember,
    session: SessionDep,
    profile_id: ProfileId,
    start: Start,
    end: End,
    attribution: AttributionQuery = Attribution.DAYS_7,
) -> AdsCampaignsOut:
    """The profile's campaigns with their ad group and ad counts and their figures over the range."""
    found = await AdsReadService(session).campaigns(access.tenant_id, profile_id, start, end, attribution)
    return AdsCampaignsOut.model_validate(found)


@router.get("/products", response_model=AdsProductsOut, responses=ERROR_RESPONSES)
@reads_with_kept_plans
async def list_products(
    access: TenantMember,
    session: SessionDep,
    profile_id: ProfileId,
    start: Start,
    end: End,
    group: Annotated[
        Group, Query(description="A row per ASIN, per ASIN and campaign, or per ad group")
    ] = "asin",
    asin: Annotated[str | None, Query(description="Only this advertised ASIN (the drill-down)")] = None,
    campaign_id: Annotated[str | None, Query(description="Only this campaign")] = None,
    sort: SortKey = "spend",
    order: Direction = "desc",
    attribution: AttributionQuery = Attribution.DAYS_7,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
) -> Response:
    """Per advertised product: traffic, spend, attributed, total, organic and halo sales, and their
    ratios, in keyset pages sorted by any figure (nulls last)."""
    query = ProductsQuery(
        group=group,
        filters=Filters(asin=asin or None, campaign_id=campaign_id or None),
        sort=sort,
        order=order,
        attribution=attribution,
    )
    page = await AdsReadService(session).products(
        access.tenant_id, profile_id, start, end, query, cursor=cursor, limit=limit
    )
    return _json(page)


@router.get("/timeseries", response_model=AdsTimeseriesOut, responses=ERROR_RESPONSES)
@reads_with_kept_plans
async def timeseries(
    access: TenantMember,
    session: SessionDep,
    profile_id: ProfileId,
    start: Start,
    end: End,
    asin: Annotated[str | None, Query(description="Only this advertised ASIN")] = None,
    campaign_id: Annotated[str | None, Query(description="Only this campaign")] = None,
    ad_group_id: Annotated[str | None, Query(description="Only this ad group")] = None,
    attribution: AttributionQuery = Attribution.DAYS_7,
) -> Response:
    """A point per local day of the range (zeros where there is none), the range's totals, and the
    totals of the same number of days just before it."""
    filters = Filters(asin=asin or None, campaign_id=campaign_id or None, ad_group_id=ad_group_id or None)
    series = await AdsReadService(session).timeseries(
        access.tenant_id, profile_id, start, end, filters, attribution
    )
    return _json(series)


@router.post(
    "/sync", response_model=AdsSyncOut, status_code=status.HTTP_202_ACCEPTED, responses=ERROR_RESPONSES
)
async def sync_now(access: TenantAdmin, session: SessionDep, body: AdsSyncIn | None = None) -> AdsSyncOut:
    """Admins: sync the Ads profiles now (or one): campaigns and each report's restatement window."""
    profile_id = body.profile_id if body is not None else None
    return AdsSyncOut(queued=await service.request_sync(session, access.tenant_id, profile_id))
