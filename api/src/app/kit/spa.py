"""Serve the built panel (web/dist) at `/`, with index.html for client-side routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.exceptions import HTTPException

_NOT_BUILT = """<!doctype html><title>spapi-saas</title>
<p>The panel is not built. Run <code>make install</code>
(or <code>cd web && npm ci && npm run build</code>).</p>
<p>The API is up: <a href="/docs">/docs</a>.</p>"""

# Paths owned by the API: never answered with the panel's index.html.
_API_PREFIXES = ("/api/", "/health", "/ready", "/metrics", "/docs", "/redoc", "/openapi.json")


def mount_panel(app: FastAPI, dist: Path) -> None:
    dist = dist.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    async def panel(path: str, request: Request) -> Response:
        if request.url.path.startswith(_API_PREFIXES):
            raise HTTPException(status_code=404, detail="not found")
        index = dist / "index.html"
        if not index.exists():
            return HTMLResponse(_NOT_BUILT, status_code=503)
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist):
            # Hashed assets never change; index.html must always be revalidated.
            headers = (
                {"cache-control": "public, max-age=31536000, immutable"}
                if "/assets/" in str(candidate)
                else {}
            )
            return FileResponse(candidate, headers=headers)
        return FileResponse(index, headers={"cache-control": "no-cache"})
