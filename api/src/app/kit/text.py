"""Text a person types, as request fields: no control character. PostgreSQL stores no NUL in text,
so a NUL that reached a query answered 500 where the input deserved a 422 (found by the fuzzing,
api/tests/security/test_fuzz.py); the other control characters have no place in a name or an
address either."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

_NO_CONTROL = r"\x00-\x1f\x7f"

# An address a person can be written to: one @, a dot in the domain, no blank.
EmailAddress = Annotated[
    str,
    Field(
        min_length=3,
        max_length=320,
        pattern=rf"^[^@\s{_NO_CONTROL}]+@[^@\s{_NO_CONTROL}]+\.[^@\s{_NO_CONTROL}]+$",
    ),
]

# An address as typed at sign-in or for a reset (checked against the accounts, not its shape).
EmailLookup = Annotated[str, Field(min_length=3, max_length=320, pattern=rf"^[^{_NO_CONTROL}]+$")]


# One line of text (a name): combine with the field's own bounds, `Field(max_length=...)`.
OneLine = Annotated[str, Field(pattern=rf"^[^{_NO_CONTROL}]*$")]
