"""What every SP-API operation module is written with: the `Operation` descriptor, the query
conventions, and `SpApiCaller`, the part of `SpApiClient` an operation group uses. Operations import
this module and never the client itself, so the client can import them all."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol
from urllib.parse import quote

import httpx

from app.amazon_http.transport import AmazonTransport
from app.spapi.auth import RestrictedResource

OrdersVersion = Literal["2026-01-01", "v0"]
QueryValue = str | int | float | bool | datetime | Sequence[str] | None


@dataclass(frozen=True)
class Operation:
    api: str
    name: str
    method: str
    path: str

    @property
    def key(self) -> str:
        return f"{self.api}.{self.name}"

    def render(self, path_params: Mapping[str, str] | None) -> str:
        path = self.path
        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        return path


def iso_z(value: datetime) -> str:
    """ISO-8601 UTC with `Z` (Amazon refuses other offsets in several APIs)."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: Amazon times must be timezone-aware UTC")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: Any) -> datetime:
    """Amazon's ISO-8601 times (with `Z`, an offset, or naive = UTC) -> aware UTC datetime."""
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def encode_query(params: Mapping[str, QueryValue]) -> dict[str, str]:
    """SP-API query conventions: arrays comma-separated, times ISO-Z, booleans lower case."""
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, datetime):
            out[key] = iso_z(value)
        elif isinstance(value, str | int | float):
            out[key] = str(value)
        else:
            items = [str(v) for v in value]
            if items:
                out[key] = ",".join(items)
    return out


class SpApiCaller(Protocol):
    """The calls an operation group makes through its client."""

    transport: AmazonTransport

    async def call(
        self,
        op: Operation,
        *,
        path_params: Mapping[str, str] | None = None,
        params: Mapping[str, QueryValue] | None = None,
        json: Any = None,
        restricted: Sequence[RestrictedResource] | None = None,
    ) -> httpx.Response: ...

    async def call_json(self, op: Operation, **kwargs: Any) -> Any: ...
