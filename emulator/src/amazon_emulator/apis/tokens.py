"""Tokens API 2021-03-01: ``createRestrictedDataToken``.

An RDT covers a list of (method, path, dataElements). Paths may be concrete (``/orders/v0/orders/123-...``)
or templated (``/orders/v0/orders/{orderId}/address``) and must name a restricted operation; ``dataElements``
is allowed only for getOrders, getOrder and getOrderItems. The RDT lives ``rdt_lifetime`` Amazon seconds
(3600, scaled) and belongs to the seller of the access token that created it; ``expiresIn`` announces that
lifetime in whole real seconds (60 at time scale 60, at least 1), and the RDT lives exactly that long. Modules
serving other restricted operations add them with :func:`register_restricted`.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from amazon_emulator.auth import Caller, sp_operation
from amazon_emulator.credentials import RestrictedResource
from amazon_emulator.errors import SpApiError
from amazon_emulator.state import get_state

router = APIRouter(tags=["Tokens"])

ORDER_ELEMENTS = frozenset({"buyerInfo", "shippingAddress", "buyerTaxInformation"})
_RESTRICTED: list[tuple[str, re.Pattern[str], frozenset[str]]] = []


def _template_regex(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", r"[^/]+", re.escape(template.rstrip("/"))) + "$")


def register_restricted(method: str, template: str, data_elements: frozenset[str] = frozenset()) -> None:
    """Declare a restricted operation (``{name}`` segments match any id) and the dataElements it accepts."""
    _RESTRICTED.append((method.upper(), _template_regex(template), data_elements))


for _method, _path, _elements in (
    ("GET", "/orders/v0/orders", ORDER_ELEMENTS),
    ("GET", "/orders/v0/orders/{orderId}", ORDER_ELEMENTS),
    ("GET", "/orders/v0/orders/{orderId}/orderItems", frozenset({"buyerInfo"})),
    ("GET", "/orders/v0/orders/{orderId}/address", frozenset()),
    ("GET", "/orders/v0/orders/{orderId}/buyerInfo", frozenset()),
    ("GET", "/orders/v0/orders/{orderId}/orderItems/buyerInfo", frozenset()),
    ("GET", "/orders/v0/orders/{orderId}/regulatedInfo", frozenset()),
    ("GET", "/reports/2021-06-30/documents/{reportDocumentId}", frozenset()),
    ("GET", "/mfn/v0/shipments/{shipmentId}", frozenset()),
    ("POST", "/mfn/v0/shipments", frozenset()),
    ("GET", "/fba/outbound/2020-07-01/fulfillmentOrders/{sellerFulfillmentOrderId}", frozenset()),
):
    register_restricted(_method, _path, _elements)


def _invalid(details: str) -> SpApiError:
    return SpApiError(400, "InvalidRequest", "Request is missing or has invalid parameters", details)


def _allowed_elements(method: str, path: str) -> frozenset[str] | None:
    for m, pattern, elements in _RESTRICTED:
        if m == method and pattern.match(path.rstrip("/")):
            return elements
    return None


def _resources(body: Any) -> tuple[RestrictedResource, ...]:
    if not isinstance(body, dict):
        raise _invalid("Request body is not a valid JSON object.")
    raw = body.get("restrictedResources")
    if not isinstance(raw, list) or not raw:
        raise _invalid("Resource not provided.")
    if len(raw) > 50:
        raise _invalid("At most 50 restricted resources are allowed.")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise _invalid("Resource not provided.")
        method, path = item.get("method"), item.get("path")
        if method not in ("GET", "PUT", "POST", "DELETE") or not isinstance(path, str) or not path.strip():
            raise _invalid("Resource not provided.")
        allowed = _allowed_elements(method, path)
        if allowed is None:
            raise _invalid(f"Resource {method} {path} is not a restricted resource.")
        elements = item.get("dataElements")
        if elements is not None:
            if not isinstance(elements, list) or not all(isinstance(e, str) for e in elements):
                raise _invalid("dataElements must be a list of strings.")
            unknown = [e for e in elements if e not in allowed]
            if unknown:
                raise _invalid(f"Invalid dataElements for {path}: {', '.join(unknown)}.")
        out.append(RestrictedResource(method, path, frozenset(elements or ())))
    return tuple(out)


CreateRdt = Annotated[Caller, Depends(sp_operation("tokens.createRestrictedDataToken"))]


@router.post("/tokens/2021-03-01/restrictedDataToken")
async def create_restricted_data_token(request: Request, caller: CreateRdt) -> dict[str, Any]:
    state = get_state(request)
    seller_id = caller.require_seller()
    try:
        body = json.loads(await request.body() or b"null")
    except json.JSONDecodeError as exc:
        raise SpApiError(400, "InvalidInput", "Invalid Input", "Request body is not valid JSON.") from exc
    resources = _resources(body)
    target = body.get("targetApplication")
    application_id = target if isinstance(target, str) and target else caller.application_id
    rdt = state.credentials.issue_rdt(application_id, caller.client_id, seller_id, resources)
    return {"restrictedDataToken": rdt.token, "expiresIn": rdt.expires_in}
