"""A `JSON_LISTINGS_FEED` checked before Amazon sees it: JSON syntax, Amazon's official feed and message
schemas (read at run time from FEED_SCHEMAS_DIR, compiled once per process), unique messageIds and the
seller in the header. Problems come back as sentences naming the message and the JSON pointer.

How a 100,000-message file stays fast and small, with each message validated once: the document is
read message by message (the JSON decoder's own scanner on one element of `messages` at a time); each
message is validated with the compiled message schema plus what the feed schema's `messages.items` adds
to it (today only messageId <= 2147483647), then dropped; the rest of the feed (header, the length of
`messages`) is validated once with the feed schema minus `messages.items`, on placeholders. When it loads
the two files, `FeedSchemas` proves that this split decides exactly like the whole feed schema (see
`_residual`); when it cannot, each message gets both schemas in full, slower but still exact. A test
compares the two against the reference validator on many broken feeds.
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import fastjsonschema
import structlog

from app.settings import Settings

log = structlog.get_logger("app.feeds")

MESSAGE_SCHEMA_FILE = "listings-feed-message-schema-v2.json"
FEED_SCHEMA_FILE = "listings-feed-schema-v2.json"
# A file with more problems than this lists these and says how many more there are: the user fixes
# the first ones and checks again, and a response never carries a problem per row of 100,000.
MAX_ISSUES = 1000

# A GZIP feed unpacking to more than this is refused before it is read (a "zip bomb" would otherwise
# fill the memory): Amazon's own limit for a feed is far below it.
MAX_UNPACKED_BYTES = 512 * 2**20

Validator = Callable[[Any], Any]


@dataclass(frozen=True)
class FeedIssue:
    line: int | None  # CSV line (header = line 1), or the message's 1-based position in a JSON feed
    sku: str | None
    field: str | None  # CSV column, or a JSON pointer inside the message ("/patches/0/value")
    message: str  # a sentence for a user


@dataclass(frozen=True)
class ListingsFeedCheck:
    issues: list[FeedIssue]
    messages: dict[int, str]  # messageId -> sku (what the results table joins to)
    message_count: int
    schema_checked: bool  # False only when the schemas dir is not available


class IssueList:
    """Issues up to MAX_ISSUES, then a count of the rest (closed by `result`)."""

    def __init__(self, limit: int = MAX_ISSUES) -> None:
        self.items: list[FeedIssue] = []
        self.limit = limit
        self.dropped = 0

    def add(self, issue: FeedIssue) -> None:
        if len(self.items) < self.limit:
            self.items.append(issue)
        else:
            self.dropped += 1

    def extend(self, issues: list[FeedIssue]) -> None:
        for issue in issues:
            self.add(issue)

    def result(self) -> list[FeedIssue]:
        if not self.dropped:
            return list(self.items)
        more = FeedIssue(
            None,
            None,
            None,
            f"{self.dropped:,} more problems are not listed here; fix the ones above and check the file "
            "again.",
        )
        return [*self.items, more]


# --- the schemas -----------------------------------------------------------------------------------

# Keywords that assert nothing (JSON Schema draft 7 "annotations"): ignored when comparing schemas.
_ANNOTATIONS = frozenset(
    {"title", "description", "examples", "example", "$comment", "default", "$schema", "$id"}
)
# Keywords whose meaning depends on a sibling or that replace their siblings: a schema holding one of
# them is not split (`_residual` gives up and both schemas are applied).
_ENTANGLED = frozenset(
    {"$ref", "additionalProperties", "patternProperties", "additionalItems", "if", "then", "else"}
)
# Keywords of the feed's `messages` that look at the array's length only, never at an element: the
# whole-feed check can run on placeholders in place of the messages when these are all it has.
_LENGTH_ONLY = frozenset({"type", "minItems", "maxItems", "items"})


def _assertions(schema: Any) -> Any:
    """`schema` without its annotations, at every depth (names of properties and data kept as they are)."""
    if not isinstance(schema, dict):
        return schema
    kept: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key in ("properties", "patternProperties", "definitions", "dependencies") and isinstance(
            value, dict
        ):
            kept[key] = {name: _assertions(sub) for name, sub in value.items()}
        elif key in ("enum", "const", "required"):
            kept[key] = value
        elif isinstance(value, list):
            kept[key] = [_assertions(item) for item in value]
        else:
            kept[key] = _assertions(value)
    return kept


def _residual(stricter: Any, base: Any) -> dict[str, Any] | None:
    """A schema R such that `stricter` accepts exactly what both `base` and R accept, or None.

    Why it is exact: in draft 7 the keywords of one schema object are independent assertions that must
    all hold (except those in `_ENTANGLED`, refused here), so `stricter` = `base` AND its extra keywords;
    and `properties` applies each named subschema to that property alone, so a property's subschema
    splits the same way, recursively. Any keyword of `base` that `stricter` lacks or states differently
    makes the split unprovable: None.
    """
    if not isinstance(stricter, dict) or not isinstance(base, dict):
        return {} if _assertions(stricter) == _assertions(base) else None
    s, b = _assertions(stricter), _assertions(base)
    if _ENTANGLED & (s.keys() | b.keys()):
        return {} if s == b else None
    residual: dict[str, Any] = {}
    if b.keys() - s.keys():
        return None  # base constrains something stricter does not
    for key, value in s.items():
        if key == "properties":
            continue
        if key not in b:
            residual[key] = value
        elif b[key] != value:
            return None
    s_props, b_props = s.get("properties", {}), b.get("properties", {})
    if b_props.keys() - s_props.keys():
        return None
    props: dict[str, Any] = {}
    for name, sub in s_props.items():
        if name not in b_props:
            props[name] = sub
            continue
        split = _residual(sub, b_props[name])
        if split is None:
            return None
        if split:
            props[name] = split
    if props:
        residual["properties"] = props
    return residual


def _compile(schema: dict[str, Any]) -> Validator:
    # use_default=False: validation must never write a schema's defaults into the feed it checks.
    validator: Validator = fastjsonschema.compile(schema, handlers={}, use_default=False)
    return validator


class FeedSchemas:
    """The official listings-feed message and feed schemas, compiled once per process."""

    def __init__(self, message_schema: dict[str, Any], feed_schema: dict[str, Any]) -> None:
        self.message_schema = message_schema
        self.feed_schema = feed_schema
        messages_schema = feed_schema.get("properties", {}).get("messages", {})
        items = messages_schema.get("items", {}) if isinstance(messages_schema, dict) else {}
        draft = {"$schema": feed_schema.get("$schema", "http://json-schema.org/draft-07/schema#")}
        # What the feed's message (its `messages.items`) asks beyond the message schema: today only
        # messageId <= 2147483647. None: not provably separable, so both are applied to each message.
        self.residual = _residual(items, message_schema)
        extra = items if self.residual is None else self.residual
        per_message = {**draft, "allOf": [message_schema, extra]} if extra else message_schema
        self._check_message = _compile(per_message)
        structure = copy.deepcopy(feed_schema)
        if isinstance(structure.get("properties", {}).get("messages"), dict):
            structure["properties"]["messages"].pop("items", None)
        self._check_structure = _compile(structure)
        # With only length keywords on `messages`, the whole-feed check runs on placeholders.
        self.keeps_messages = not set(_assertions(messages_schema)) <= _LENGTH_ONLY
        max_items = messages_schema.get("maxItems") if isinstance(messages_schema, dict) else None
        self.max_messages: int | None = max_items if isinstance(max_items, int) else None
        # The sentence Amazon's schema gives for each operationType ("PATCH operations require ...").
        self.operation_rules: dict[str, str] = {}
        for branch in message_schema.get("oneOf", []):
            const = branch.get("properties", {}).get("operationType", {}).get("const")
            if isinstance(const, str) and isinstance(branch.get("$comment"), str):
                self.operation_rules[const] = branch["$comment"]
        operation = message_schema.get("properties", {}).get("operationType", {})
        self.operation_types: list[str] = list(operation.get("enum", []))

    @classmethod
    def load(cls, directory: Path) -> FeedSchemas:
        """Raises FileNotFoundError when either file is absent."""
        message_schema = json.loads((directory / MESSAGE_SCHEMA_FILE).read_text(encoding="utf-8"))
        feed_schema = json.loads((directory / FEED_SCHEMA_FILE).read_text(encoding="utf-8"))
        return cls(message_schema, feed_schema)

    def message_error(self, message: Any) -> fastjsonschema.JsonSchemaValueException | None:
        try:
            self._check_message(message)
        except fastjsonschema.JsonSchemaValueException as error:
            return error
        return None

    def structure_error(self, feed: Any) -> fastjsonschema.JsonSchemaValueException | None:
        try:
            self._check_structure(feed)
        except fastjsonschema.JsonSchemaValueException as error:
            return error
        return None


@lru_cache(maxsize=4)
def _schemas_in(directory: Path | None) -> FeedSchemas | None:
    if directory is not None:
        try:
            return FeedSchemas.load(directory)
        except FileNotFoundError:
            pass
    # Once per process and folder (cached): feeds still go out, checked by Amazon alone.
    log.warning(
        "feeds.schemas_missing",
        directory=str(directory) if directory else None,
        hint="set FEED_SCHEMAS_DIR to the folder of Amazon's listings-feed-*-v2.json schemas",
    )
    return None


def feed_schemas(settings: Settings) -> FeedSchemas | None:
    """The compiled schemas of FEED_SCHEMAS_DIR (cached), or None (warned once) when it is missing."""
    return _schemas_in(settings.feeds.feed_schemas_dir)


# --- reading a feed one message at a time -------------------------------------------------------------

_WHITESPACE = re.compile(r"[ \t\n\r]*")


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)

# Called with each message's 1-based position and value; returns what the feed keeps in its place.
MessageVisitor = Callable[[int, Any], Any]


def _skip(text: str, index: int) -> int:
    return _WHITESPACE.match(text, index).end()  # type: ignore[union-attr]


def _value(text: str, index: int) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, index)
    except ValueError as error:  # NaN and Infinity
        if isinstance(error, json.JSONDecodeError):
            raise
        raise json.JSONDecodeError(str(error), text, index) from None


def _messages(text: str, index: int, visit: MessageVisitor) -> tuple[list[Any], int]:
    kept: list[Any] = []
    index = _skip(text, index + 1)
    if text.startswith("]", index):
        return kept, index + 1
    while True:
        message, index = _value(text, index)
        kept.append(visit(len(kept) + 1, message))
        index = _skip(text, index)
        if text.startswith(",", index):
            index = _skip(text, index + 1)
        elif text.startswith("]", index):
            return kept, index + 1
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, index)


def read_feed(text: str, visit: MessageVisitor) -> tuple[Any, list[str]]:
    """The document with each element of its top-level `messages` array replaced by `visit`'s answer,
    and the top-level keys written twice. Raises json.JSONDecodeError (with the line) on bad JSON."""
    index = _skip(text, 0)
    if not text.startswith("{", index):
        document, index = _value(text, index)
        _expect_end(text, index)
        return document, []
    feed: dict[str, Any] = {}
    repeated: list[str] = []
    index = _skip(text, index + 1)
    if text.startswith("}", index):
        _expect_end(text, index + 1)
        return feed, []
    while True:
        if not text.startswith('"', index):
            raise json.JSONDecodeError("Expecting property name enclosed in double quotes", text, index)
        key, index = _value(text, index)
        index = _skip(text, index)
        if not text.startswith(":", index):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, index)
        index = _skip(text, index + 1)
        if key == "messages" and text.startswith("[", index) and "messages" not in feed:
            value, index = _messages(text, index, visit)
        else:
            value, index = _value(text, index)
        if key in feed:
            repeated.append(key)
        feed[key] = value
        index = _skip(text, index)
        if text.startswith(",", index):
            index = _skip(text, index + 1)
        elif text.startswith("}", index):
            _expect_end(text, index + 1)
            return feed, repeated
        else:
            raise json.JSONDecodeError("Expecting ',' delimiter", text, index)


def _expect_end(text: str, index: int) -> None:
    index = _skip(text, index)
    if index != len(text):
        raise json.JSONDecodeError("Extra data", text, index)


def decode_feed(content: bytes) -> tuple[str | None, FeedIssue | None]:
    """The feed's text: GZIP undone, UTF-8 decoded; or the sentence saying why it cannot be read."""
    if content[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(content)) as packed:
                content = packed.read(MAX_UNPACKED_BYTES + 1)
        except (OSError, EOFError, zlib.error) as error:
            return None, FeedIssue(
                None, None, None, f"The file looks GZIP-compressed but cannot be decompressed ({error})."
            )
        if len(content) > MAX_UNPACKED_BYTES:
            return None, FeedIssue(
                None,
                None,
                None,
                f"The file unpacks to more than {MAX_UNPACKED_BYTES // 2**20:,} MiB, more than a listings "
                "feed can hold: split it into several feeds.",
            )
    if content.startswith(b"\xef\xbb\xbf"):
        return None, FeedIssue(
            1,
            None,
            None,
            "The file starts with a byte-order mark (BOM), which a JSON feed may not have: "
            "save it as UTF-8 without BOM.",
        )
    try:
        return content.decode("utf-8"), None
    except UnicodeDecodeError as error:
        line = content.count(b"\n", 0, error.start) + 1
        byte = content[error.start : error.start + 1].hex().upper()
        return None, FeedIssue(
            line,
            None,
            None,
            f"The file is not UTF-8 text: line {line} holds the byte 0x{byte}, which UTF-8 does not "
            "allow there; save the file as UTF-8.",
        )


