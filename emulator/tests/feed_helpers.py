"""Feeds API calls the feed tests share (each validated against the official model), and listings feed
messages in the shape the product builds them."""

from __future__ import annotations

import gzip
from typing import Any

import httpx

from emulator_contract import validate
from emulator_helpers import US, auth


async def submit(
    client: httpx.AsyncClient, token: str, feed_type: str, content: bytes, content_type: str
) -> str:
    r = await client.post(
        "/feeds/2021-06-30/documents", json={"contentType": content_type}, headers=auth(token)
    )
    assert r.status_code == 201, r.text
    validate("feeds", r)
    document = r.json()
    put = await client.put(document["url"], content=content, headers={"content-type": content_type})
    assert put.status_code == 200, put.text
    body = {"feedType": feed_type, "marketplaceIds": [US], "inputFeedDocumentId": document["feedDocumentId"]}
    r = await client.post("/feeds/2021-06-30/feeds", json=body, headers=auth(token))
    assert r.status_code == 202, r.text
    validate("feeds", r)
    feed_id: str = r.json()["feedId"]
    return feed_id


async def feed(client: httpx.AsyncClient, token: str, feed_id: str) -> dict[str, Any]:
    r = await client.get(f"/feeds/2021-06-30/feeds/{feed_id}", headers=auth(token))
    assert r.status_code == 200, r.text
    validate("feeds", r)
    body: dict[str, Any] = r.json()
    return body


async def result(client: httpx.AsyncClient, token: str, document_id: str) -> bytes:
    r = await client.get(f"/feeds/2021-06-30/documents/{document_id}", headers=auth(token))
    assert r.status_code == 200, r.text
    validate("feeds", r)
    raw = await client.get(r.json()["url"])
    assert raw.status_code == 200
    if r.json().get("compressionAlgorithm") == "GZIP":
        return gzip.decompress(raw.content)
    return raw.content


def price_patch(
    message_id: int, sku: str, value: Any, currency: str = "USD", market: str = US
) -> dict[str, Any]:
    offer = {
        "marketplace_id": market,
        "currency": currency,
        "our_price": [{"schedule": [{"value_with_tax": value}]}],
    }
    return patch_message(message_id, sku, "/attributes/purchasable_offer", [offer])


def quantity_patch(message_id: int, sku: str, quantity: Any, lead_time: Any = None) -> dict[str, Any]:
    value: dict[str, Any] = {"fulfillment_channel_code": "DEFAULT", "quantity": quantity}
    if lead_time is not None:
        value["lead_time_to_ship_max_days"] = lead_time
    return patch_message(message_id, sku, "/attributes/fulfillment_availability", [value])


def patch_message(message_id: int, sku: str, path: str, value: list[dict[str, Any]]) -> dict[str, Any]:
    patch = {"op": "replace", "path": path, "value": value}
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": "PRODUCT",
        "patches": [patch],
    }
