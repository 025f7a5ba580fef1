"""The application factory.

``create_app(config)`` builds a FastAPI app holding one :class:`~amazon_emulator.state.EmulatorState` on
``app.state.emulator``. Every module in :mod:`amazon_emulator.apis` that defines ``register(app)`` or
``router`` is plugged in automatically, so adding an API means adding one module there.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import pkgutil
from collections.abc import AsyncIterator

from fastapi import FastAPI

from amazon_emulator import apis
from amazon_emulator.admin import router as admin_router
from amazon_emulator.config import EmulatorConfig
from amazon_emulator.errors import install_error_handlers
from amazon_emulator.middleware import AmazonHeadersMiddleware
from amazon_emulator.seeding import install_demo
from amazon_emulator.state import EmulatorState


def _plug_apis(app: FastAPI) -> None:
    for info in sorted(pkgutil.iter_modules(apis.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{apis.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)
        elif getattr(module, "router", None) is not None:
            app.include_router(module.router)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state: EmulatorState = app.state.emulator
    tasks = [asyncio.create_task(task(state)) for task in state.background]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def create_app(config: EmulatorConfig | None = None, state: EmulatorState | None = None) -> FastAPI:
    """Build the emulator app (usable in-process via ``httpx.ASGITransport`` or under uvicorn)."""
    config = config or EmulatorConfig()
    state = state or EmulatorState(config)
    app = FastAPI(
        lifespan=_lifespan,
        title="Amazon emulator",
        description="Local stand-in for Login with Amazon, Seller Central consent, SP-API and the Ads API.",
        docs_url="/_emulator/docs",
        redoc_url=None,
        openapi_url="/_emulator/openapi.json",
    )
    app.state.emulator = state
    install_error_handlers(app)
    app.include_router(admin_router)
    _plug_apis(app)
    app.add_middleware(AmazonHeadersMiddleware, state=state)
    if config.demo:
        install_demo(state)
        state.on_reset(install_demo)
    return app