# --- checking a feed ------------------------------------------------------------------------------


def _pointer(path: list[Any]) -> str:
    """fastjsonschema's path (["data", "patches", "0", "op"]) as a JSON pointer ("/patches/0/op")."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path[1:])


def _what(error: fastjsonschema.JsonSchemaValueException) -> str:
    text = str(error.message)
    name = str(error.name or "")
    return text[len(name) :].strip() if name and text.startswith(name) else text


def _message_issue(
    schemas: FeedSchemas, position: int, message: Any, error: fastjsonschema.JsonSchemaValueException
) -> FeedIssue:
    sku = message.get("sku") if isinstance(message, dict) else None
    sku = sku if isinstance(sku, str) and sku else None
    where = f"Message {position}" + (f" (SKU {sku})" if sku else "")
    pointer = _pointer(list(error.path or []))
    if error.rule == "oneOf" and not pointer:
        # Amazon's schema says per operationType what a message must and must not hold.
        operation = message.get("operationType") if isinstance(message, dict) else None
        rule = schemas.operation_rules.get(operation) if isinstance(operation, str) else None
        if rule:
            text = f"{where}: {rule.rstrip('.')}."
        else:
            allowed = ", ".join(schemas.operation_types) or "one of Amazon's operation types"
            text = f"{where}: operationType must be one of {allowed}."
        return FeedIssue(position, sku, "/operationType", text)
    return FeedIssue(position, sku, pointer or None, f"{where}: {pointer or 'the message'} {_what(error)}.")


def _structure_issue(
    schemas: FeedSchemas, error: fastjsonschema.JsonSchemaValueException, message_count: int
) -> FeedIssue:
    pointer = _pointer(list(error.path or []))
    if pointer == "/messages" and error.rule == "maxItems" and schemas.max_messages:
        text = (
            f"The feed has {message_count:,} messages; Amazon accepts at most {schemas.max_messages:,} "
            "in one listings feed: split it into several feeds."
        )
    elif pointer == "/messages" and error.rule == "minItems":
        text = "The feed has no message: add at least one to its messages array."
    else:
        text = f"The feed's {pointer or 'document'} {_what(error)}."
    return FeedIssue(None, None, pointer or None, text)


def check_listings_feed(
    content: bytes, schemas: FeedSchemas | None, *, seller_id: str | None
) -> ListingsFeedCheck:
    """Check a JSON_LISTINGS_FEED document (UTF-8, optionally GZIP): JSON syntax (the line of the error),
    the whole feed against the feed schema, every message against the message schema, unique
    messageIds, and header.sellerId == seller_id when given."""
    issues = IssueList()
    schema_checked = schemas is not None
    text, unreadable = decode_feed(content)
    if text is None:
        return ListingsFeedCheck([unreadable] if unreadable else [], {}, 0, schema_checked)

    messages: dict[int, str] = {}
    first_position: dict[int, int] = {}

    def visit(position: int, message: Any) -> Any:
        if schemas is not None:
            error = schemas.message_error(message)
            if error is not None:
                issues.add(_message_issue(schemas, position, message, error))
        if isinstance(message, dict):
            message_id, sku = message.get("messageId"), message.get("sku")
            if isinstance(message_id, int) and not isinstance(message_id, bool):
                if message_id in first_position:
                    label = f"Message {position}" + (f" (SKU {sku})" if isinstance(sku, str) and sku else "")
                    issues.add(
                        FeedIssue(
                            position,
                            sku if isinstance(sku, str) else None,
                            "/messageId",
                            f"{label}: messageId {message_id} is already the messageId of message "
                            f"{first_position[message_id]}; each message needs its own.",
                        )
                    )
                else:
                    first_position[message_id] = position
                    messages[message_id] = sku if isinstance(sku, str) else ""
        return message if schemas is not None and schemas.keeps_messages else None

    try:
        feed, repeated = read_feed(text, visit)
    except json.JSONDecodeError as error:
        return ListingsFeedCheck(
            [
                FeedIssue(
                    error.lineno,
                    None,
                    None,
                    f"The feed is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}.",
                )
            ],
            messages,
            len(first_position),
            schema_checked,
        )
    first_position.clear()
    listed = feed.get("messages") if isinstance(feed, dict) else None
    message_count = len(listed) if isinstance(listed, list) else 0
    for key in repeated:
        issues.add(FeedIssue(None, None, f"/{key}", f"The feed has the key {key!r} twice; keep only one."))
    if schemas is not None:
        wrong = schemas.structure_error(feed)
        if wrong is not None:
            issues.add(_structure_issue(schemas, wrong, message_count))
    elif not isinstance(listed, list):
        issues.add(
            FeedIssue(None, None, "/messages", "The feed must be a JSON object with a messages array.")
        )
    header = feed.get("header") if isinstance(feed, dict) else None
    given = header.get("sellerId") if isinstance(header, dict) else None
    if seller_id is not None and isinstance(given, str) and given != seller_id:
        issues.add(
            FeedIssue(
                None,
                None,
                "/header/sellerId",
                f"The feed's header names the seller {given}, but this connection is the seller "
                f"{seller_id}: a feed can only change the listings of the seller it is sent for.",
            )
        )
    return ListingsFeedCheck(issues.result(), messages, message_count, schema_checked)


def listing_messages(content: bytes) -> dict[int, str]:
    """messageId -> sku of a stored JSON feed (already checked; a message without them is skipped)."""
    text, _ = decode_feed(content)
    messages: dict[int, str] = {}

    def visit(position: int, message: Any) -> None:
        if isinstance(message, Mapping):
            message_id, sku = message.get("messageId"), message.get("sku")
            if (
                isinstance(message_id, int)
                and not isinstance(message_id, bool)
                and message_id not in messages
            ):
                messages[message_id] = sku if isinstance(sku, str) else ""

    if text is not None:
        try:
            read_feed(text, visit)
        except json.JSONDecodeError:
            pass  # what was read before the error is all there is
    return messages
