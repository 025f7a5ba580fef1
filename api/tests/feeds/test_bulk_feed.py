"""build_listings_feed: checked rows -> one PATCH message per row, checked again as a feed; and
build_listings_feeds: more rows than one feed takes -> several feeds, in file order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.feeds.bulk import (
    AMAZON_MAX_MESSAGES,
    BulkRow,
    build_listings_feed,
    build_listings_feeds,
    messages_per_feed,
    split_rows,
)
from app.feeds.feed_schema import FeedSchemas
from tests.amazon.contract import models_dir

US = "ATVPDKIKX0DER"


@pytest.fixture(scope="module")
def schemas() -> FeedSchemas:
    return FeedSchemas.load(models_dir() / "sp-api" / "feeds-schemas")


def build(rows: list[BulkRow], schemas: FeedSchemas | None, **kw: Any) -> Any:
    return build_listings_feed(rows, seller_id="A1SELLER", marketplace_id=US, schemas=schemas, **kw)


def test_one_patch_message_per_row_in_row_order(schemas: FeedSchemas) -> None:
    rows = [
        BulkRow(2, "A-1", "12.50", "USD", "5", "3"),
        BulkRow(3, "B-2", quantity="0"),
        BulkRow(5, "Ç-3", "1999.99", "usd"),
    ]
    built, issues = build(rows, schemas, issue_locale="fr_CA")
    assert issues == [] and built is not None
    assert (built.messages, built.message_count, built.schema_checked) == (
        {1: "A-1", 2: "B-2", 3: "Ç-3"},
        3,
        True,
    )
    document = json.loads(built.content.decode("utf-8"))
    assert document["header"] == {"sellerId": "A1SELLER", "version": "2.0", "issueLocale": "fr_CA"}
    first, second, third = document["messages"]
    assert first == {
        "messageId": 1,
        "sku": "A-1",
        "operationType": "PATCH",
        "productType": "PRODUCT",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/purchasable_offer",
                "value": [
                    {
                        "marketplace_id": US,
                        "currency": "USD",
                        "our_price": [{"schedule": [{"value_with_tax": 12.5}]}],
                    }
                ],
            },
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [
                    {"fulfillment_channel_code": "DEFAULT", "quantity": 5, "lead_time_to_ship_max_days": 3}
                ],
            },
        ],
    }
    assert second["patches"] == [
        {
            "op": "replace",
            "path": "/attributes/fulfillment_availability",
            "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": 0}],
        }
    ]
    assert [p["path"] for p in third["patches"]] == ["/attributes/purchasable_offer"]
    assert third["patches"][0]["value"][0]["currency"] == "USD"  # as Amazon spells it, whatever was typed
    assert '"sku":"Ç-3"' in built.content.decode("utf-8")  # UTF-8, not \\u escapes


def test_wrong_rows_build_nothing(schemas: FeedSchemas) -> None:
    built, issues = build([BulkRow(2, "A", "5", "EUR"), BulkRow(3, "B", quantity="x")], schemas)
    assert built is None
    assert [(issue.line, issue.field) for issue in issues] == [(2, "currency"), (3, "quantity")]


def test_no_rows_is_a_sentence(schemas: FeedSchemas) -> None:
    built, [issue] = build([], schemas)
    assert built is None and "no row to send" in issue.message


def test_more_rows_than_one_feed_takes_names_the_first_row_over(schemas: FeedSchemas) -> None:
    rows = [BulkRow(n + 2, f"S{n}", quantity="1") for n in range(AMAZON_MAX_MESSAGES + 1)]
    built, [issue] = build(rows, schemas)
    assert built is None
    assert (issue.line, issue.sku) == (AMAZON_MAX_MESSAGES + 2, f"S{AMAZON_MAX_MESSAGES}")
    assert "at most 25,000 messages in one listings feed" in issue.message


def test_a_batch_boundary_keeps_message_ids_in_order(schemas: FeedSchemas) -> None:
    rows = [BulkRow(n + 2, f"S{n}", quantity=str(n)) for n in range(12_001)]
    built, issues = build(rows, schemas)
    assert issues == [] and built is not None
    messages = json.loads(built.content)["messages"]
    assert [m["messageId"] for m in messages] == list(range(1, 12_002))
    assert messages[5_000]["sku"] == "S5000" and built.messages[12_001] == "S12000"


def test_without_schemas_the_feed_is_built_unchecked() -> None:
    built, issues = build([BulkRow(2, "A", quantity="1")], None)
    assert issues == [] and built is not None and built.schema_checked is False


def test_a_schema_problem_after_building_is_shown_on_the_row_as_our_fault(
    schemas: FeedSchemas, tmp_path: Path
) -> None:
    # A stricter (hypothetical) message schema: SKUs of at most 3 characters.
    message_schema = dict(schemas.message_schema)
    message_schema["properties"] = {**message_schema["properties"], "sku": {"type": "string", "maxLength": 3}}
    stricter = FeedSchemas(message_schema, schemas.feed_schema)
    built, [issue] = build([BulkRow(2, "AB", quantity="1"), BulkRow(4, "ABCD", quantity="1")], stricter)
    assert built is None
    assert (issue.line, issue.sku, issue.field) == (4, "ABCD", "/sku")
    assert issue.message.startswith(
        "Line 4: the feed built from it does not follow Amazon's schema, a fault of ours"
    )


def build_many(rows: list[BulkRow], schemas: FeedSchemas | None, **kw: Any) -> Any:
    return build_listings_feeds(rows, seller_id="A1SELLER", marketplace_id=US, schemas=schemas, **kw)


def test_the_limit_per_feed_is_the_schemas_or_amazons(schemas: FeedSchemas) -> None:
    assert messages_per_feed(schemas) == schemas.max_messages == 25_000
    assert messages_per_feed(None) == AMAZON_MAX_MESSAGES == 25_000


def test_split_rows_keeps_file_order_in_slices_of_at_most_the_limit() -> None:
    rows = [BulkRow(n + 2, f"S{n}", quantity="1") for n in range(7)]
    parts = split_rows(rows, 3)
    assert [[row.sku for row in part] for part in parts] == [
        ["S0", "S1", "S2"],
        ["S3", "S4", "S5"],
        ["S6"],
    ]
    assert [len(part) for part in split_rows(rows, 7)] == [7]
    assert split_rows([], 3) == []
    with pytest.raises(ValueError):
        split_rows(rows, 0)


def test_rows_over_the_limit_are_several_feeds_each_numbered_from_one(schemas: FeedSchemas) -> None:
    rows = [BulkRow(n + 2, f"S{n}", quantity=str(n)) for n in range(7)]
    built, issues = build_many(rows, schemas, per_feed=3)
    assert issues == []
    assert [feed.messages for feed in built] == [
        {1: "S0", 2: "S1", 3: "S2"},
        {1: "S3", 2: "S4", 3: "S5"},
        {1: "S6"},
    ]
    assert [feed.message_count for feed in built] == [3, 3, 1]
    assert all(feed.schema_checked for feed in built)
    last = json.loads(built[2].content)
    assert last["header"]["sellerId"] == "A1SELLER"
    assert last["messages"][0]["messageId"] == 1
    assert last["messages"][0]["patches"][0]["value"][0]["quantity"] == 6


def test_25001_rows_are_two_feeds_at_amazons_limit(schemas: FeedSchemas) -> None:
    rows = [BulkRow(n + 2, f"S{n}", quantity="1") for n in range(AMAZON_MAX_MESSAGES + 1)]
    built, issues = build_many(rows, schemas)
    assert issues == []
    assert [feed.message_count for feed in built] == [AMAZON_MAX_MESSAGES, 1]
    assert built[1].messages == {1: f"S{AMAZON_MAX_MESSAGES}"}


def test_a_sku_repeated_in_another_feeds_rows_is_still_refused(schemas: FeedSchemas) -> None:
    rows = [BulkRow(n + 2, f"S{n}", quantity="1") for n in range(5)] + [BulkRow(7, "S0", quantity="2")]
    built, [issue] = build_many(rows, schemas, per_feed=3)
    assert built == []
    assert (issue.line, issue.sku, issue.field) == (7, "S0", "sku")
    assert "already on line 2" in issue.message


def test_a_wrong_row_in_any_part_sends_nothing(schemas: FeedSchemas) -> None:
    rows = [BulkRow(n + 2, f"S{n}", quantity="1") for n in range(6)]
    rows[4] = BulkRow(6, "S4", quantity="-1")
    built, [issue] = build_many(rows, schemas, per_feed=3)
    assert built == [] and (issue.line, issue.field) == (6, "quantity")
    nothing, [empty] = build_many([], schemas)
    assert nothing == [] and "no row to send" in empty.message
