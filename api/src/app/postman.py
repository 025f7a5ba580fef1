"""Export the OpenAPI document as a Postman collection (v2.1, which Insomnia imports too).

`make postman` writes docs/postman_collection.json. Requests use the `{{baseUrl}}` variable and the
cookie session, so a sign-in request followed by any other works as in the panel.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from app.main import create_app

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"


_PLACEHOLDERS = {"string": "", "integer": 0, "number": 0, "boolean": False, "array": [], "object": {}}


def _schema(openapi: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        found: dict[str, Any] = (
            openapi.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
        )
        return found
    return schema


def _body(openapi: dict[str, Any], operation: dict[str, Any]) -> str:
    """A skeleton of the JSON body: its required fields (the enum's first value, or an empty one)."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = _schema(openapi, content.get("schema", {}))
    skeleton: dict[str, Any] = {}
    for name in schema.get("required", []):
        field = _schema(openapi, schema.get("properties", {}).get(name, {}))
        if field.get("enum"):
            skeleton[name] = field["enum"][0]
        else:
            skeleton[name] = _PLACEHOLDERS.get(str(field.get("type")), "")
    return json.dumps(skeleton, indent=2) if skeleton else "{}"


def _form(openapi: dict[str, Any], media: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _schema(openapi, media.get("schema", {}))
    fields = []
    for name, field in schema.get("properties", {}).items():
        is_file = field.get("format") == "binary" or "contentMediaType" in field
        fields.append(
            {"key": name, "type": "file", "src": ""}
            if is_file
            else {"key": name, "type": "text", "value": ""}
        )
    return fields


def _request(method: str, path: str, operation: dict[str, Any], openapi: dict[str, Any]) -> dict[str, Any]:
    raw_path = re.sub(r"\{([^}]+)\}", r":\1", path)
    query = [
        {"key": p["name"], "value": "", "disabled": not p.get("required", False)}
        for p in operation.get("parameters", [])
        if p.get("in") == "query"
    ]
    request: dict[str, Any] = {
        "method": method.upper(),
        "header": [{"key": "X-CSRF-Token", "value": "{{csrfToken}}"}] if method != "get" else [],
        "url": {
            "raw": "{{baseUrl}}" + raw_path,
            "host": ["{{baseUrl}}"],
            "path": [seg for seg in raw_path.split("/") if seg],
            "query": query,
        },
    }
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        request["header"].append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {
            "mode": "raw",
            "raw": _body(openapi, operation),
            "options": {"raw": {"language": "json"}},
        }
    elif "multipart/form-data" in content:
        # A form with files (a CSV to read): Postman picks the file and sets the boundary itself.
        request["body"] = {"mode": "formdata", "formdata": _form(openapi, content["multipart/form-data"])}
    elif content:
        # A file sent as it is (a feed upload), with the content type the route expects of it.
        request["header"].append({"key": "Content-Type", "value": "{{uploadContentType}}"})
        request["body"] = {"mode": "file", "file": {"src": ""}}
    return {"name": operation.get("summary") or f"{method.upper()} {path}", "request": request}


def collection(openapi: dict[str, Any]) -> dict[str, Any]:
    folders: dict[str, list[dict[str, Any]]] = {}
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            tag = (operation.get("tags") or ["other"])[0]
            folders.setdefault(tag, []).append(_request(method, path, operation, openapi))
    return {
        "info": {"name": openapi["info"]["title"], "schema": SCHEMA},
        "variable": [
            {"key": "baseUrl", "value": "http://127.0.0.1:8000"},
            {"key": "csrfToken", "value": ""},
            # What a file upload is sent as: the content type declared when its feed document was made.
            {"key": "uploadContentType", "value": "application/json; charset=UTF-8"},
        ],
        "item": [{"name": tag, "item": items} for tag, items in sorted(folders.items())],
    }


def main() -> None:
    json.dump(collection(create_app().openapi()), sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
