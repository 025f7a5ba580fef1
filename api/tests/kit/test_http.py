"""Request ids, the one error shape, security headers, health and metrics endpoints."""

from __future__ import annotations

import httpx
from fastapi import FastAPI


def _before_panel_fallback(app: FastAPI) -> None:
    """Routes added by a test go after the panel's catch-all; move the newest one in front."""
    app.router.routes.insert(0, app.router.routes.pop())


async def test_health_is_up(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_database_and_redis_answer(client: httpx.AsyncClient) -> None:
    response = await client.get("/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


async def test_request_id_is_accepted_and_returned(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "abc-123.def"})
    assert response.headers["x-request-id"] == "abc-123.def"
    generated = await client.get("/health")
    assert len(generated.headers["x-request-id"]) == 32


async def test_malformed_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert response.headers["x-request-id"] != "bad id\twith spaces"


async def test_unknown_api_route_has_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/nope", headers={"X-Request-ID": "rid-404"})
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "not found", "request_id": "rid-404"}
    }


async def test_unauthenticated_has_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/auth/me")
    assert response.status_code == 401
    body = response.json()
    assert body["error"]["code"] == "unauthenticated"
    assert body["error"]["request_id"] == response.headers["x-request-id"]


async def test_method_not_allowed_has_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.delete("/health")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_validation_errors_have_the_error_shape(app: FastAPI, client: httpx.AsyncClient) -> None:
    @app.get("/api/_probe/{number}")
    async def probe(number: int) -> dict[str, int]:
        return {"number": number}

    _before_panel_fallback(app)
    ok = await client.get("/api/_probe/7")
    assert ok.json() == {"number": 7}
    response = await client.get("/api/_probe/seven", headers={"X-Request-ID": "rid-422"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["request_id"] == "rid-422"
    assert "number" in error["message"]


async def test_unhandled_errors_are_500_with_the_error_shape(app: FastAPI, client: httpx.AsyncClient) -> None:
    @app.get("/api/_probe_boom")
    async def boom() -> None:
        raise RuntimeError("kaput")

    _before_panel_fallback(app)
    response = await client.get("/api/_probe_boom", headers={"X-Request-ID": "rid-500"})
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "internal server error", "request_id": "rid-500"}
    }
    assert response.headers["x-request-id"] == "rid-500"


async def test_security_headers_are_set(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


async def test_metrics_expose_request_counters(client: httpx.AsyncClient) -> None:
    await client.get("/health")
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert 'http_requests_total{method="GET",route="/health",status="200"}' in response.text


async def test_panel_fallback_never_shadows_the_api(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/auth/unknown")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
