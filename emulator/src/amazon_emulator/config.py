"""Emulator configuration.

Durations in this object are *Amazon* seconds (what the real service uses); the
:class:`~amazon_emulator.clock.Clock` turns them into real seconds by dividing by ``time_scale``. What the
emulator announces to clients is always in real units, so a scaled emulator looks like a faster Amazon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# The fixed values the product's dev mode relies on (``amazon-emulator --demo``).
DEMO_APPLICATION_ID = "amzn1.sp.solution.emulator-demo"
DEMO_CLIENT_ID = "amzn1.application-oa2-client.emulatordemo"
DEMO_CLIENT_SECRET = "emulator-demo-client-secret"
DEMO_REDIRECT_URIS = (
    "http://127.0.0.1:8000/api/oauth/callback",
    "http://localhost:8000/api/oauth/callback",
    "http://127.0.0.1:8000/api/ads/oauth/callback",
    "http://localhost:8000/api/ads/oauth/callback",
)
DEMO_SELLER_ID = "A1DEMOSELLER0001"
DEFAULT_MARKETPLACES = ("ATVPDKIKX0DER", "A2Q3Y263D00KWC", "A2EUQ1WTGCTBG2", "A1AM78C64UM0Y8")


@dataclass
class EmulatorConfig:
    """Everything that shapes one emulator instance.

    ``time_scale`` multiplies every Amazon rate and divides every Amazon duration (token lifetimes, processing
    times, URL and pagination-token expiry); timestamps such as order dates stay on the wall clock. Clients
    are told the real values: ``x-amzn-RateLimit-Limit`` is the rate times the scale, ``Retry-After`` counts
    real seconds, and ``expires_in`` / ``expiresIn`` / ``X-Amz-Expires`` are the real lifetime in whole
    seconds (rounded down, at least 1; the credential or URL then lives exactly that long), so a client needs
    no knowledge of the scale.
    """

    seed: int = 42
    time_scale: float = 1.0
    demo: bool = False
    # Size of the demo seller created by ``--demo``.
    demo_orders: int = 3000
    demo_months: int = 24
    # Amazon-side lifetimes, in Amazon seconds (announced to clients in real seconds).
    access_token_lifetime: float = 3600.0
    rdt_lifetime: float = 3600.0
    auth_code_lifetime: float = 300.0  # real seconds (not scaled)
    next_token_lifetime: float = 24 * 3600.0
    document_url_lifetime: float = 300.0
    report_processing_seconds: float = 60.0
    feed_processing_seconds: float = 60.0
    query_processing_seconds: float = 60.0
    # Base of the document URLs handed out (``--public-url``; the CLI defaults it to http://<host>:<port>).
    # None: the address the server listens on. Never taken from the request's Host header.
    public_base_url: str | None = None
    # Where refresh grants are kept across restarts (``--grants-file``); None: in memory only.
    grants_file: Path | None = None
    # How many entries the request log keeps (oldest dropped first).
    request_log_size: int = 20000
    # Extra settings for modules added later (reports, feeds, ads...) without changing this class.
    extra: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.time_scale <= 0:
            raise ValueError("time_scale must be > 0")
