"""Reports API calls the report tests share: create, get and download, each validated against the model."""

from __future__ import annotations

import gzip
from typing import Any

import httpx

from emulator_contract import validate
from emulator_helpers import auth


async def create(client: httpx.AsyncClient, token: str, body: dict[str, Any]) -> str:
    r = await client.post("/reports/2021-06-30/reports", json=body, headers=auth(token))
    assert r.status_code == 202, r.text
    validate("reports", r)
    report_id: str = r.json()["reportId"]
    return report_id


async def get(client: httpx.AsyncClient, token: str, report_id: str) -> dict[str, Any]:
    r = await client.get(f"/reports/2021-06-30/reports/{report_id}", headers=auth(token))
    assert r.status_code == 200, r.text
    validate("reports", r)
    body: dict[str, Any] = r.json()
    return body


async def download(client: httpx.AsyncClient, token: str, document_id: str) -> tuple[dict[str, Any], bytes]:
    r = await client.get(f"/reports/2021-06-30/documents/{document_id}", headers=auth(token))
    assert r.status_code == 200, r.text
    validate("reports", r)
    doc: dict[str, Any] = r.json()
    raw = await client.get(doc["url"])
    assert raw.status_code == 200, raw.text
    data = raw.content
    if doc.get("compressionAlgorithm") == "GZIP":
        data = gzip.decompress(data)
    return doc, data
