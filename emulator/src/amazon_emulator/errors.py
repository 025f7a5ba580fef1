"""Amazon error shapes and the exception handlers that render them.

SP-API errors always go out as ``{"errors": [{"code", "message", "details"?}]}`` with the status code the
models declare. Login with Amazon errors are ``{"error", "error_description"}``. Raise :class:`SpApiError` (or
use the helpers) from any SP-API route; raise :class:`LwaError` from token endpoints.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

# x-amzn-ErrorType values Amazon sends with common statuses.
_ERROR_TYPES = {
    400: "InvalidInputException",
    401: "UnauthorizedException",
    403: "AccessDeniedException",
    404: "NotFoundException",
    429: "QuotaExceededException",
    500: "InternalFailureException",
    503: "ServiceUnavailableException",
}

DEFAULT_MESSAGES = {
    400: ("InvalidInput", "Invalid Input"),
    401: ("Unauthorized", "Access to requested resource is denied."),
    403: ("Unauthorized", "Access to requested resource is denied."),
    404: ("NotFound", "Resource not found."),
    409: ("Conflict", "The resource already exists."),
    413: ("RequestTooLarge", "The request size exceeded the maximum accepted size."),
    415: ("UnsupportedMediaType", "The request payload is in an unsupported format."),
    429: ("QuotaExceeded", "You exceeded your quota for the requested resource."),
    500: ("InternalFailure", "We encountered an internal error. Please try again."),
    502: ("InternalFailure", "Bad gateway."),
    503: ("ServiceUnavailable", "Service temporarily unavailable. Please try again."),
    504: ("InternalFailure", "Gateway timeout."),
}


class SpApiError(Exception):
    """An SP-API error response. ``details`` is omitted from the body when ``None``."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        message: str | None = None,
        details: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        default_code, default_message = DEFAULT_MESSAGES.get(status, ("InternalFailure", "Error"))
        self.status = status
        self.code = code or default_code
        self.message = message or default_message
        self.details = details
        self.headers = headers or {}
        super().__init__(f"{self.status} {self.code}: {self.message}")

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return {"errors": [error]}


def invalid_input(message: str = "Invalid Input", details: str | None = None) -> SpApiError:
    """400 ``InvalidInput`` with Amazon's wording style."""
    return SpApiError(400, "InvalidInput", message, details)


def not_found(message: str = "Resource not found.") -> SpApiError:
    return SpApiError(404, "NotFound", message)


def unauthorized(details: str | None = "") -> SpApiError:
    """The canonical 403 ``Unauthorized`` (missing, invalid or expired token; RDT not covering the call)."""
    return SpApiError(403, "Unauthorized", "Access to requested resource is denied.", details)


def quota_exceeded() -> SpApiError:
    return SpApiError(429, "QuotaExceeded", "You exceeded your quota for the requested resource.", "")


class LwaError(Exception):
    """A Login with Amazon OAuth error (``/auth/o2/token``)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        self.status = status
        self.error = error
        self.description = description
        super().__init__(f"{status} {error}: {description}")


def sp_api_error_response(exc: SpApiError) -> JSONResponse:
    headers = {"x-amzn-ErrorType": _ERROR_TYPES.get(exc.status, "InternalFailureException"), **exc.headers}
    return JSONResponse(exc.body(), status_code=exc.status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Render our exceptions, FastAPI validation errors and unknown routes in Amazon's shapes."""

    async def _sp(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, SpApiError)
        request.state.note = exc.details or exc.message
        return sp_api_error_response(exc)

    async def _lwa(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, LwaError)
        request.state.note = f"{exc.error}: {exc.description}"
        return JSONResponse(
            {"error_description": exc.description, "error": exc.error},
            status_code=exc.status,
            headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
        )

    async def _validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        if request.url.path.startswith("/_emulator"):
            return JSONResponse({"detail": exc.errors()}, status_code=422)
        parts = []
        for err in exc.errors():
            loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "body", "path"))
            parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
        error = invalid_input("Invalid Input", "; ".join(parts))
        request.state.note = error.details
        return sp_api_error_response(error)

    async def _http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if request.url.path.startswith("/_emulator"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)
        code, message = DEFAULT_MESSAGES.get(exc.status_code, ("InternalFailure", str(exc.detail)))
        return sp_api_error_response(SpApiError(exc.status_code, code, message))

    app.add_exception_handler(SpApiError, _sp)
    app.add_exception_handler(LwaError, _lwa)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
