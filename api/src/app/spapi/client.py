"""`SpApiClient`: one selling partner (or the application, for grantless calls) in one region.

Operations are grouped by API (`client.orders`, `client.reports`, ...); each builds its request and
hands back the answer (orders as Amazon's own objects, mapped to rows by `app.orders`; the rest
parsed into small models). Everything else (slots, retries, token refresh, metrics) is
the shared `AmazonTransport`. No FastAPI, no SQLAlchemy: the client gets a `TokenProvider`.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import httpx

from app.amazon_http.call_counts import CallOwner
from app.amazon_http.ratelimit import BucketKey, BucketLevel, UsagePlan
from app.amazon_http.transport import AmazonTransport, CallSpec
from app.kit.regions import Region
from app.spapi.auth import RestrictedResource, SpApiAuth, TokenProvider
from app.spapi.operations.applications import ApplicationsApi
from app.spapi.operations.datakiosk import DataKioskApi
from app.spapi.operations.feeds import FeedsApi
from app.spapi.operations.listings import ListingsApi
from app.spapi.operations.notifications import NotificationsApi
from app.spapi.operations.orders import OrdersApi
from app.spapi.operations.orders_2026 import Orders2026Api
from app.spapi.operations.orders_v0 import OrdersV0Api
from app.spapi.operations.reports import ReportsApi
from app.spapi.operations.sellers import SellersApi
from app.spapi.operations.tokens import TokensApi
from app.spapi.primitives import Operation, OrdersVersion, QueryValue, encode_query
from app.spapi.usage_plans import plan_for


class SpApiClient:
    def __init__(
        self,
        transport: AmazonTransport,
        *,
        base_url: str,
        region: Region,
        application_id: str,
        selling_partner_id: str | None,
        tokens: TokenProvider,
        max_wait_s: float = 5.0,
        orders_api_version: OrdersVersion = "2026-01-01",
        plans: Mapping[str, UsagePlan] | None = None,
        owner: CallOwner | None = None,
    ) -> None:
        self.transport = transport
        self.base_url = base_url.rstrip("/")
        self.region = region
        self.application_id = application_id
        self.selling_partner_id = selling_partner_id
        self.token_provider = tokens
        self.max_wait_s = max_wait_s
        self.orders_api_version = orders_api_version
        self._plans = dict(plans or {})
        # The stored connection this client calls for: its tenant labels the metrics, its calls
        # are counted per day (None for grantless calls and onboarding).
        self.owner = owner

    def with_max_wait(self, max_wait_s: float) -> SpApiClient:
        """The same client for another kind of caller (workers: ~0 s, so they reschedule)."""
        clone = SpApiClient(
            self.transport,
            base_url=self.base_url,
            region=self.region,
            application_id=self.application_id,
            selling_partner_id=self.selling_partner_id,
            tokens=self.token_provider,
            max_wait_s=max_wait_s,
            orders_api_version=self.orders_api_version,
            plans=self._plans,
            owner=self.owner,
        )
        return clone

    def spec(self, op: Operation) -> CallSpec:
        bucket = BucketKey(
            application=self.application_id,
            selling_partner=self.selling_partner_id or "_app",
            region=self.region,
            operation=op.key,
        )
        plan = self._plans.get(op.key) or plan_for(op.key)
        return CallSpec("spapi", op.key, bucket, plan, self.max_wait_s, self.owner)

    async def bucket_level(self, operation: str) -> BucketLevel:
        """This seller's (and application's) bucket of `operation` now; full when no limiter is shared."""
        bucket = BucketKey(self.application_id, self.selling_partner_id or "_app", self.region, operation)
        plan = self._plans.get(operation) or plan_for(operation)
        if self.transport.limiter is None:
            return BucketLevel(plan.rate, plan.burst, float(plan.burst))
        return await self.transport.limiter.level(bucket, plan)

    async def call(
        self,
        op: Operation,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = None,
        restricted: Sequence[RestrictedResource] | None = None,
    ) -> httpx.Response:
        url = self.base_url + op.render(path_params)
        query = encode_query(params or {})
        content = None if json is None else jsonlib.dumps(json, separators=(",", ":")).encode()

        def build(auth_headers: dict[str, str]) -> httpx.Request:
            headers = {"accept": "application/json", **auth_headers}
            if content is not None:
                headers["content-type"] = "application/json"
            return self.transport.http.build_request(
                op.method, url, params=query, content=content, headers=headers
            )

        return await self.transport.send(self.spec(op), build, SpApiAuth(self.token_provider, restricted))

    async def call_json(self, op: Operation, **kwargs: Any) -> Any:
        response = await self.call(op, **kwargs)
        if not response.content:
            return {}
        return response.json()

    # API groups ------------------------------------------------------------------------------

    @cached_property
    def orders(self) -> OrdersApi:
        """Orders behind one interface; the version comes from ORDERS_API_VERSION."""
        return self.orders_v0 if self.orders_api_version == "v0" else self.orders_2026

    @cached_property
    def orders_v0(self) -> OrdersV0Api:
        return OrdersV0Api(self)

    @cached_property
    def orders_2026(self) -> Orders2026Api:
        return Orders2026Api(self)

    @cached_property
    def tokens(self) -> TokensApi:
        return TokensApi(self)

    @cached_property
    def listings(self) -> ListingsApi:
        return ListingsApi(self)

    @cached_property
    def sellers(self) -> SellersApi:
        return SellersApi(self)

    @cached_property
    def reports(self) -> ReportsApi:
        return ReportsApi(self)

    @cached_property
    def data_kiosk(self) -> DataKioskApi:
        return DataKioskApi(self)

    @cached_property
    def feeds(self) -> FeedsApi:
        return FeedsApi(self)

    @cached_property
    def notifications(self) -> NotificationsApi:
        return NotificationsApi(self)

    @cached_property
    def applications(self) -> ApplicationsApi:
        return ApplicationsApi(self)


__all__ = ["SpApiClient"]
