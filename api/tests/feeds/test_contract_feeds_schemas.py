"""Contract: every feed the bulk builder makes is a valid JSON_LISTINGS_FEED by Amazon's official schemas,
judged by the reference `jsonschema` Draft 7 validator on the files in ../shared (not by the product's own
fastjsonschema path); and Amazon's example processing report parses into the right per-message results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from app.feeds.bulk import BulkRow, build_listings_feed
from app.feeds.feed_schema import FeedSchemas, check_listings_feed, listing_messages
from app.feeds.results import parse_processing_report
from tests.amazon.contract import models_dir

US, GB, JP = "ATVPDKIKX0DER", "A1F83G8C2ARO7P", "A1VC38T7YXB528"


@pytest.fixture(scope="module")
def folder() -> Path:
    return models_dir() / "sp-api" / "feeds-schemas"


def official(folder: Path, name: str) -> Any:
    return json.loads((folder / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def feed_validator(folder: Path) -> jsonschema.Draft7Validator:
    schema = official(folder, "listings-feed-schema-v2.json")
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.fixture(scope="module")
def message_validator(folder: Path) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(official(folder, "listings-feed-message-schema-v2.json"))


def _mixed() -> list[BulkRow]:
    """Every combination: price only, quantity only, both, with and without a handling time."""
    rows = []
    for n in range(1, 1001):
        priced, counted = n % 3 != 0, n % 2 == 1
        if not priced and not counted:
            continue
        price = f"{1 + n % 300}.{n % 100:02d}" if priced else ""
        handling = str(1 + n % 30) if counted and n % 5 else ""
        rows.append(
            BulkRow(
                n + 1,
                f"MIX-{n:05d}",
                price,
                "USD" if priced else "",
                str(n % 50) if counted else "",
                handling,
            )
        )
    return rows


SHAPES: dict[str, tuple[str, list[BulkRow]]] = {
    "price only": (US, [BulkRow(2, "PRICE-1", "19.99", "USD"), BulkRow(3, "PRICE-2", "0.01", "USD")]),
    "quantity only": (US, [BulkRow(2, "QTY-1", quantity="0"), BulkRow(3, "QTY-2", quantity="2147483647")]),
    "both with handling time": (
        GB,
        [BulkRow(2, "BOTH-1", "5", "GBP", "12", "1"), BulkRow(3, "BOTH-2", "999999999.99", "GBP", "3", "30")],
    ),
    "unicode SKUs": (
        US,
        [
            BulkRow(2, "Ünïcødé-ß-1", "7.50", "USD"),
            BulkRow(3, "日本語-SKU", quantity="4", handling_time="2"),
            BulkRow(4, 'emoji-🙂 "quoted" \\ slash', "3", "USD", "1"),
        ],
    ),
    "whole yen": (JP, [BulkRow(2, "JP-1", "1200", "JPY", "8")]),
    "a mixed thousand": (US, _mixed()),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_built_feed_is_valid_by_the_official_schemas(
    shape: str,
    folder: Path,
    feed_validator: jsonschema.Draft7Validator,
    message_validator: jsonschema.Draft7Validator,
) -> None:
    marketplace, rows = SHAPES[shape]
    built, issues = build_listings_feed(
        rows, seller_id="A1SELLER", marketplace_id=marketplace, schemas=FeedSchemas.load(folder)
    )
    assert issues == [] and built is not None
    document = json.loads(built.content.decode("utf-8"))
    assert [error.message for error in feed_validator.iter_errors(document)] == []
    for message in document["messages"]:
        assert [error.message for error in message_validator.iter_errors(message)] == []
    assert [m["sku"] for m in document["messages"]] == [row.sku for row in rows]
    assert built.messages == {n: row.sku for n, row in enumerate(rows, start=1)}


def test_the_reference_validator_refuses_what_our_check_refuses(
    folder: Path, feed_validator: jsonschema.Draft7Validator
) -> None:
    """The referee is not a rubber stamp: a message our check refuses is refused by it too."""
    built, _ = build_listings_feed(
        [BulkRow(2, "A", quantity="1")],
        seller_id="A1SELLER",
        marketplace_id=US,
        schemas=FeedSchemas.load(folder),
    )
    assert built is not None
    document = json.loads(built.content)
    del document["messages"][0]["productType"]
    broken = json.dumps(document).encode()
    assert not feed_validator.is_valid(document)
    assert check_listings_feed(broken, FeedSchemas.load(folder), seller_id=None).issues != []


def test_amazons_example_feed_passes_our_check(
    folder: Path, feed_validator: jsonschema.Draft7Validator
) -> None:
    content = (folder / "listings-feed-schema-v2.example.json").read_bytes()
    assert feed_validator.is_valid(json.loads(content))
    check = check_listings_feed(content, FeedSchemas.load(folder), seller_id="AXXXXXXXXXXXX")
    assert check.issues == []
    assert check.messages == {1: "My-SKU-A", 2: "My-SKU-B", 3: "My-SKU-C", 4: "My-SKU-D", 5: "My-SKU-E"}


def test_amazons_example_processing_report_parses_into_the_right_results(folder: Path) -> None:
    content = (folder / "listings-feed-processing-report-schema-v2.example.json").read_bytes()
    jsonschema.Draft7Validator(official(folder, "listings-feed-processing-report-schema-v2.json")).validate(
        json.loads(content)
    )
    sent = listing_messages((folder / "listings-feed-schema-v2.example.json").read_bytes())
    report = parse_processing_report(content, sent)
    assert report.summary == {
        "errors": 3,
        "warnings": 0,
        "messages_processed": 4,
        "messages_accepted": 2,
        "messages_invalid": 2,
    }
    assert [(r.message_id, r.sku, r.status) for r in report.results] == [
        (1, "My-SKU-A", "accepted"),
        (2, "My-SKU-B", "accepted"),
        (3, "My-SKU-C", "accepted"),
        (4, "My-SKU-D", "error"),  # the SKU of the feed we sent, whatever the report repeats
        (5, "My-SKU-E", "error"),
    ]
    assert report.results[3].issues == [
        {
            "code": "90220",
            "severity": "ERROR",
            "message": "'[batteries_required]' is required but not supplied.",
            "attribute_names": [],
        },
        {
            "code": "90220",
            "severity": "ERROR",
            "message": "'[supplier_declared_dg_hz_regulation]' is required but not supplied.",
            "attribute_names": [],
        },
    ]
    assert report.results[4].issues[0]["code"] == "99022"
    assert report.results[4].issues[0]["attribute_names"] == ["purchasable_offer.our_price"]
    assert report.feed_issues == []
