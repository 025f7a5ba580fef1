"""Configuration from the environment (and an optional `.env`), grouped by concern.

Variable names are the ones operators already know from the product notes (`LWA_CLIENT_ID`,
`DATABASE_URL`, ...). Defaults point at Amazon's real endpoints; pointing the base URLs at the
emulator is the only difference between a demo and production.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.kit.regions import Region

Environment = Literal["development", "test", "production"]

# Values that mean "nobody configured this": refused outside development and test.
PLACEHOLDER_SECRETS = frozenset({"", "changethis", "change-me", "changeme", "secret", "placeholder"})

_ENV_FILES = (".env", ".env.local")

# A secret we sign or encrypt with must be long and random (checked in production).
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 96
# A chunk this long seen twice in a secret means a repeated word, not randomness. Not shorter: 64
# random hex characters hold some 6-character chunk twice about once in 10,000 secrets, but an
# 8-character one about once in 4 billion.
_REPEAT_CHUNK = 8


def secret_weakness(value: str) -> str | None:
    """Why `value` is not a strong secret, or None.

    The estimate is the string's Shannon entropy (per-character frequencies times length), which a
    repeated or low-variety string scores low on, plus a check for any 8-character chunk seen
    twice (a repeated word scores well per character but repeats). 32 random bytes in hex or
    base64, or `openssl rand -base64 32`, pass easily."""
    if len(value) < MIN_SECRET_LENGTH:
        return f"shorter than {MIN_SECRET_LENGTH} characters"
    counts = Counter(value)
    bits = -sum(n * math.log2(n / len(value)) for n in counts.values())
    if bits < MIN_SECRET_BITS:
        return f"too predictable (about {bits:.0f} bits, at least {MIN_SECRET_BITS} needed)"
    chunks = [value[i : i + _REPEAT_CHUNK] for i in range(len(value) - _REPEAT_CHUNK + 1)]
    if len(set(chunks)) < len(chunks):
        return "contains a repeated sequence"
    return None


def to_psycopg_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise ValueError(f"not a PostgreSQL URL: {url.split('://')[0]}://...")


class _Group(BaseSettings):
    model_config = SettingsConfigDict(env_file=_ENV_FILES, extra="ignore", case_sensitive=False)


class RuntimeSettings(_Group):
    environment: Environment = "development"
    log_level: str = "INFO"
    # "console" (coloured lines for a terminal) or "json" (one object per line, for a log store).
    # Unset: console in development, json in test and production (see `_default_log_format`).
    log_format: Literal["json", "console"] = "json"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # Uvicorn worker processes of `spapi-saas api`, each on its own listening socket (app.kit.serve):
    # one serves ~500 order-list requests/s on a core of this machine when PostgreSQL has the other
    # (bench/RESULTS.md, B4); run about one per core.
    api_workers: int = Field(default=1, ge=1, le=64)
    # Where the panel is reached; CORS and cookies are limited to it.
    public_url: str = "http://127.0.0.1:8000"
    # Swagger UI (/docs) and the OpenAPI document (/openapi.json): on outside production; set true
    # to serve them in production too.
    api_docs_enabled: bool | None = None
    # In production /metrics answers only `Authorization: Bearer <METRICS_TOKEN>` (unset: 404).
    metrics_token: str = ""
    # Where `spapi-saas worker`, `scheduler` and `notifications` serve their own /metrics (the same
    # token rule); 0: not served (`app.kit.process_metrics`).
    process_metrics_port: int = Field(default=0, ge=0, le=65535)
    # Origins the panel's CSP also allows for scripts, images, frames and fetches (space-separated),
    # beside Clerk's Frontend API, which is read from CLERK_PUBLISHABLE_KEY.
    csp_extra_sources: str = ""
    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated addresses or
    # networks, "*" for any): the reverse proxy in front of the API. Anyone else's headers are
    # ignored, so a client cannot pick the address its sign-in failures are counted against.
    forwarded_allow_ips: str = "127.0.0.1"
    local_data_dir: Path = Path(".local")
    web_dist_dir: Path = Path("web/dist")

    @model_validator(mode="before")
    @classmethod
    def _default_log_format(cls, data: object) -> object:
        """A person reads development's logs in a terminal; production's go to a log store."""
        if isinstance(data, dict) and not data.get("log_format"):
            environment = data.get("environment") or "development"
            return {**data, "log_format": "console" if environment == "development" else "json"}
        return data


class DatabaseSettings(_Group):
    # None means "start the embedded PostgreSQL" (`spapi-saas dev` only).
    database_url: str | None = None
    db_pool_size: int = 10

    @property
    def sqlalchemy_url(self) -> str:
        """The URL with the psycopg 3 driver, whatever scheme the operator wrote."""
        if not self.database_url:
            raise RuntimeError(
                "DATABASE_URL is not set (only `spapi-saas dev` starts an embedded PostgreSQL)"
            )
        return to_psycopg_url(self.database_url)


class RedisSettings(_Group):
    # None means "start the embedded Redis" (`spapi-saas dev` only).
    redis_url: str | None = None
    redis_lock_ttl_sec: int = 900


class SecuritySettings(_Group):
    # Comma-separated Fernet keys: the first encrypts, all decrypt (rotation).
    encryption_key: str = ""
    session_secret: str = ""
    # A session's absolute lifetime, and how long it lives unused (each request keeps it alive).
    session_max_age_sec: int = 14 * 24 * 3600
    session_idle_timeout_sec: int = Field(default=12 * 3600, ge=60)
    # argon2 hashes at once per API process (each takes ~64 MiB and a core for ~50 ms), in threads
    # off the event loop: a burst of sign-ins queues here instead of stalling every other route.
    password_hash_workers: int = Field(default=2, ge=1, le=32)
    # zxcvbn's score (0-4) a new password needs: 3 is "safely unguessable" (~10^10 guesses).
    password_min_score: int = Field(default=3, ge=0, le=4)
    # Failed sign-ins for one e-mail address (from anywhere) before it is locked for the cool-down.
    signin_max_failures_per_account: int = Field(default=10, ge=1)
    signin_lockout_sec: int = Field(default=15 * 60, ge=1)
    # Failed sign-ins from one client address (any e-mail) before it is paused: stops spraying.
    signin_max_failures_per_ip: int = Field(default=50, ge=1)
    # The window both failure counts are kept for (from the first failure).
    signin_failure_window_sec: int = Field(default=15 * 60, ge=1)
    clerk_publishable_key: str = ""
    clerk_jwks_url: str = ""
    # The `iss` of Clerk's session tokens (your Frontend API URL, e.g. https://clerk.example.com);
    # required with CLERK_JWKS_URL outside development.
    clerk_issuer: str = ""
    # Origins allowed as a token's `azp` (comma-separated); empty: PUBLIC_URL alone.
    clerk_authorized_parties: str = ""
    pii_cache_days: int = Field(default=0, ge=0, le=30)
    # Buyer-address reads per user per hour (need-to-know: a person reads a few, a scraper many).
    pii_reads_per_hour: int = Field(default=30, ge=1)
    # The name authenticator apps show next to the account's TOTP codes.
    mfa_issuer: str = Field(default="spapi-saas", min_length=1, max_length=60)
    # Days between a disconnection (or Amazon revoking the grant) and the deletion of everything
    # synced for that connection; the panel shows the date, a reconnect before it cancels it.
    # At most 30: Amazon's Data Protection Policy.
    data_deletion_grace_days: int = Field(default=30, ge=0, le=30)

    @field_validator("encryption_key")
    @classmethod
    def _valid_fernet_keys(cls, value: str) -> str:
        keys = [k.strip() for k in value.split(",") if k.strip()]
        if keys == [] or value.strip().lower() in PLACEHOLDER_SECRETS:
            return value  # unset: checked per environment by Settings
        for key in keys:
            try:
                if len(base64.urlsafe_b64decode(key.encode())) != 32:
                    raise ValueError
            except (ValueError, binascii.Error):
                raise ValueError(
                    "ENCRYPTION_KEY must be comma-separated Fernet keys "
                    "(32 url-safe base64-encoded bytes each)"
                ) from None
        return value

    @property
    def encryption_keys(self) -> list[str]:
        return [k.strip() for k in self.encryption_key.split(",") if k.strip()]

    @property
    def clerk_enabled(self) -> bool:
        """Clerk is the sign-in: the built-in sign-up and sign-in are closed."""
        return bool(self.clerk_publishable_key or self.clerk_jwks_url)

    @property
    def clerk_frontend_api(self) -> str | None:
        """The Frontend API origin a publishable key encodes (`pk_live_<base64 of host$>`)."""
        _, _, encoded = self.clerk_publishable_key.partition("_")
        encoded = encoded.partition("_")[2]
        try:
            host = base64.b64decode(encoded + "=" * (-len(encoded) % 4)).decode().rstrip("$")
        except (ValueError, binascii.Error):
            return None
        return f"https://{host}" if host and "." in host and " " not in host else None


class MailSettings(_Group):
    # Where e-mail (verification, password reset, invitations) is sent: smtp://[user:pass@]host:port
    # (STARTTLS when offered) or smtps://... Empty: nothing is sent (a warning is logged instead).
    smtp_url: str = ""
    mail_from: str = "SP-API SaaS <no-reply@localhost>"


class SpApiSettings(_Group):
    lwa_client_id: str = ""
    lwa_client_secret: str = ""
    spapi_application_id: str = ""
    # Seller Central only lets sellers authorise a Draft app when the consent URL says version=beta.
    spapi_app_draft: bool = False
    oauth_redirect_uri: str = "http://127.0.0.1:8000/api/oauth/callback"
    lwa_token_url: str = "https://api.amazon.com/auth/o2/token"
    spapi_region: Region = "NA"
    spapi_base_na: str = "https://sellingpartnerapi-na.amazon.com"
    spapi_base_eu: str = "https://sellingpartnerapi-eu.amazon.com"
    spapi_base_fe: str = "https://sellingpartnerapi-fe.amazon.com"
    # Seconds a worker waits for the next bytes of an Amazon answer before giving the call up as a
    # stuck connection (the run is parked and tried again). Amazon answers within seconds.
    amazon_read_timeout_sec: float = Field(default=30.0, gt=0)
    # Replaces every marketplace's Seller Central host in consent URLs (the emulator).
    seller_central_url_override: str = ""
    orders_api_version: Literal["2026-01-01", "v0"] = "2026-01-01"
    marketplace_us: str = "ATVPDKIKX0DER"
    marketplace_br: str = "A2Q3Y263D00KWC"
    marketplace_ca: str = "A2EUQ1WTGCTBG2"
    marketplace_mx: str = "A1AM78C64UM0Y8"

    def base_url(self, region: Region) -> str:
        return {"NA": self.spapi_base_na, "EU": self.spapi_base_eu, "FE": self.spapi_base_fe}[region]


class AdsSettings(_Group):
    ads_client_id: str = ""
    ads_client_secret: str = ""
    # Where Login with Amazon sends the advertiser back after Ads consent.
    lwa_redirect_uri: str = "http://127.0.0.1:8000/api/ads/oauth/callback"
    ads_api_base_na: str = "https://advertising-api.amazon.com"
    ads_api_base_eu: str = "https://advertising-api-eu.amazon.com"
    ads_api_base_fe: str = "https://advertising-api-fe.amazon.com"
    ads_token_url_na: str = "https://api.amazon.com/auth/o2/token"
    ads_token_url_eu: str = "https://api.amazon.co.uk/auth/o2/token"
    ads_token_url_fe: str = "https://api.amazon.co.jp/auth/o2/token"
    ads_consent_url_na: str = "https://www.amazon.com/ap/oa"
    ads_consent_url_eu: str = "https://eu.account.amazon.com/ap/oa"
    ads_consent_url_fe: str = "https://apac.account.amazon.com/ap/oa"
    # Minutes between an Ads profile's syncs (structure, and each report's restatement window); Amazon
    # asks for a few report requests per profile and report type a day at most. Decimals allowed.
    ads_sync_interval_minutes: float = Field(default=1440.0, gt=0)
    # Days before today (in the profile's time zone) that each daily sync asks for again: Amazon
    # restates conversions for up to 28 days. With today, at most 31 days: one report.
    ads_restatement_days: int = Field(default=28, ge=0, le=30)
    # Days of history a new profile backfills, today included (Amazon keeps 95).
    ads_history_days: int = Field(default=95, ge=1, le=95)

    def base_url(self, region: Region) -> str:
        return {"NA": self.ads_api_base_na, "EU": self.ads_api_base_eu, "FE": self.ads_api_base_fe}[region]

    def token_url(self, region: Region) -> str:
        return {"NA": self.ads_token_url_na, "EU": self.ads_token_url_eu, "FE": self.ads_token_url_fe}[region]

    def consent_url(self, region: Region) -> str:
        return {"NA": self.ads_consent_url_na, "EU": self.ads_consent_url_eu, "FE": self.ads_consent_url_fe}[
            region
        ]


class SyncSettings(_Group):
    # Decimals are allowed (tests and demos run deltas every few seconds).
    delta_sync_interval_minutes: float = Field(default=15.0, gt=0)
    sync_max_workers: int = Field(default=4, ge=1)
    sync_rate_limit_rps: float = Field(default=0.0, ge=0)  # 0 = use Amazon's usage plans
    sync_burst: int = Field(default=0, ge=0)  # 0 = use Amazon's usage plans
    feature_use_data_kiosk: bool = False
    # How a backfill with two paths is read: "planned" (documents and pages at once, on the plan of
    # app.sync.backfill_plan) or "documents" (its windows one after the other by document, the
    # pages quota left to the deltas).
    sync_backfill_paths: Literal["planned", "documents"] = "planned"
    # Server-sent event streams (sync progress) one user may hold open at once, per API worker;
    # one more is answered 429.
    sse_max_streams_per_user: int = Field(default=8, ge=1)


class NotificationSettings(_Group):
    notifications_sqs_queue_url: str = ""
    aws_endpoint_url: str = ""
    aws_region: str = "us-east-1"
    # ORDER_CHANGE refreshes waiting for getOrder per connection before further changes of its
    # orders are left to a delta of the connection (`app.orders.coalesce`): getOrder's plan is a
    # burst of 30, then one call every 2 s.
    order_refresh_coalesce_after: int = Field(default=20, ge=1)


class DocumentSettings(_Group):
    # Empty: ./.local/documents; file:///abs/path; s3://bucket/prefix (AWS_ENDPOINT_URL for S3-compatibles).
    document_storage_url: str = ""
    # An in-flight report whose next step is this late is run again by the scheduler (lost message).
    report_revive_grace_seconds: float = Field(default=60.0, gt=0)


def _default_feed_schemas_dir() -> Path | None:
    """Amazon's JSON_LISTINGS_FEED schemas beside a checkout (`<repo>/../shared/amazon-models`), when
    there: read at run time, never copied into the project. An installed package finds none."""
    candidate = Path(__file__).resolve().parents[3].parent / "shared/amazon-models/sp-api/feeds-schemas"
    return candidate if candidate.is_dir() else None


class FeedsSettings(_Group):
    # The folder holding listings-feed-schema-v2.json and listings-feed-message-schema-v2.json
    # (Amazon's models); unset and not found: feeds are sent without the schema check (a warning).
    feed_schemas_dir: Path | None = Field(default_factory=_default_feed_schemas_dir)
    # The largest feed file accepted for upload.
    feed_max_bytes: int = Field(default=100 * 1024 * 1024, gt=0)
    # The most rows one bulk CSV may hold.
    feed_bulk_max_rows: int = Field(default=200_000, gt=0)

    @field_validator("feed_schemas_dir", mode="before")
    @classmethod
    def _empty_is_default(cls, value: object) -> object:
        # `FEED_SCHEMAS_DIR=` (as in .env.example) means "not set": look beside the checkout.
        return _default_feed_schemas_dir() if value in ("", None) else value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    runtime: RuntimeSettings = Field(default_factory=RuntimeSettings)
    db: DatabaseSettings = Field(default_factory=DatabaseSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    security: SecuritySettings = Field(default_factory=SecuritySettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    spapi: SpApiSettings = Field(default_factory=SpApiSettings)
    ads: AdsSettings = Field(default_factory=AdsSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    documents: DocumentSettings = Field(default_factory=DocumentSettings)
    feeds: FeedsSettings = Field(default_factory=FeedsSettings)

    @property
    def is_production(self) -> bool:
        return self.runtime.environment == "production"

    @property
    def api_docs_enabled(self) -> bool:
        enabled = self.runtime.api_docs_enabled
        return not self.is_production if enabled is None else enabled

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> Settings:
        """Development runs on generated local secrets; everywhere else a placeholder is a mistake."""
        environment = self.runtime.environment
        if environment == "development":
            return self
        checked = [
            ("SESSION_SECRET", self.security.session_secret),
            ("ENCRYPTION_KEY", self.security.encryption_key),
        ]
        if environment == "production":
            checked += [
                ("LWA_CLIENT_SECRET", self.spapi.lwa_client_secret),
                ("DATABASE_URL", self.db.database_url or ""),
                ("REDIS_URL", self.redis.redis_url or ""),
            ]
        missing = [name for name, value in checked if value.strip().lower() in PLACEHOLDER_SECRETS]
        if missing:
            raise ValueError(
                f"refusing to start in {environment} with unset or placeholder values for: "
                + ", ".join(missing)
            )
        if environment == "production":
            self._check_production()
        return self

    def _check_production(self) -> None:
        """Secrets of real strength, the Ads secret when Ads is on, https everywhere users go."""
        secrets = [("SESSION_SECRET", self.security.session_secret)]
        secrets += [("ENCRYPTION_KEY", key) for key in self.security.encryption_keys]
        if self.runtime.metrics_token:
            secrets.append(("METRICS_TOKEN", self.runtime.metrics_token))
        problems = [f"{name} is {why}" for name, value in secrets if (why := secret_weakness(value))]
        security = self.security
        if security.clerk_jwks_url and not (security.clerk_issuer or security.clerk_frontend_api):
            problems.append("CLERK_ISSUER is unset (and CLERK_PUBLISHABLE_KEY names no Frontend API)")
        if self.ads.ads_client_id and self.ads.ads_client_secret.strip().lower() in PLACEHOLDER_SECRETS:
            problems.append("ADS_CLIENT_SECRET is unset while ADS_CLIENT_ID is set")
        urls = [
            ("PUBLIC_URL", self.runtime.public_url),
            ("OAUTH_REDIRECT_URI", self.spapi.oauth_redirect_uri),
        ]
        if self.ads.ads_client_id:
            urls.append(("LWA_REDIRECT_URI", self.ads.lwa_redirect_uri))
        problems += [
            f"{name} must be an https:// URL" for name, url in urls if not url.startswith("https://")
        ]
        if problems:
            raise ValueError("refusing to start in production: " + "; ".join(problems))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    """Forget cached settings (tests and `spapi-saas dev` change the environment)."""
    get_settings.cache_clear()
