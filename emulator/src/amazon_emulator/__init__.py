"""A local, stateful stand-in for Amazon: Login with Amazon, consent pages, SP-API and (later) the Ads API.

Entry points:

* :func:`amazon_emulator.app.create_app` builds the ASGI app (use it in-process with ``httpx.ASGITransport``).
* ``amazon-emulator`` (:mod:`amazon_emulator.cli`) serves it under uvicorn.

See ``ARCHITECTURE.md`` next to ``pyproject.toml`` for how the modules fit together.
"""

__version__ = "0.1.0"
