"""Contract checks against Amazon's official models (OpenAPI 3 conversions), read at test time.

``validate(api, response)`` validates both the request the test sent and the emulator's answer with
openapi-core.
By default it is strict: every object schema with ``properties`` is closed (``additionalProperties: false``),
so a misspelt or invented field fails. Tests skip with a clear reason when the models folder is absent
(set ``AMAZON_MODELS_DIR`` or put it at ``<repo>/../shared/amazon-models``).
"""

from __future__ import annotations

import copy
import functools
import json
import os
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
AMAZON_HOST = "https://sellingpartnerapi-na.amazon.com"

# API name -> file in sp-api-oas3/
SP_API_FILES = {
    "ordersV0": "ordersV0.oas3.json",
    "orders2026": "orders_2026-01-01.oas3.json",
    "tokens": "tokens_2021-03-01.oas3.json",
    "sellers": "sellers.oas3.json",
    "reports": "reports_2021-06-30.oas3.json",
    "feeds": "feeds_2021-06-30.oas3.json",
    "dataKiosk": "dataKiosk_2023-11-15.oas3.json",
    "notifications": "notifications.oas3.json",
    "applications": "application_2023-11-30.oas3.json",
    "listingsItems": "listingsItems_2021-08-01.oas3.json",
}


def models_dir() -> Path | None:
    env = os.environ.get("AMAZON_MODELS_DIR")
    path = Path(env) if env else (REPO_ROOT / ".." / "shared" / "amazon-models").resolve()
    return path if (path / "sp-api-oas3").is_dir() else None


def require_models() -> Path:
    found = models_dir()
    if found is None:
        pytest.skip(
            "Amazon models not found: set AMAZON_MODELS_DIR or provide <repo>/../shared/amazon-models "
            "(with sp-api-oas3/); contract tests need the official models"
        )
    return found


def _close_objects(node: Any, inside_composition: bool = False) -> None:
    if isinstance(node, dict):
        composite = any(k in node for k in ("allOf", "anyOf", "oneOf"))
        if (
            node.get("type") == "object"
            and "properties" in node
            and "additionalProperties" not in node
            and not inside_composition
        ):
            node["additionalProperties"] = False
        for key, value in node.items():
            _close_objects(value, inside_composition or (composite and key in ("allOf", "anyOf", "oneOf")))
    elif isinstance(node, list):
        for item in node:
            _close_objects(item, inside_composition)


@functools.cache
def _spec(api: str, strict: bool) -> Any:
    from openapi_core import OpenAPI

    base = require_models()
    with open(base / "sp-api-oas3" / SP_API_FILES[api], encoding="utf-8") as fh:
        spec = json.load(fh)
    if strict:
        spec = copy.deepcopy(spec)
        _close_objects(spec)
    return OpenAPI.from_dict(spec)


class _Request:
    def __init__(self, request: httpx.Request) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self._request = request
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(request.url.query.decode(), keep_blank_values=True)),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return AMAZON_HOST

    @property
    def path(self) -> str:
        return self._request.url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        content = self._request.content
        return content or None

    @property
    def content_type(self) -> str:
        return self._request.headers.get("content-type", "application/json").lower()


class _Response:
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status_code(self) -> int:
        return self._response.status_code

    @property
    def content_type(self) -> str:
        return self._response.headers.get("content-type", "application/json").lower()

    @property
    def headers(self) -> Any:
        from werkzeug.datastructures import Headers

        return Headers(dict(self._response.headers))

    @property
    def data(self) -> bytes | None:
        return self._response.content or None


class ContractCheckSkipped(UserWarning):
    """Raised as a warning when a behaviour test cannot also check the contract (models absent)."""


def validate(api: str, response: httpx.Response, *, strict: bool = True, request: bool = True) -> None:
    """Validate the request that produced ``response`` and ``response`` itself against the ``api`` model.

    Without the models this only warns, so behaviour tests still run; the ``test_contract_*`` files call
    :func:`require_models` and skip with the reason instead.
    """
    if models_dir() is None:
        warnings.warn(
            ContractCheckSkipped(f"{api} contract not checked: Amazon models not found"), stacklevel=2
        )
        return
    spec = _spec(api, strict)
    req = _Request(response.request)
    if request:
        spec.validate_request(req)
    spec.validate_response(req, _Response(response))
