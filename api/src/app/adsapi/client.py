"""`AdsClient`: one advertiser's Ads API in one region, over the same transport as SP-API (limiter,
retries with Retry-After, metrics). Headers: `Authorization: Bearer`, the client id, and the profile
scope on everything but `GET /v2/profiles`."""

from __future__ import annotations

import json as jsonlib
from collections.abc import AsyncIterator, Sequence
from typing import Any, Literal, Protocol, TypeVar

import httpx

from app.adsapi.models import AdGroup, AsyncReport, Campaign, ProductAd, Profile
from app.adsapi.reports import duplicate_report_id
from app.adsapi.usage_plans import plan_for
from app.amazon_http.call_counts import CallOwner
from app.amazon_http.documents import fresh_document_blocks
from app.amazon_http.errors import DuplicateRequest, parse_error_entries
from app.amazon_http.ratelimit import BucketKey
from app.amazon_http.transport import AmazonTransport, CallSpec
from app.kit.regions import Region

CREATE_REPORT_TYPE = "application/vnd.createasyncreportrequest.v3+json"
ListKind = Literal["campaigns", "adGroups", "productAds"]
RowT = TypeVar("RowT")
_LIST_TYPES: dict[str, str] = {
    "campaigns": "application/vnd.spCampaign.v3+json",
    "adGroups": "application/vnd.spAdGroup.v3+json",
    "productAds": "application/vnd.spProductAd.v3+json",
}


class AdsTokenProvider(Protocol):
    async def access_token(self, *, expired: str | None = None) -> str: ...


class _BearerAuth:
    def __init__(self, tokens: AdsTokenProvider, client_id: str, profile_id: str | None) -> None:
        self._tokens = tokens
        self._client_id = client_id
        self._profile_id = profile_id
        self._last: str | None = None
        self._expired: str | None = None

    async def headers(self) -> dict[str, str]:
        self._last = await self._tokens.access_token(expired=self._expired)
        headers = {
            "Authorization": f"Bearer {self._last}",
            "Amazon-Advertising-API-ClientId": self._client_id,
        }
        if self._profile_id is not None:
            headers["Amazon-Advertising-API-Scope"] = self._profile_id
        return headers

    async def expired(self) -> None:
        self._expired = self._last


def ads_token_expired(response: httpx.Response) -> bool:
    """A 401 that is not about the profile scope: the bearer token expired or was invalidated."""
    if response.status_code != 401:
        return False
    text = " ".join(f"{e.code} {e.message}" for e in parse_error_entries(response)).lower()
    return "scope" not in text and "advertiser" not in text


