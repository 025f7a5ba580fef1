"""Settings: names from the environment, defaults at Amazon, placeholders refused outside development."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from app.settings import Settings

GOOD_KEY = Fernet.generate_key().decode()
PRODUCTION = {
    "ENVIRONMENT": "production",
    "SESSION_SECRET": "q8Z1vKp3Lx0Rt7Wn2Yb5Hc9Jd4Mf6Sg1Ua3Ve8Xi0",
    "ENCRYPTION_KEY": GOOD_KEY,
    "LWA_CLIENT_SECRET": "a-real-client-secret",
    "DATABASE_URL": "postgresql://app@db:5432/app",
    "REDIS_URL": "redis://redis:6379/0",
    "PUBLIC_URL": "https://panel.example.com",
    "OAUTH_REDIRECT_URI": "https://panel.example.com/api/oauth/callback",
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    others = (
        "CLERK_JWKS_URL",
        "CLERK_ISSUER",
        "CLERK_PUBLISHABLE_KEY",
        "ADS_CLIENT_ID",
        "ADS_CLIENT_SECRET",
        "LWA_REDIRECT_URI",
        "METRICS_TOKEN",
        "API_DOCS_ENABLED",
    )
    for name in (*PRODUCTION, *others, "DELTA_SYNC_INTERVAL_MINUTES", "SPAPI_BASE_NA", "ORDERS_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")  # no .env file from the repository
    return monkeypatch


def test_defaults_point_at_amazon(env: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.runtime.environment == "development"
    assert settings.spapi.base_url("EU") == "https://sellingpartnerapi-eu.amazon.com"
    assert settings.spapi.lwa_token_url == "https://api.amazon.com/auth/o2/token"
    assert settings.ads.consent_url("FE") == "https://apac.account.amazon.com/ap/oa"
    assert settings.spapi.orders_api_version == "2026-01-01"
    assert settings.sync.delta_sync_interval_minutes == 15


def test_names_from_the_notes_are_read(env: pytest.MonkeyPatch) -> None:
    env.setenv("DELTA_SYNC_INTERVAL_MINUTES", "0.25")
    env.setenv("SPAPI_BASE_NA", "http://127.0.0.1:8100")
    env.setenv("ORDERS_API_VERSION", "v0")
    settings = Settings()
    assert settings.sync.delta_sync_interval_minutes == 0.25
    assert settings.spapi.base_url("NA") == "http://127.0.0.1:8100"
    assert settings.spapi.orders_api_version == "v0"


def test_production_starts_with_real_values(env: pytest.MonkeyPatch) -> None:
    for name, value in PRODUCTION.items():
        env.setenv(name, value)
    settings = Settings()
    assert settings.is_production
    assert settings.db.sqlalchemy_url == "postgresql+psycopg://app@db:5432/app"


@pytest.mark.parametrize("name", ["SESSION_SECRET", "ENCRYPTION_KEY", "LWA_CLIENT_SECRET", "DATABASE_URL"])
@pytest.mark.parametrize("placeholder", ["", "changethis"])
def test_production_refuses_placeholders(env: pytest.MonkeyPatch, name: str, placeholder: str) -> None:
    for key, value in PRODUCTION.items():
        env.setenv(key, value)
    env.setenv(name, placeholder)
    with pytest.raises(ValidationError, match=name):
        Settings()


def test_test_environment_refuses_placeholder_secrets(env: pytest.MonkeyPatch) -> None:
    env.setenv("ENVIRONMENT", "test")
    env.setenv("SESSION_SECRET", "changethis")
    env.setenv("ENCRYPTION_KEY", GOOD_KEY)
    with pytest.raises(ValidationError, match="SESSION_SECRET"):
        Settings()


def test_development_accepts_placeholders(env: pytest.MonkeyPatch) -> None:
    env.setenv("SESSION_SECRET", "changethis")
    assert Settings().security.session_secret == "changethis"


def test_malformed_encryption_key_is_a_clear_error(env: pytest.MonkeyPatch) -> None:
    env.setenv("ENCRYPTION_KEY", f"{GOOD_KEY},not-a-key")
    with pytest.raises(ValidationError, match="Fernet"):
        Settings()


def test_key_list_for_rotation(env: pytest.MonkeyPatch) -> None:
    second = Fernet.generate_key().decode()
    env.setenv("ENCRYPTION_KEY", f"{GOOD_KEY}, {second}")
    assert Settings().security.encryption_keys == [GOOD_KEY, second]


def test_short_session_secret_refused_in_production(env: pytest.MonkeyPatch) -> None:
    for key, value in PRODUCTION.items():
        env.setenv(key, value)
    env.setenv("SESSION_SECRET", "too-short")
    with pytest.raises(ValidationError, match="32 characters"):
        Settings()


def _production(env: pytest.MonkeyPatch, **overrides: str) -> None:
    for key, value in {**PRODUCTION, **overrides}.items():
        env.setenv(key, value)


@pytest.mark.parametrize(
    "weak",
    [
        "hunter2hunter2",  # the 12-character kind: a repeated word
        "s" * 40,
        "passwordpasswordpasswordpassword",  # long, but one word four times
        "abcdefghijklmnopqrstuvwxyzabcdefghij",  # repeats itself
        "0123456789" * 4,
    ],
)
def test_production_refuses_weak_session_secrets(env: pytest.MonkeyPatch, weak: str) -> None:
    _production(env, SESSION_SECRET=weak)
    with pytest.raises(ValidationError, match="SESSION_SECRET"):
        Settings()


def test_production_accepts_random_secrets(env: pytest.MonkeyPatch) -> None:
    import secrets

    for _ in range(20):  # hex and url-safe base64 of 32 random bytes, as the docs suggest
        _production(env, SESSION_SECRET=secrets.token_hex(32), METRICS_TOKEN=secrets.token_urlsafe(32))
        Settings()


def test_production_refuses_a_weak_encryption_key(env: pytest.MonkeyPatch) -> None:
    _production(env, ENCRYPTION_KEY="A" * 43 + "=")  # a valid Fernet key of 32 zero bytes
    with pytest.raises(ValidationError, match="ENCRYPTION_KEY"):
        Settings()


def test_production_refuses_an_empty_ads_secret(env: pytest.MonkeyPatch) -> None:
    _production(
        env,
        ADS_CLIENT_ID="amzn1.application-oa2-client.abc",
        ADS_CLIENT_SECRET="",
        LWA_REDIRECT_URI="https://panel.example.com/api/ads/oauth/callback",
    )
    with pytest.raises(ValidationError, match="ADS_CLIENT_SECRET"):
        Settings()


@pytest.mark.parametrize("name", ["PUBLIC_URL", "OAUTH_REDIRECT_URI"])
def test_production_refuses_http_public_urls(env: pytest.MonkeyPatch, name: str) -> None:
    _production(env, **{name: "http://panel.example.com/api/oauth/callback"})
    with pytest.raises(ValidationError, match=f"{name} must be an https"):
        Settings()


def test_api_docs_off_in_production_unless_enabled(env: pytest.MonkeyPatch) -> None:
    assert Settings().api_docs_enabled  # development
    _production(env)
    assert not Settings().api_docs_enabled
    env.setenv("API_DOCS_ENABLED", "true")
    assert Settings().api_docs_enabled


def test_production_clerk_needs_an_issuer(env: pytest.MonkeyPatch) -> None:
    _production(env, CLERK_JWKS_URL="https://clerk.panel.example/.well-known/jwks.json")
    with pytest.raises(ValidationError, match="CLERK_ISSUER"):
        Settings()
    env.setenv("CLERK_PUBLISHABLE_KEY", "pk_live_Y2xlcmsucGFuZWwuZXhhbXBsZSQ")  # clerk.panel.example$
    settings = Settings()
    assert settings.security.clerk_frontend_api == "https://clerk.panel.example"
