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
