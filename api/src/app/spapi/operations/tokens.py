"""Tokens API 2021-03-01: createRestrictedDataToken. The token is returned, never kept here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.spapi.auth import MintedRdt, RestrictedResource
from app.spapi.primitives import Operation, SpApiCaller

CREATE_RDT = Operation(
    "tokens", "createRestrictedDataToken", "POST", "/tokens/2021-03-01/restrictedDataToken"
)


class TokensApi:
    def __init__(self, client: SpApiCaller) -> None:
        self._client = client

    async def create_restricted_data_token(
        self, resources: Sequence[RestrictedResource], *, target_application: str | None = None
    ) -> MintedRdt:
        if not 1 <= len(resources) <= 50:
            raise ValueError("an RDT covers 1 to 50 restricted resources")
        body: dict[str, Any] = {"restrictedResources": [r.as_json() for r in resources]}
        if target_application:
            body["targetApplication"] = target_application
        answer = await self._client.call_json(CREATE_RDT, json=body)
        return MintedRdt(token=str(answer["restrictedDataToken"]), expires_in=float(answer["expiresIn"]))
