"""Feeds API 2021-06-30: upload URL, processing states, processing reports (JSON and flat file), contract."""

from __future__ import annotations

import json

import httpx
import pytest
from feed_helpers import feed, quantity_patch, result, submit

from amazon_emulator.config import DEMO_SELLER_ID, EmulatorConfig
from amazon_emulator.state import EmulatorState

from emulator_contract import validate
from emulator_helpers import US, auth

TSV = "text/tab-separated-values; charset=UTF-8"


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=100, feed_processing_seconds=60)


async def test_json_listings_feed_reports_each_bad_message(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    known = [p.sku for p in state.sellers[DEMO_SELLER_ID].catalogue]
    messages = [
        quantity_patch(1, known[0], 4),
        {"messageId": 2, "operationType": "DELETE"},
        {"messageId": 3, "sku": known[2], "operationType": "UPSERT"},
        {"messageId": 4, "sku": known[3], "operationType": "DELETE"},
    ]
    content = json.dumps({"header": {"sellerId": "A1DEMOSELLER0001", "version": "2.0"}, "messages": messages})
    feed_id = await submit(
        client, token, "JSON_LISTINGS_FEED", content.encode(), "application/json; charset=UTF-8"
    )
    assert (await feed(client, token, feed_id))["processingStatus"] == "IN_QUEUE"
    state.clock.advance(30)
    assert (await feed(client, token, feed_id))["processingStatus"] == "IN_PROGRESS"
    state.clock.advance(31)
    done = await feed(client, token, feed_id)
    assert done["processingStatus"] == "DONE" and "processingEndTime" in done
    report = json.loads(await result(client, token, done["resultFeedDocumentId"]))
    assert report["summary"] == {
        "errors": 2, "warnings": 0, "messagesProcessed": 4, "messagesAccepted": 2, "messagesInvalid": 2,
    }  # fmt: skip
    assert sorted((i["messageId"], i.get("attributeName")) for i in report["issues"]) == [
        (2, "sku"),
        (3, "operationType"),
    ]
    assert report["header"]["feedId"] == feed_id


async def test_flat_file_feed_text_report(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    content = b"sku\tquantity\tfulfillment-channel\nSKU-1\t5\tDEFAULT\n\t3\tDEFAULT\nSKU-3\tmany\tDEFAULT\n"
    feed_id = await submit(client, token, "POST_FLAT_FILE_INVLOADER_DATA", content, TSV)
    state.clock.advance(61)
    done = await feed(client, token, feed_id)
    assert done["processingStatus"] == "DONE"
    text = (await result(client, token, done["resultFeedDocumentId"])).decode()
    assert "Number of records processed\t\t3" in text and "Number of records successful\t\t1" in text
    assert "2\t\t8560\tError" in text and "3\tSKU-3\t90220\tError" in text


async def test_unreadable_feed_is_fatal_and_cancel_and_list(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    fatal = await submit(client, token, "JSON_LISTINGS_FEED", b"{not json", "application/json")
    queued = await submit(client, token, "POST_FLAT_FILE_INVLOADER_DATA", b"sku\tquantity\nA\t1\n", TSV)
    r = await client.delete(f"/feeds/2021-06-30/feeds/{queued}", headers=auth(token))
    assert r.status_code == 200
    validate("feeds", r)
    state.clock.advance(61)
    failed = await feed(client, token, fatal)
    assert failed["processingStatus"] == "FATAL"
    report = json.loads(await result(client, token, failed["resultFeedDocumentId"]))
    assert report["issues"][0]["severity"] == "ERROR"
    cancelled = await feed(client, token, queued)
    assert cancelled["processingStatus"] == "CANCELLED" and "resultFeedDocumentId" not in cancelled
    r = await client.delete(f"/feeds/2021-06-30/feeds/{fatal}", headers=auth(token))
    assert r.status_code == 400
    r = await client.get(
        "/feeds/2021-06-30/feeds",
        params={"feedTypes": "JSON_LISTINGS_FEED,POST_FLAT_FILE_INVLOADER_DATA", "pageSize": 1},
        headers=auth(token),
    )
    assert r.status_code == 200
    validate("feeds", r)
    page = r.json()
    assert [f["feedId"] for f in page["feeds"]] == [queued]
    r = await client.get(
        "/feeds/2021-06-30/feeds", params={"nextToken": page["nextToken"]}, headers=auth(token)
    )
    validate("feeds", r)
    assert [f["feedId"] for f in r.json()["feeds"]] == [fatal]


async def test_upload_url_rules(client: httpx.AsyncClient, token: str) -> None:
    r = await client.post("/feeds/2021-06-30/documents", json={"contentType": TSV}, headers=auth(token))
    url = r.json()["url"]
    wrong = await client.put(url, content=b"x", headers={"content-type": "application/json"})
    assert wrong.status_code == 403 and "SignatureDoesNotMatch" in wrong.text
    as_get = await client.get(url)
    assert as_get.status_code == 403
    r = await client.post(
        "/feeds/2021-06-30/feeds",
        json={
            "feedType": "POST_FLAT_FILE_INVLOADER_DATA",
            "marketplaceIds": [US],
            "inputFeedDocumentId": "nope",
        },
        headers=auth(token),
    )
    assert r.status_code == 400
    validate("feeds", r)
    missing = await client.get("/feeds/2021-06-30/feeds/1", headers=auth(token))
    assert missing.status_code == 404
    validate("feeds", missing)
