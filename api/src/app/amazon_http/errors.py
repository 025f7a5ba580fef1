"""The typed error tree for Amazon calls (SP-API, Ads API, LWA).

Every error carries Amazon's `errors[]` entries and the `x-amzn-RequestId`, so a failed job can show
what Amazon said and support can quote the request id. No error ever holds a token or a body that
could contain PII: only Amazon's error entries, which describe the failure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class ErrorDetail:
    code: str
    message: str
    details: str | None = None


class AmazonError(Exception):
    """Base of every failure talking to Amazon."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        errors: list[ErrorDetail] | None = None,
        request_id: str | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.errors = errors or []
        self.request_id = request_id
        self.operation = operation
        # Set when a retryable failure was handed back instead of waited for: seconds until a retry
        # makes sense (workers reschedule with it).
        self.retry_after: float | None = None

    @property
    def code(self) -> str | None:
        return self.errors[0].code if self.errors else None


class Unauthorized(AmazonError):
    """401: the token or the authorization header is missing, malformed or invalid."""


class Forbidden(AmazonError):
    """403: access denied (missing role, revoked authorization, RDT not covering the call)."""


class NotFound(AmazonError):
    """404."""


class InvalidInput(AmazonError):
    """400/413/415/422: the request breaks Amazon's rules; retrying the same request cannot help."""


class Conflict(AmazonError):
    """409: the resource exists already (a duplicate destination or subscription)."""


class DuplicateRequest(Conflict):
    """425 (Ads reporting): an identical request is still processing; its id is in the message."""


class Throttled(AmazonError):
    """429, or our own limiter saying the next slot is further away than the caller may wait.

    `retry_after` is in seconds from now: a worker reschedules itself with it instead of sleeping.
    """

    retry_after: float

    def __init__(self, message: str, *, retry_after: float, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(AmazonError):
    """5xx after the bounded retries."""


class TransportError(AmazonError):
    """No HTTP answer (connection refused, reset, timeout) after the bounded retries."""


_BY_STATUS: dict[int, type[AmazonError]] = {
    400: InvalidInput,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: InvalidInput,
    415: InvalidInput,
    422: InvalidInput,
    425: DuplicateRequest,
}


def parse_error_entries(response: httpx.Response) -> list[ErrorDetail]:
    """Amazon's error entries from any of its shapes (SP-API `errors[]`, Ads `{code, details|detail}`)."""
    try:
        body = json.loads(response.content or b"null")
    except (ValueError, UnicodeDecodeError):
        return []
    out: list[ErrorDetail] = []
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        for item in body["errors"]:
            if isinstance(item, dict):
                details = item.get("details")
                out.append(
                    ErrorDetail(
                        str(item.get("code", "")),
                        str(item.get("message", "")),
                        None if details is None else str(details),
                    )
                )
    elif isinstance(body, dict) and "code" in body:
        detail = body.get("details", body.get("detail"))
        out.append(ErrorDetail(str(body["code"]), str(body.get("message") or detail or ""), None))
    return out


def error_from_response(
    response: httpx.Response, *, operation: str | None, retry_after: float | None = None
) -> AmazonError:
    status = response.status_code
    errors = parse_error_entries(response)
    request_id = request_id_of(response)
    summary = "; ".join(f"{e.code}: {e.message}" for e in errors) or response.reason_phrase
    message = f"{operation or 'Amazon call'} failed with HTTP {status} ({summary})"
    common: dict[str, Any] = {
        "status": status,
        "errors": errors,
        "request_id": request_id,
        "operation": operation,
    }
    if status == 429:
        return Throttled(message, retry_after=retry_after or 0.0, **common)
    if status >= 500:
        return ServerError(message, **common)
    return _BY_STATUS.get(status, InvalidInput)(message, **common)


def request_id_of(response: httpx.Response) -> str | None:
    # httpx headers are case-insensitive; Ads and S3 use their own names for the same thing.
    for name in ("x-amzn-RequestId", "x-amz-request-id", "x-amz-rid"):
        value = response.headers.get(name)
        if value:
            return str(value)
    return None
