"""The official sandbox examples (read from the Swagger models at run time), the ones a stateful
emulator cannot reproduce, and the replay context: the first half of `test_sandbox_replay.py`."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from amazon_emulator.apis._orders_v0_shapes import ADDRESS_STATUSES
from amazon_emulator.clock import iso_ts
from amazon_emulator.config import DEMO_SELLER_ID
from amazon_emulator.data.activity import HISTORY_SECONDS
from amazon_emulator.data.marketplaces import MARKETPLACES
from amazon_emulator.data.models import Order, Seller
from amazon_emulator.seeding import create_seller
from amazon_emulator.state import EmulatorState

from emulator_contract import SP_API_FILES, models_dir
from emulator_helpers import US, access_token_for, auth, create_rdt

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
PAGINATION_KEYS = frozenset({"NextToken", "nextToken", "pagination"})
ROTATION_SCOPE = "sellingpartnerapi::client_credential:rotation"


# Collecting the examples -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One official sandbox pair: the request parameters and the expected status and body."""

    api: str
    operation: str
    method: str
    template: str
    status: int  # 0 for a dynamic-sandbox marker (no pair)
    kind: str  # "static" or "dynamic"
    index: int
    parameters: dict[str, Any]
    locations: dict[str, str]
    response: Any

    @property
    def id(self) -> str:
        status = "dynamic" if self.kind == "dynamic" else str(self.status)
        return f"{self.api}.{self.operation}.{status}.{self.index}"


def swagger_dir() -> Path | None:
    """``<models>/sp-api`` (the Swagger 2 originals that keep the sandbox blocks), found like the contract
    tests find ``sp-api-oas3``."""
    base = models_dir()
    return base / "sp-api" if base is not None and (base / "sp-api").is_dir() else None


def _parameter(spec: dict[str, Any], param: dict[str, Any]) -> dict[str, Any]:
    ref = param.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/parameters/"):
        resolved: dict[str, Any] = spec["parameters"][ref.rsplit("/", 1)[1]]
        return resolved
    return param


def collect() -> list[Example]:
    folder = swagger_dir()
    if folder is None:
        return []
    examples: list[Example] = []
    for api, oas3_name in SP_API_FILES.items():
        spec = json.loads((folder / oas3_name.replace(".oas3.json", ".json")).read_text(encoding="utf-8"))
        for template, item in spec["paths"].items():
            shared = item.get("parameters", [])
            for method, op in item.items():
                if method not in HTTP_METHODS:
                    continue
                params = [_parameter(spec, p) for p in (*shared, *op.get("parameters", []))]
                locations = {p["name"]: p["in"] for p in params}
                base: dict[str, Any] = {
                    "api": api,
                    "operation": op["operationId"],
                    "method": method.upper(),
                    "template": template,
                    "locations": locations,
                }
                for marker in (item.get("x-amzn-api-sandbox"), op.get("x-amzn-api-sandbox")):
                    if isinstance(marker, dict) and "dynamic" in marker:
                        examples.append(Example(**base, status=0, kind="dynamic", index=0, parameters={},
                                                response=None))  # fmt: skip
                for code, response in op.get("responses", {}).items():
                    for kind, cases in (response.get("x-amzn-api-sandbox") or {}).items():
                        for index, case in enumerate(cases or []):
                            request = case.get("request") or {}
                            values = {
                                name: value.get("value")
                                for name, value in (request.get("parameters") or {}).items()
                            }
                            examples.append(
                                Example(
                                    **base,
                                    status=int(code),
                                    kind=kind,
                                    index=index,
                                    parameters=values,
                                    response=case.get("response"),
                                )
                            )
    return examples


EXAMPLES = collect()
BY_ID = {ex.id: ex for ex in EXAMPLES}
MISSING_MODELS = (
    "Amazon models not found: set AMAZON_MODELS_DIR or provide <repo>/../shared/amazon-models "
    "(with sp-api/ and sp-api-oas3/); the sandbox replay needs the official Swagger models"
)


# Examples a stateful emulator cannot reproduce --------------------------------------------------------------

_NOT_SERVED = "operation not served by the emulator"
NOT_FITTING: dict[str, str] = {
    **{
        f"ordersV0.{op}.{status}.{i}": _NOT_SERVED
        for op, cases in {
            "updateShipmentStatus": {204: 1, 400: 1},
            "getOrderRegulatedInfo": {200: 2, 400: 1},
            "updateVerificationStatus": {204: 2, 400: 7},
            "confirmShipment": {204: 1, 400: 1},
        }.items()
        for status, count in cases.items()
        for i in range(count)
    },
    "sellers.getAccount.200.0": _NOT_SERVED,
    "sellers.getAccount.400.0": _NOT_SERVED,
    "ordersV0.getOrder.200.1": "TEST_CASE_IBA_200 is a canned Invoice-by-Amazon order (Amazon.de, "
    "PaymentExecutionDetail): the emulator generates no IBA orders and none can be created",
    "reports.cancelReportSchedule.400.0": "no request parameters: the example does not say which input is "
    "invalid, and the emulator's only error for a well-formed schedule id is 404 NotFound",
    "feeds.createFeed.202.0": "POST_PRODUCT_DATA (an XML feed Amazon retired) is not a feed type the "
    "emulator processes: it answers 400 for it",
    "dataKiosk.createQuery.202.0": "sandbox magic: 'sampleQuery' is accepted and 'invalidSampleQuery' "
    "rejected although neither is a Data Kiosk dataset; the emulator refuses every unknown dataset with 400, "
    "as the invalidSampleQuery example does",
    "notifications.sendTestNotification.dynamic.0": "dynamic sandbox marker without a request/response "
    "pair, on a sandbox-only operation the emulator does not serve",
}
# The emulator serves the Listings Items API only as far as the OAuth callback's seller check needs it
# (getListingsItem: an unknown SKU of the token's own seller is 404, another seller's id 403);
# listings are changed through feeds. None of the API's sandbox examples is reproduced.
NOT_FITTING.update(
    {
        ex.id: "the emulator's Listings Items API is the OAuth callback's seller check only"
        for ex in EXAMPLES
        if ex.api == "listingsItems"
    }
)


