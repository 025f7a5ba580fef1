"""Amazon-facing APIs: each module defines ``router`` (an APIRouter) or ``register(app)``.

app.py plugs them in.

Modules whose name starts with ``_`` are helpers and are not plugged in.
"""
