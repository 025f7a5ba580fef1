"""The Postman export has one request per OpenAPI operation."""

from __future__ import annotations

from app.main import create_app
from app.postman import collection


def test_collection_has_every_operation() -> None:
    openapi = create_app().openapi()
    exported = collection(openapi)
    requests = [item["request"] for folder in exported["item"] for item in folder["item"]]
    expected = sum(len(ops) for ops in openapi["paths"].values())
    assert len(requests) == expected
    methods_paths = {(r["method"], r["url"]["raw"]) for r in requests}
    assert ("GET", "{{baseUrl}}/api/auth/me") in methods_paths


def test_request_bodies_name_their_required_fields() -> None:
    import json

    exported = collection(create_app().openapi())
    reports = next(folder for folder in exported["item"] if folder["name"] == "reports")
    create = next(
        item for item in reports["item"] if item["request"]["url"]["raw"].endswith("/reports/create")
    )
    body = json.loads(create["request"]["body"]["raw"])
    assert set(body) == {"connectionId", "reportType", "marketplaceIds"}
    schedule = next(
        item
        for item in reports["item"]
        if item["request"]["method"] == "POST"
        and item["request"]["url"]["raw"].endswith("/reports/schedules")
    )
    assert json.loads(schedule["request"]["body"]["raw"])["every"] == "day"
