"""check_listings_feed: JSON syntax, Amazon's feed and message schemas (read from ../shared at run time),
unique messageIds, the seller; and the proof that validating messages one by one plus the feed's rest
is the same as validating the whole feed with Amazon's feed schema (jsonschema as the referee)."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import structlog

from app.feeds import feed_schema
from app.feeds.feed_schema import (
    MAX_ISSUES,
    FeedSchemas,
    _residual,
    check_listings_feed,
    feed_schemas,
    listing_messages,
)
from app.settings import FeedsSettings, Settings
from tests.amazon.contract import models_dir


@pytest.fixture(scope="module")
def schemas_dir() -> Path:
    return models_dir() / "sp-api" / "feeds-schemas"


@pytest.fixture(scope="module")
def schemas(schemas_dir: Path) -> FeedSchemas:
    return FeedSchemas.load(schemas_dir)


def patch(message_id: int, sku: str, quantity: int = 5) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "sku": sku,
        "operationType": "PATCH",
        "productType": "PRODUCT",
        "patches": [
            {
                "op": "replace",
                "path": "/attributes/fulfillment_availability",
                "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
            }
        ],
    }


def feed(*messages: dict[str, Any], seller: str = "A1SELLER") -> dict[str, Any]:
    return {
        "header": {"sellerId": seller, "version": "2.0", "issueLocale": "en_US"},
        "messages": list(messages),
    }


def encode(document: Any) -> bytes:
    return json.dumps(document).encode()


def test_a_valid_feed_passes_and_maps_message_ids_to_skus(schemas: FeedSchemas) -> None:
    check = check_listings_feed(encode(feed(patch(1, "A"), patch(2, "Ü-2"))), schemas, seller_id="A1SELLER")
    assert check.issues == []
    assert check.messages == {1: "A", 2: "Ü-2"}
    assert check.message_count == 2
    assert check.schema_checked is True


def test_gzip_is_undone(schemas: FeedSchemas) -> None:
    check = check_listings_feed(gzip.compress(encode(feed(patch(1, "A")))), schemas, seller_id=None)
    assert (check.issues, check.messages) == ([], {1: "A"})


def test_a_json_syntax_error_names_its_line(schemas: FeedSchemas) -> None:
    content = (
        b'{\n  "header": {"sellerId": "A1SELLER", "version": "2.0"},\n'
        b'  "messages": [\n    {"messageId": 1,}\n  ]\n}'
    )
    check = check_listings_feed(content, schemas, seller_id=None)
    [issue] = check.issues
    assert issue.line == 4
    assert "not valid JSON" in issue.message and "line 4" in issue.message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "Expecting value at line 1"),
        (b'{"header": {}} trailing', "Extra data"),
        (b'{"messages": [1 2]}', "Expecting ',' delimiter"),
        (b'{"messages": [NaN]}', "NaN is not a JSON number"),
    ],
)
def test_other_syntax_errors_are_sentences(schemas: FeedSchemas, content: bytes, expected: str) -> None:
    [issue] = check_listings_feed(content, schemas, seller_id=None).issues
    assert expected in issue.message


def test_not_utf8_and_bom_are_refused_with_the_line(schemas: FeedSchemas) -> None:
    [issue] = check_listings_feed(b'{"header":\n{"sellerId": "caf\xe9"}}', schemas, seller_id=None).issues
    assert issue.line == 2 and "not UTF-8" in issue.message and "0xE9" in issue.message
    [issue] = check_listings_feed(
        b"\xef\xbb\xbf" + encode(feed(patch(1, "A"))), schemas, seller_id=None
    ).issues
    assert "byte-order mark" in issue.message


def test_a_broken_gzip_is_a_sentence(schemas: FeedSchemas) -> None:
    [issue] = check_listings_feed(b"\x1f\x8b\x08\x00broken", schemas, seller_id=None).issues
    assert "GZIP" in issue.message


def test_a_gzip_that_unpacks_too_large_is_refused(
    schemas: FeedSchemas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feed_schema, "MAX_UNPACKED_BYTES", 1000)
    [issue] = check_listings_feed(gzip.compress(b" " * 1001), schemas, seller_id=None).issues
    assert "unpacks to more than" in issue.message
    assert check_listings_feed(gzip.compress(b" " * 990 + b"{}"), schemas, seller_id=None).message_count == 0


def test_message_errors_name_the_message_the_sku_and_the_pointer(schemas: FeedSchemas) -> None:
    wrong_op = patch(1, "A")
    wrong_op["patches"][0]["op"] = "upsert"
    no_type = patch(2, "B")
    del no_type["productType"]
    value_not_array = patch(3, "C")
    value_not_array["patches"][0]["value"] = {"quantity": 1}
    check = check_listings_feed(encode(feed(wrong_op, no_type, value_not_array)), schemas, seller_id=None)
    by_line = {issue.line: issue for issue in check.issues}
    assert by_line[1].field == "/patches/0/op" and by_line[1].sku == "A"
    assert by_line[1].message.startswith("Message 1 (SKU A): /patches/0/op must be one of")
    # Amazon's own sentence for a PATCH message, from the schema's oneOf branch.
    assert by_line[2].field == "/operationType"
    assert '"PATCH" operations require a "productType" and "patches"' in by_line[2].message
    assert by_line[3].field == "/patches/0/value" and "must be array" in by_line[3].message
    assert check.messages == {1: "A", 2: "B", 3: "C"}


def test_an_unknown_operation_type_lists_the_allowed_ones(schemas: FeedSchemas) -> None:
    message = patch(1, "A")
    message["operationType"] = "UPSERT"
    [issue] = check_listings_feed(encode(feed(message)), schemas, seller_id=None).issues
    assert "UPDATE, PARTIAL_UPDATE, PATCH, DELETE" in issue.message


def test_repeated_message_ids_name_the_first(schemas: FeedSchemas) -> None:
    check = check_listings_feed(
        encode(feed(patch(1, "A"), patch(2, "B"), patch(1, "C"))), schemas, seller_id=None
    )
    [issue] = check.issues
    assert (issue.line, issue.sku, issue.field) == (3, "C", "/messageId")
    assert "already the messageId of message 1" in issue.message
    assert check.messages == {1: "A", 2: "B"}


def test_header_problems_and_the_wrong_seller(schemas: FeedSchemas) -> None:
    document = feed(patch(1, "A"), seller="A2OTHER")
    document["header"]["version"] = "1.0"
    issues = check_listings_feed(encode(document), schemas, seller_id="A1SELLER").issues
    assert [issue.field for issue in issues] == ["/header/version", "/header/sellerId"]
    assert "A2OTHER" in issues[1].message and "A1SELLER" in issues[1].message


def test_feed_level_shapes(schemas: FeedSchemas) -> None:
    [empty] = check_listings_feed(encode(feed()), schemas, seller_id=None).issues
    assert "no message" in empty.message
    [not_array] = check_listings_feed(
        encode({"header": feed()["header"], "messages": {}}), schemas, seller_id=None
    ).issues
    assert not_array.field == "/messages" and "must be array" in not_array.message
    [not_object] = check_listings_feed(b"[1, 2]", schemas, seller_id=None).issues
    assert "must be object" in not_object.message
    header = b'"header": {"sellerId": "A", "version": "2.0"}'
    twice = b"{" + header + b", " + header + b', "messages": []}'
    assert any(
        "twice" in issue.message for issue in check_listings_feed(twice, schemas, seller_id=None).issues
    )


def test_more_messages_than_amazon_takes_in_one_feed(schemas: FeedSchemas) -> None:
    limit = schemas.max_messages
    assert limit == 25_000  # the official schema's messages.maxItems
    check = check_listings_feed(
        encode(feed(*(patch(n, f"S{n}") for n in range(1, limit + 2)))), schemas, seller_id=None
    )
    [issue] = check.issues
    assert "25,001 messages" in issue.message and "at most 25,000" in issue.message
    assert check.message_count == limit + 1


def test_issues_stop_at_the_cap_with_a_count_of_the_rest(schemas: FeedSchemas) -> None:
    broken = [{**patch(n, f"S{n}"), "productType": ""} for n in range(1, MAX_ISSUES + 51)]
    issues = check_listings_feed(encode(feed(*broken)), schemas, seller_id=None).issues
    assert len(issues) == MAX_ISSUES + 1
    assert issues[-1].message.startswith("50 more problems are not listed")


def test_validation_never_writes_schema_defaults_into_the_message(schemas: FeedSchemas) -> None:
    message = patch(1, "A")
    before = copy.deepcopy(message)
    assert schemas.message_error(message) is None
    assert message == before  # "requirements": "LISTING" is the schema's default: not inserted


def test_without_schemas_the_json_and_ids_are_still_checked() -> None:
    check = check_listings_feed(encode(feed(patch(1, "A"), patch(1, "B"))), None, seller_id=None)
    assert check.schema_checked is False
    assert [issue.field for issue in check.issues] == ["/messageId"]
    [issue] = check_listings_feed(b'{"messages": 3}', None, seller_id=None).issues
    assert "messages array" in issue.message


def test_listing_messages_of_a_stored_feed() -> None:
    content = gzip.compress(encode(feed(patch(7, "A"), patch(9, "B"), {"sku": "no id"})))
    assert listing_messages(content) == {7: "A", 9: "B"}
    assert listing_messages(b"not json") == {}


# --- loading -------------------------------------------------------------------------------------------


def test_load_raises_when_the_files_are_absent(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        FeedSchemas.load(tmp_path)


def test_feed_schemas_is_cached_and_warns_once_when_missing(tmp_path: Path, schemas_dir: Path) -> None:
    feed_schema._schemas_in.cache_clear()
    missing = Settings(feeds=FeedsSettings(feed_schemas_dir=tmp_path / "nowhere"))
    with structlog.testing.capture_logs() as logs:
        assert feed_schemas(missing) is None
        assert feed_schemas(missing) is None
    assert [entry["event"] for entry in logs] == ["feeds.schemas_missing"]
    present = Settings(feeds=FeedsSettings(feed_schemas_dir=schemas_dir))
    assert feed_schemas(present) is feed_schemas(present) is not None


def test_the_default_folder_is_the_shared_models_beside_the_checkout(schemas_dir: Path) -> None:
    assert FeedsSettings().feed_schemas_dir == schemas_dir.resolve()
    assert FeedsSettings(feed_schemas_dir="").feed_schemas_dir == schemas_dir.resolve()  # type: ignore[arg-type]


# --- the split: messages one by one + the rest of the feed == the whole feed -----------------------------


def test_the_official_feed_message_adds_only_the_messageid_maximum(schemas: FeedSchemas) -> None:
    assert schemas.residual == {"properties": {"messageId": {"maximum": 2147483647}}}
    assert schemas.keeps_messages is False
    [issue] = check_listings_feed(encode(feed(patch(2147483648, "A"))), schemas, seller_id=None).issues
    assert issue.field == "/messageId" and "2147483647" in issue.message


def test_residual_refuses_what_it_cannot_prove() -> None:
    assert _residual({"type": "object"}, {"type": "object", "required": ["a"]}) is None  # base is stricter
    assert _residual({"minimum": 1}, {"minimum": 2}) is None
    loose = {"properties": {"a": {}}, "additionalProperties": False}
    assert _residual({**loose, "properties": {"a": {}, "b": {}}}, loose) is None  # entangled
    assert _residual({"$ref": "#/x", "minimum": 1}, {"$ref": "#/x"}) is None
    nested = _residual(
        {"title": "t", "properties": {"a": {"type": "integer", "maximum": 3}, "b": {"type": "string"}}},
        {"description": "d", "properties": {"a": {"type": "integer"}}},
    )
    assert nested == {"properties": {"a": {"maximum": 3}, "b": {"type": "string"}}}


def test_an_unsplittable_feed_schema_still_checks_every_constraint(schemas_dir: Path) -> None:
    message_schema = json.loads((schemas_dir / "listings-feed-message-schema-v2.json").read_text())
    feed_schema_doc = json.loads((schemas_dir / "listings-feed-schema-v2.json").read_text())
    items = feed_schema_doc["properties"]["messages"]["items"]
    items["properties"]["sku"]["maxLength"] = 3
    items["additionalProperties"] = True  # entangled: no split, both schemas apply to each message
    feed_schema_doc["properties"]["messages"]["uniqueItems"] = True  # reads elements: messages kept
    strict = FeedSchemas(message_schema, feed_schema_doc)
    assert strict.residual is None and strict.keeps_messages
    issues = check_listings_feed(encode(feed(patch(1, "ABCD"), patch(2, "B"))), strict, seller_id=None).issues
    assert [issue.field for issue in issues] == ["/sku"]


def _mutations() -> list[Any]:
    base = feed(patch(1, "A"), patch(2, "B"))
    cases: list[Any] = [base, [base], "text", {}, {"header": base["header"]}, {"messages": base["messages"]}]

    def variant(change: Any) -> None:
        document = copy.deepcopy(base)
        change(document)
        cases.append(document)

    variant(lambda d: d["header"].pop("sellerId"))
    variant(lambda d: d["header"].update(version="2"))
    variant(lambda d: d["header"].update(report={"includedData": [], "apiVersion": "2021-08-01"}))
    variant(lambda d: d["header"].update(report={"includedData": ["issues"], "apiVersion": "2021-08-01"}))
    variant(lambda d: d.update(messages=[]))
    variant(lambda d: d.update(messages="x"))
    variant(lambda d: d.update(extra={"anything": 1}))
    variant(lambda d: d["messages"][0].update(messageId=0))
    variant(lambda d: d["messages"][0].update(messageId=2147483647))
    variant(lambda d: d["messages"][0].update(messageId=2147483648))
    variant(lambda d: d["messages"][0].update(messageId="1"))
    variant(lambda d: d["messages"][0].update(sku=""))
    variant(lambda d: d["messages"][0].update(operationType="DELETE"))
    variant(
        lambda d: (
            d["messages"][0].update(operationType="DELETE", patches=None) or d["messages"][0].pop("patches")
        )
    )
    variant(lambda d: d["messages"][0].update(attributes={"a": [1]}))
    variant(lambda d: d["messages"][0].update(requirements="LISTING"))
    variant(lambda d: d["messages"][0]["patches"][0].update(op="move"))
    variant(lambda d: d["messages"][0]["patches"][0].update(value=[1]))
    variant(lambda d: d["messages"][0]["patches"][0].pop("path"))
    variant(
        lambda d: (
            d["messages"][1].update(operationType="UPDATE", attributes={"x": [{}]})
            or d["messages"][1].pop("patches")
        )
    )
    variant(lambda d: d["messages"].append(7))
    return cases


def test_the_split_decides_like_the_whole_feed_schema(schemas: FeedSchemas, schemas_dir: Path) -> None:
    whole = jsonschema.Draft7Validator(json.loads((schemas_dir / "listings-feed-schema-v2.json").read_text()))
    for document in _mutations():
        ours = check_listings_feed(encode(document), schemas, seller_id=None).issues
        assert (ours == []) == whole.is_valid(document), (document, ours)