# Replaying --------------------------------------------------------------------------------------------------


@dataclass
class Call:
    """What to send for an example once it is mapped onto the emulator's state."""

    token: str
    params: dict[str, Any]
    # Keys whose presence depends on data or state the example cannot pin down (documented where used).
    ignore_keys: frozenset[str] = frozenset()
    # The body (or payload) is one object: the example's keys must be there, further optional ones may be.
    resource: bool = False


@dataclass
class Ctx:
    client: httpx.AsyncClient
    state: EmulatorState
    token: str  # the demo seller's access token
    example: Example

    @property
    def demo(self) -> Seller:
        return self.state.sellers[DEMO_SELLER_ID]

    async def seller(self, marketplaces: list[str], orders: int) -> tuple[Seller, str]:
        """A seeded seller in the example's marketplaces, and its access token."""
        seller = create_seller(self.state, marketplaces=marketplaces, orders=orders, seed=11)
        return seller, await access_token_for(self.client, seller.selling_partner_id)

    async def rdt(self, template: str) -> str:
        r = await create_rdt(self.client, self.token, [{"method": "GET", "path": template}])
        assert r.status_code == 200, r.text
        rdt: str = r.json()["restrictedDataToken"]
        return rdt

    async def send(self, method: str, url: str, token: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, url, headers=auth(token), **kwargs)

    async def ok(self, method: str, url: str, token: str, **kwargs: Any) -> Any:
        r = await self.send(method, url, token, **kwargs)
        assert r.status_code < 300, r.text
        return r.json() if r.content else None

    def finish(self) -> None:
        """Let every report, feed and query created so far finish processing."""
        config = self.state.config
        longest = max(config.report_processing_seconds, config.feed_processing_seconds,
                      config.query_processing_seconds)  # fmt: skip
        self.state.clock.advance(longest / config.time_scale + 1)


def example_marketplaces(params: dict[str, Any]) -> list[str]:
    """Marketplace ids an example sends (query arrays or the body), those the emulator knows."""
    raw_body = params.get("body")
    body: dict[str, Any] = raw_body if isinstance(raw_body, dict) else {}
    found: list[str] = []
    for value in (params.get("MarketplaceIds"), params.get("marketplaceIds"), body.get("marketplaceIds")):
        if isinstance(value, list):
            found += [m for m in value if m in MARKETPLACES and m not in found]
    return found


def as_is(ex: Example) -> Callable[[Ctx], Awaitable[Call]]:
    """The example's request unchanged, by a seller that sells in the marketplaces it names (so a 400 comes
    from what the example gets wrong, not from a marketplace the demo seller lacks)."""

    async def build(ctx: Ctx) -> Call:
        markets = example_marketplaces(ex.parameters)
        token = ctx.token
        if not set(markets) <= set(ctx.demo.marketplace_ids()):
            _, token = await ctx.seller(markets, 20)
        return Call(token, dict(ex.parameters))

    return build


def visible_orders(ctx: Ctx, seller: Seller, marketplace: str | None = None) -> list[Order]:
    """Orders a search can return now (purchased at least two minutes ago, inside two years), newest first."""
    now = ctx.state.clock.time()
    found = [
        o
        for o in seller.orders
        if now - HISTORY_SECONDS <= o.purchase_ts <= now - 120
        and (marketplace is None or o.marketplace_id == marketplace)
    ]
    return sorted(found, key=lambda o: o.purchase_ts, reverse=True)


def created_after_for(ctx: Ctx, count: int) -> str:
    """A CreatedAfter that selects about ``count`` US orders of the demo seller."""
    orders = visible_orders(ctx, ctx.demo, US)
    assert len(orders) > count, f"the demo seller needs more than {count} US orders"
    return iso_ts(orders[count - 1].purchase_ts)


def order_like(ctx: Ctx, status: str, channel: str) -> str:
    """A seeded order in the example order's status and channel if there is one, else one with an address."""
    now = ctx.state.clock.time()
    orders = visible_orders(ctx, ctx.demo)
    for order in orders:
        if order.status_at(now) == status and order.fulfillment_channel == channel:
            return order.amazon_order_id
    return next(o.amazon_order_id for o in orders if (o.status_at(now) or "") in ADDRESS_STATUSES)