class AdsClient:
    def __init__(
        self,
        transport: AmazonTransport,
        *,
        base_url: str,
        region: Region,
        client_id: str,
        tokens: AdsTokenProvider,
        profile_id: str | None = None,
        max_wait_s: float = 5.0,
        owner: CallOwner | None = None,
    ) -> None:
        self.transport = transport
        self.base_url = base_url.rstrip("/")
        self.region = region
        self.client_id = client_id
        self.tokens = tokens
        self.profile_id = profile_id
        self.max_wait_s = max_wait_s
        # The stored connection this client calls for (see `SpApiClient.owner`).
        self.owner = owner

    def for_profile(self, profile_id: str | int) -> AdsClient:
        return AdsClient(
            self.transport,
            base_url=self.base_url,
            region=self.region,
            client_id=self.client_id,
            tokens=self.tokens,
            profile_id=str(profile_id),
            max_wait_s=self.max_wait_s,
            owner=self.owner,
        )

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        scoped: bool = True,
        params: dict[str, str] | None = None,
        body: Any = None,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> httpx.Response:
        if scoped and self.profile_id is None:
            raise ValueError(f"{operation} needs a profile: use client.for_profile(profile_id)")
        bucket = BucketKey(self.client_id, self.profile_id or "_account", self.region, operation)
        spec = CallSpec("ads", operation, bucket, plan_for(operation), self.max_wait_s, self.owner)
        content = None if body is None else jsonlib.dumps(body, separators=(",", ":")).encode()
        url = self.base_url + path

        def build(auth_headers: dict[str, str]) -> httpx.Request:
            headers = {"accept": accept, **auth_headers}
            if content is not None:
                headers["content-type"] = content_type
            return self.transport.http.build_request(
                method, url, params=params, content=content, headers=headers
            )

        auth = _BearerAuth(self.tokens, self.client_id, self.profile_id if scoped else None)
        return await self.transport.send(spec, build, auth, token_expired=ads_token_expired)

    # Profiles ----------------------------------------------------------------------------------

    async def list_profiles(
        self, *, api_program: str | None = None, access_level: str | None = None
    ) -> list[Profile]:
        params = {k: v for k, v in {"apiProgram": api_program, "accessLevel": access_level}.items() if v}
        response = await self._call("ads.listProfiles", "GET", "/v2/profiles", scoped=False, params=params)
        return [Profile.model_validate(p) for p in response.json()]

    # Reporting v3 ------------------------------------------------------------------------------

    async def create_report(self, request: dict[str, Any]) -> AsyncReport:
        """Start a report; an identical one still processing (425) is reused instead."""
        try:
            response = await self._call(
                "ads.createAsyncReport",
                "POST",
                "/reporting/reports",
                body=request,
                content_type=CREATE_REPORT_TYPE,
                accept="application/vnd.createasyncreportresponse.v3+json",
            )
        except DuplicateRequest as duplicate:
            text = " ".join(f"{e.message} {e.details or ''}" for e in duplicate.errors)
            existing = duplicate_report_id(text)
            if existing is None:
                raise
            return await self.get_report(existing)
        return AsyncReport.model_validate(response.json())

    async def get_report(self, report_id: str) -> AsyncReport:
        response = await self._call(
            "ads.getAsyncReport",
            "GET",
            f"/reporting/reports/{report_id}",
            accept="application/vnd.getasyncreportresponse.v3+json",
        )
        return AsyncReport.model_validate(response.json())

    async def delete_report(self, report_id: str) -> None:
        await self._call(
            "ads.deleteAsyncReport",
            "DELETE",
            f"/reporting/reports/{report_id}",
            accept="application/vnd.deleteasyncreportresponse.v3+json",
        )

    def report_blocks(self, report: AsyncReport, row_type: type[RowT]) -> AsyncIterator[list[RowT]]:
        """Rows of a COMPLETED report (a GZIP JSON array), decoded into `row_type`
        (`reports.AdvertisedProductRow`, `reports.PurchasedProductRow`) a block at a time: amounts as
        `Decimal`s of the text Amazon wrote, never a float.

        The report's URL expires (about an hour at Amazon); when it already has, the report is read
        again once for a fresh one (as for SP-API documents, see `fresh_document_rows`)."""
        if report.status != "COMPLETED" or not report.url:
            raise ValueError(f"report {report.report_id} is {report.status}, not COMPLETED with a URL")
        urls = [report.url]

        async def fresh_url() -> str:
            if urls:
                return urls.pop()
            again = await self.get_report(report.report_id)
            if not again.url:
                raise ValueError(f"report {report.report_id} is {again.status} and has no URL any more")
            return again.url

        return fresh_document_blocks(self.transport.http, fresh_url, row_type)

    # Sponsored Products campaign structure ------------------------------------------------------

    async def list_page(
        self, kind: ListKind, body: dict[str, Any] | None = None, *, next_token: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of an SP list endpoint ("campaigns", "adGroups", "productAds"): its items as
        sent and the token of the next page (None: the last). A token Amazon no longer takes
        answers 400 (`InvalidInput`)."""
        media = _LIST_TYPES[kind]
        page: dict[str, Any] = {**(body or {})}
        page.setdefault("maxResults", 100)
        if next_token:
            page["nextToken"] = next_token
        response = await self._call(
            f"ads.list{kind[0].upper()}{kind[1:]}",
            "POST",
            f"/sp/{kind}/list",
            body=page,
            content_type=media,
            accept=media,
        )
        answer = response.json()
        return list(answer.get(kind) or []), answer.get("nextToken") or None

    async def _list(self, kind: ListKind, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
        token: str | None = None
        while True:
            items, token = await self.list_page(kind, body, next_token=token)
            for item in items:
                yield item
            if token is None:
                return

    @staticmethod
    def _states(states: Sequence[str]) -> dict[str, Any]:
        return {"stateFilter": {"include": list(states)}} if states else {}

    async def list_campaigns(self, *, states: Sequence[str] = ()) -> list[Campaign]:
        return [Campaign.model_validate(c) async for c in self._list("campaigns", self._states(states))]

    async def list_ad_groups(
        self, *, states: Sequence[str] = (), campaign_ids: Sequence[str] = ()
    ) -> list[AdGroup]:
        body = self._states(states)
        if campaign_ids:
            body["campaignIdFilter"] = {"include": list(campaign_ids)}
        return [AdGroup.model_validate(g) async for g in self._list("adGroups", body)]

    async def list_product_ads(
        self, *, states: Sequence[str] = (), ad_group_ids: Sequence[str] = ()
    ) -> list[ProductAd]:
        body = self._states(states)
        if ad_group_ids:
            body["adGroupIdFilter"] = {"include": list(ad_group_ids)}
        return [ProductAd.model_validate(a) async for a in self._list("productAds", body)]
