"""The Postman export's Feeds requests work as they are: JSON bodies name their required fields,
the upload sends a file with the declared content type (a variable), the CSV is a form with a file."""

from __future__ import annotations

import json
from typing import Any

from app.main import create_app
from app.postman import collection


def feeds_requests() -> dict[tuple[str, str], dict[str, Any]]:
    exported = collection(create_app().openapi())
    folder = next(folder for folder in exported["item"] if folder["name"] == "feeds")
    return {
        (item["request"]["method"], item["request"]["url"]["raw"].removeprefix("{{baseUrl}}")): item[
            "request"
        ]
        for item in folder["item"]
    }


def test_every_feeds_route_is_exported() -> None:
    assert set(feeds_requests()) == {
        ("POST", "/api/feeds/createDocument"),
        ("PUT", "/api/feeds/:feed_id/upload"),
        ("POST", "/api/feeds/create"),
        ("POST", "/api/feeds/bulk/csv"),
        ("POST", "/api/feeds/bulk/validate"),
        ("POST", "/api/feeds/bulk"),
        ("GET", "/api/feeds"),
        ("GET", "/api/feeds/:feed_id/status"),
        ("GET", "/api/feeds/:feed_id/results"),
        ("GET", "/api/feeds/:feed_id/input"),
        ("GET", "/api/feeds/:feed_id/report"),
    }


def test_bodies_are_what_each_route_takes() -> None:
    requests = feeds_requests()
    create = requests[("POST", "/api/feeds/create")]
    assert set(json.loads(create["body"]["raw"])) == {"inputFeedDocumentId", "feedType", "marketplaceIds"}
    document = requests[("POST", "/api/feeds/createDocument")]
    assert set(json.loads(document["body"]["raw"])) == {"connectionId", "contentType"}
    upload = requests[("PUT", "/api/feeds/:feed_id/upload")]
    assert upload["body"]["mode"] == "file"
    assert {"key": "Content-Type", "value": "{{uploadContentType}}"} in upload["header"]
    csv = requests[("POST", "/api/feeds/bulk/csv")]
    assert csv["body"] == {"mode": "formdata", "formdata": [{"key": "file", "type": "file", "src": ""}]}
    assert not any(h["key"] == "Content-Type" for h in csv["header"]), "Postman sets the form's boundary"
    results = requests[("GET", "/api/feeds/:feed_id/results")]
    assert {q["key"] for q in results["url"]["query"]} >= {"tenant_id", "errors_only", "cursor", "limit"}
