"""Validate requests against Amazon's official models (OpenAPI 3 conversions), read at test time.

Objects in the models are closed (`additionalProperties: false` wherever properties are listed), so a
misspelt or invented field in a request body fails. Tests skip with a clear reason when the models
folder is absent (set AMAZON_MODELS_DIR or keep it at <repo>/../shared/amazon-models).
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]

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


def models_dir() -> Path:
    env = os.environ.get("AMAZON_MODELS_DIR")
    path = Path(env) if env else (REPO_ROOT / ".." / "shared" / "amazon-models").resolve()
    if not (path / "sp-api-oas3").is_dir():
        pytest.skip(
            "Amazon models not found (set AMAZON_MODELS_DIR); contract tests need the official models"
        )
    return path


def _composed_refs(node: Any, inside: bool = False, found: set[str] | None = None) -> set[str]:
    """Schemas used as parts of allOf/anyOf/oneOf: closing those would reject their siblings' fields."""
    found = set() if found is None else found
    if isinstance(node, dict):
        if inside and isinstance(node.get("$ref"), str):
            found.add(node["$ref"])
        for key, value in node.items():
            _composed_refs(value, inside or key in ("allOf", "anyOf", "oneOf"), found)
    elif isinstance(node, list):
        for item in node:
            _composed_refs(item, inside, found)
    return found


def _close(node: Any, skip: set[str], here: str = "#", in_composition: bool = False) -> None:
    if isinstance(node, dict):
        composite = any(k in node for k in ("allOf", "anyOf", "oneOf"))
        closable = (
            node.get("type") == "object" and "properties" in node and "additionalProperties" not in node
        )
        if closable and not in_composition and here not in skip:
            node["additionalProperties"] = False
        for key, value in node.items():
            inner = in_composition or (composite and key in ("allOf", "anyOf", "oneOf"))
            _close(value, skip, f"{here}/{key}", inner)
    elif isinstance(node, list):
        for item in node:
            _close(item, skip, here, in_composition)


@functools.cache
def spec(path: str) -> Any:
    from openapi_core import Config, OpenAPI

    full = models_dir() / path
    if full.suffix in (".yaml", ".yml"):
        import yaml

        # YAML reads response codes as integers; OpenAPI wants them as strings.
        data = json.loads(json.dumps(yaml.safe_load(full.read_text(encoding="utf-8")), default=str))
    else:
        data = json.loads(full.read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    _close(data, _composed_refs(data))
    # Vendor JSON types (Ads: application/vnd.spCampaign.v3+json, ...) are JSON too.
    vendor_types = set(re.findall(r'"(application/vnd\.[^"]+\+json)"', json.dumps(data)))
    # Some official files carry small schema slips (a string default on a number): do not
    # reject the model itself, only requests that break it.
    vendor_types |= {t.lower() for t in vendor_types}
    config = Config(
        extra_media_type_deserializers=dict.fromkeys(vendor_types, json.loads), spec_validator_cls=None
    )
    return OpenAPI.from_dict(data, config=config)


class RequestAdapter:
    """openapi-core's view of an httpx request."""

    def __init__(self, request: httpx.Request, host_url: str) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self._request = request
        self._host = host_url
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(request.url.query.decode(), keep_blank_values=True)),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
        )

    @property
    def host_url(self) -> str:
        return self._host

    @property
    def path(self) -> str:
        return self._request.url.path

    @property
    def method(self) -> str:
        return self._request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self._request.content or None

    @property
    def content_type(self) -> str:
        return self._request.headers.get("content-type", "application/json")


def validate_request(model_file: str, request: httpx.Request, host_url: str) -> None:
    spec(f"sp-api-oas3/{model_file}" if "/" not in model_file else model_file).validate_request(
        RequestAdapter(request, host_url)
    )
