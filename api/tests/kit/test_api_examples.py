"""docs/api-examples.md has a curl example for every path of the OpenAPI document."""

from __future__ import annotations

import re
from pathlib import Path

from app.main import create_app

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "api-examples.md"


def test_every_openapi_path_has_a_curl_example() -> None:
    text = EXAMPLES.read_text()
    paths = create_app().openapi()["paths"]
    missing = []
    for path, operations in paths.items():
        for method in operations:
            # Path parameters appear in examples as concrete values: match them loosely.
            pattern = re.escape(f"{method.upper()} {path}").replace(r"\{", "{").replace(r"\}", "}")
            pattern = re.sub(r"\{[^}]+\}", r"\\{?[^ /]+\\}?", pattern)
            if not re.search(pattern, text):
                missing.append(f"{method.upper()} {path}")
    assert missing == [], f"add curl examples to docs/api-examples.md for: {missing}"
