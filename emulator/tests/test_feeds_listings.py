"""JSON_LISTINGS_FEED against the seller's listings: the processing report (validated against Amazon's
listings-feed-processing-report-schema-v2, read from the shared models at run time), the changes applied
when the feed is DONE (admin listings, listings and inventory reports), GZIP reports, the finished
notification's payload, usage plans, and the fault that holds a response after the handler ran."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import time
from functools import cache
from typing import Any

import httpx
import jsonschema
import pytest
from feed_helpers import feed, price_patch, quantity_patch, result, submit

from amazon_emulator.apis._notifications_publish import camel_envelope, job_payload, metadata
from amazon_emulator.config import DEMO_SELLER_ID, EmulatorConfig
from amazon_emulator.state import EmulatorState

from emulator_contract import require_models, validate
from emulator_helpers import US, auth
from report_helpers import create, download, get

JSON = "application/json; charset=UTF-8"
BR = "A2Q3Y263D00KWC"


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(seed=7, demo=True, demo_orders=100, feed_processing_seconds=60)


@cache
def report_schema() -> dict[str, Any]:
    path = require_models() / "sp-api" / "feeds-schemas" / "listings-feed-processing-report-schema-v2.json"
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def check_report(report: dict[str, Any]) -> None:
    jsonschema.Draft7Validator(report_schema()).validate(report)


def listings_feed(messages: list[dict[str, Any]], seller: str = DEMO_SELLER_ID) -> bytes:
    header = {"sellerId": seller, "version": "2.0", "issueLocale": "en_US"}
    return json.dumps({"header": header, "messages": messages}).encode()


async def listings_now(
    client: httpx.AsyncClient, market: str = US, **params: Any
) -> dict[str, dict[str, Any]]:
    r = await client.get(
        f"/_emulator/sellers/{DEMO_SELLER_ID}/listings",
        params={"marketplace_id": market, "limit": 10_000, **params},
    )
    assert r.status_code == 200, r.text
    return {item["sku"]: item for item in r.json()["items"]}


async def finished_report(
    client: httpx.AsyncClient, state: EmulatorState, token: str, feed_id: str
) -> tuple[str, dict[str, Any]]:
    state.clock.advance(61)
    done = await feed(client, token, feed_id)
    report: dict[str, Any] = json.loads(await result(client, token, done["resultFeedDocumentId"]))
    check_report(report)
    return done["processingStatus"], report


def tsv(data: bytes) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(data.decode()), delimiter="\t")
    return {row.get("seller-sku") or row["sku"]: row for row in rows}


async def test_messages_checked_like_amazon_with_codes_and_a_warning(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    before = await listings_now(client)
    skus = list(before)
    messages = [
        price_patch(1, skus[0], round(before[skus[0]]["price"] * 1.1, 2)),
        quantity_patch(2, skus[1], 7, lead_time=3),
        quantity_patch(3, "NOT-MY-SKU", 1),
        quantity_patch(4, skus[2], -3),
        quantity_patch(5, skus[3], 2.5),
        price_patch(6, skus[4], 0),
        price_patch(7, skus[5], 10.0, currency="EUR"),
        {**quantity_patch(8, skus[6], 1), "productType": None},
        {"messageId": 9, "sku": skus[7], "operationType": "PATCH", "productType": "PRODUCT"},
        {"messageId": 10, "sku": skus[8], "operationType": "PATCH", "productType": "PRODUCT",
         "patches": [{"op": "replace", "path": "/attributes/item_name", "value": [{"value": "x"}]}]},
        price_patch(11, skus[9], round(before[skus[9]]["price"] * 10, 2)),
        quantity_patch(1, skus[10], 1),
        quantity_patch(12, skus[11], 5, lead_time=45),
    ]  # fmt: skip
    del messages[7]["productType"]
    feed_id = await submit(client, token, "JSON_LISTINGS_FEED", listings_feed(messages), JSON)
    status, report = await finished_report(client, state, token, feed_id)
    assert status == "DONE"
    assert report["header"] == {"sellerId": DEMO_SELLER_ID, "version": "2.0", "feedId": feed_id}
    found = {(i["messageId"], i["code"], i["severity"], i.get("attributeName")) for i in report["issues"]}
    assert found == {
        (3, "13013", "ERROR", "sku"),
        (4, "99010", "ERROR", "fulfillment_availability"),
        (5, "99010", "ERROR", "fulfillment_availability"),
        (6, "99010", "ERROR", "purchasable_offer"),
        (7, "99011", "ERROR", "purchasable_offer"),
        (8, "90220", "ERROR", "productType"),
        (9, "90220", "ERROR", "patches"),
        (10, "99012", "ERROR", "item_name"),
        (11, "18206", "WARNING", "purchasable_offer"),
        (1, "4000002", "ERROR", None),
        (12, "99010", "ERROR", "fulfillment_availability"),
    }
    by_id = {i["messageId"]: i for i in report["issues"] if i["code"] != "4000002"}
    assert "does not exist" in by_id[3]["message"] and by_id[3]["sku"] == "NOT-MY-SKU"
    assert "'-3'" in by_id[4]["message"] and "'2.5'" in by_id[5]["message"]
    assert "'EUR'" in by_id[7]["message"] and "USD" in by_id[7]["message"]
    assert by_id[8]["message"] == "'productType' is required but not supplied."
    assert report["summary"] == {
        "errors": 10, "warnings": 1, "messagesProcessed": 13, "messagesAccepted": 3, "messagesInvalid": 10,
    }  # fmt: skip


async def test_accepted_changes_apply_when_done_and_reports_show_them(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    before, before_br = await listings_now(client), await listings_now(client, BR)
    fba = next(s for s, item in before.items() if item["fulfillment_channel"] == "AMAZON_NA")
    merchant = next(s for s, item in before.items() if item["fulfillment_channel"] == "DEFAULT")
    priced = next(s for s in before if s not in (fba, merchant))
    new_price = round(before[priced]["price"] * 1.25, 2)
    messages = [
        quantity_patch(1, fba, 33, lead_time=4),
        quantity_patch(2, merchant, 0),
        price_patch(3, priced, new_price),
        quantity_patch(4, priced, -1),  # invalid: nothing of message 4 applies
    ]
    feed_id = await submit(client, token, "JSON_LISTINGS_FEED", listings_feed(messages), JSON)
    state.clock.advance(30)
    assert (await feed(client, token, feed_id))["processingStatus"] == "IN_PROGRESS"
    assert await listings_now(client) == before
    early = await create(
        client, token, {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]}
    )
    status, report = await finished_report(client, state, token, feed_id)
    assert status == "DONE" and report["summary"]["messagesAccepted"] == 3

    after = await listings_now(client)
    assert after[fba] == {**before[fba], "quantity": 33, "handling_time": 4, "fulfillment_channel": "DEFAULT"}
    assert after[merchant] == {**before[merchant], "quantity": 0}
    assert after[priced] == {**before[priced], "price": new_price}
    changed = {fba, merchant, priced}
    assert {s: v for s, v in after.items() if s not in changed} == {
        s: v for s, v in before.items() if s not in changed
    }
    assert await listings_now(client, BR) == before_br  # the feed was for US only

    listing_id = await create(
        client, token, {"reportType": "GET_MERCHANT_LISTINGS_ALL_DATA", "marketplaceIds": [US]}
    )
    inventory_id = await create(
        client, token, {"reportType": "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA", "marketplaceIds": [US]}
    )
    state.clock.advance(61)
    _, old_doc = await download(client, token, (await get(client, token, early))["reportDocumentId"])
    _, listing_doc = await download(client, token, (await get(client, token, listing_id))["reportDocumentId"])
    _, inventory_doc = await download(
        client, token, (await get(client, token, inventory_id))["reportDocumentId"]
    )
    old, rows, stock = tsv(old_doc), tsv(listing_doc), tsv(inventory_doc)
    assert old[priced]["price"] == f"{before[priced]['price']:.2f}" and old[fba]["quantity"] == ""
    assert rows[priced]["price"] == f"{new_price:.2f}"
    assert (rows[fba]["quantity"], rows[fba]["fulfillment-channel"]) == ("33", "DEFAULT")
    assert (rows[merchant]["quantity"], rows[merchant]["status"]) == ("0", "Inactive")
    assert stock[priced]["your-price"] == f"{new_price:.2f}"
    assert (
        stock[fba]["afn-fulfillable-quantity"] == "33" and stock[merchant]["afn-fulfillable-quantity"] == "0"
    )


async def test_synthetic_skus_follow_the_listing_count_and_cancelled_feeds_never_apply(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    catalogue = len(state.sellers[DEMO_SELLER_ID].catalogue)
    r = await client.post(f"/_emulator/sellers/{DEMO_SELLER_ID}/listings", json={"count": catalogue + 30})
    assert r.status_code == 200
    inside, outside = f"GEN-{catalogue + 29:08d}", f"GEN-{catalogue + 30:08d}"
    feed_id = await submit(
        client, token, "JSON_LISTINGS_FEED",
        listings_feed([quantity_patch(1, inside, 5), quantity_patch(2, outside, 5)]), JSON,
    )  # fmt: skip
    cancelled = await submit(
        client, token, "JSON_LISTINGS_FEED", listings_feed([quantity_patch(1, inside, 77)]), JSON
    )
    assert (
        await client.delete(f"/feeds/2021-06-30/feeds/{cancelled}", headers=auth(token))
    ).status_code == 200
    status, report = await finished_report(client, state, token, feed_id)
    assert status == "DONE"
    assert [(i["messageId"], i["code"]) for i in report["issues"]] == [(2, "13013")]
    r = await client.get(
        f"/_emulator/sellers/{DEMO_SELLER_ID}/listings", params={"offset": catalogue + 29, "limit": 5}
    )
    page = r.json()
    assert page["total"] == catalogue + 30
    assert [(i["sku"], i["quantity"], i["currency"]) for i in page["items"]] == [(inside, 5, "USD")]
    assert (await feed(client, token, cancelled))["processingStatus"] == "CANCELLED"


async def test_feed_level_problems_are_fatal_in_the_report_shape(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    other_seller = await submit(
        client, token, "JSON_LISTINGS_FEED", listings_feed([quantity_patch(1, "X", 1)], "A2OTHERSELLER"), JSON
    )
    not_json = await submit(client, token, "JSON_LISTINGS_FEED", b"{nope", JSON)
    for feed_id in (other_seller, not_json):
        status, report = await finished_report(client, state, token, feed_id)
        assert status == "FATAL" and report["summary"]["errors"] == 1
        assert "messageId" not in report["issues"][0]


async def test_large_processing_report_is_gzip(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    messages = [quantity_patch(n, f"UNKNOWN-{n:05d}", 1) for n in range(1, 1501)]
    small = await submit(client, token, "JSON_LISTINGS_FEED", listings_feed(messages[:3]), JSON)
    large = await submit(client, token, "JSON_LISTINGS_FEED", listings_feed(messages), JSON)
    state.clock.advance(61)
    compression = {}
    for feed_id in (small, large):
        document_id = (await feed(client, token, feed_id))["resultFeedDocumentId"]
        r = await client.get(f"/feeds/2021-06-30/documents/{document_id}", headers=auth(token))
        validate("feeds", r)
        compression[feed_id] = r.json().get("compressionAlgorithm")
        raw = (await client.get(r.json()["url"])).content
        assert (raw[:2] == b"\x1f\x8b") == (feed_id == large)
        report = json.loads(await result(client, token, document_id))
        check_report(report)
        assert report["summary"]["messagesInvalid"] == (3 if feed_id == small else 1500)
    assert compression == {small: None, large: "GZIP"}


async def test_finished_notification_payload_is_amazons(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    events: list[dict[str, Any]] = []
    state.events.subscribe("FEED_PROCESSING_FINISHED", lambda _type, event: events.append(event))
    feed_id = await submit(
        client, token, "JSON_LISTINGS_FEED", listings_feed([quantity_patch(1, "X", 1)]), JSON
    )
    state.clock.advance(61)
    done = await feed(client, token, feed_id)
    await feed(client, token, feed_id)
    assert len(events) == 1
    now = state.clock.time()
    message = camel_envelope(
        "FEED_PROCESSING_FINISHED",
        job_payload("FEED_PROCESSING_FINISHED", events[0]),
        metadata(events[0]["application_id"], "subscription-1", now),
        now,
    )
    path = require_models() / "sp-api" / "notification-schemas" / "FeedProcessingFinishedNotification.json"
    jsonschema.validate(message, json.loads(path.read_text(encoding="utf-8")))
    assert message["payload"]["feedProcessingFinishedNotification"] == {
        "sellerId": DEMO_SELLER_ID,
        "accountId": f"amzn1.merchant.o.{DEMO_SELLER_ID}",
        "feedId": feed_id,
        "feedType": "JSON_LISTINGS_FEED",
        "processingStatus": "DONE",
        "resultFeedDocumentId": done["resultFeedDocumentId"],
    }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/feeds/2021-06-30/documents", {"contentType": JSON}),
        ("POST", "/feeds/2021-06-30/feeds", {"feedType": "JSON_LISTINGS_FEED"}),
        ("GET", "/feeds/2021-06-30/feeds/70000000001", None),
    ],
)
async def test_usage_plans_of_create_feed_document_create_feed_and_get_feed(
    client: httpx.AsyncClient, state: EmulatorState, token: str, monkeypatch: pytest.MonkeyPatch,
    method: str, path: str, body: dict[str, Any] | None,
) -> None:  # fmt: skip
    frozen = state.clock.time()
    monkeypatch.setattr(state.clock, "time", lambda: frozen)  # no refill between the calls
    statuses = [
        (await client.request(method, path, json=body, headers=auth(token))).status_code for _ in range(16)
    ]
    assert 429 not in statuses[:15] and statuses[15] == 429  # Amazon's burst of 15 for the three
    r = await client.request(method, path, json=body, headers=auth(token))
    assert r.json()["errors"][0]["code"] == "QuotaExceeded"


async def test_latency_after_holds_the_response_once_the_feed_exists(
    client: httpx.AsyncClient, token: str
) -> None:
    r = await client.post("/feeds/2021-06-30/documents", json={"contentType": JSON}, headers=auth(token))
    document = r.json()
    await client.put(document["url"], content=listings_feed([]), headers={"content-type": JSON})
    fault = {"operation": "feeds.createFeed", "latency_after_ms": 1500, "count": 1}
    assert (await client.post("/_emulator/faults", json=fault)).json()["fault"]["latency_after_ms"] == 1500
    spec = {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [US],
        "inputFeedDocumentId": document["feedDocumentId"],
    }
    started = time.monotonic()
    held = asyncio.create_task(client.post("/feeds/2021-06-30/feeds", json=spec, headers=auth(token)))
    feeds: list[dict[str, Any]] = []
    while not feeds:
        await asyncio.sleep(0.05)
        feeds = (await client.get(f"/_emulator/sellers/{DEMO_SELLER_ID}/feeds")).json()["feeds"]
    assert not held.done()  # Amazon has the feed; the caller has not heard its id yet
    answer = await held
    assert answer.status_code == 202 and time.monotonic() - started >= 1.4
    assert feeds == [
        {"feedId": answer.json()["feedId"], "feedType": "JSON_LISTINGS_FEED", "processingStatus": "IN_QUEUE",
         "createdTime": feeds[0]["createdTime"], "inputFeedDocumentId": document["feedDocumentId"],
         "contentType": JSON},
    ]  # fmt: skip
    started = time.monotonic()
    again = await client.post("/feeds/2021-06-30/feeds", json=spec, headers=auth(token))
    assert again.status_code == 202 and time.monotonic() - started < 1.0  # count 1: only the first is held
    listed = (await client.get(f"/_emulator/sellers/{DEMO_SELLER_ID}/feeds")).json()["feeds"]
    assert [f["feedId"] for f in listed] == [answer.json()["feedId"], again.json()["feedId"]]


async def test_upload_with_another_content_type_is_refused_like_s3(
    client: httpx.AsyncClient, state: EmulatorState, token: str
) -> None:
    r = await client.post("/feeds/2021-06-30/documents", json={"contentType": JSON}, headers=auth(token))
    document = r.json()
    content = listings_feed([quantity_patch(1, "X", 1)])
    refused = await client.put(document["url"], content=content, headers={"content-type": "text/plain"})
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/xml")
    assert "<Code>SignatureDoesNotMatch</Code>" in refused.text
    spec = {
        "feedType": "JSON_LISTINGS_FEED",
        "marketplaceIds": [US],
        "inputFeedDocumentId": document["feedDocumentId"],
    }
    r = await client.post("/feeds/2021-06-30/feeds", json=spec, headers=auth(token))
    state.clock.advance(61)
    assert (await feed(client, token, r.json()["feedId"]))[
        "processingStatus"
    ] == "FATAL"  # nothing was stored
    # The same type written differently (no space, other case) is the signed one.
    r = await client.post("/feeds/2021-06-30/documents", json={"contentType": JSON}, headers=auth(token))
    accepted = await client.put(
        r.json()["url"], content=content, headers={"content-type": "Application/JSON;charset=UTF-8"}
    )
    assert accepted.status_code == 200
