"""Registered applications and every credential Amazon hands out.

* :class:`Application`: an LWA client registered for both SP-API and the Ads API.
* :class:`AuthCode`: single-use, short-lived code from a consent page (``spapi_oauth_code`` or Ads ``code``).
* :class:`RefreshGrant`: a refresh token (``Atzr|...``) binding an application to a seller; revocable.
* :class:`AccessToken`: ``Atza|...`` from ``/auth/o2/token``; seller-bound or grantless (client_credentials).
* :class:`RestrictedDataToken`: ``Atz.sprdt|...`` covering a list of (method, path, dataElements).

Lifetimes are Amazon seconds converted with the clock's scale when the credential is issued. Access tokens
and RDTs announce their lifetime (``expires_in`` / ``expiresIn``), so they live exactly the whole real seconds
they announce (:meth:`~amazon_emulator.clock.Clock.announced_seconds`: 3600 at scale 1, 60 at scale 60, never
less than 1).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from amazon_emulator.clock import Clock


@dataclass
class Application:
    """An LWA client. ``client_secrets`` maps each accepted secret to its expiry epoch (``None``: no
    expiry)."""

    client_id: str
    application_id: str
    redirect_uris: list[str]
    client_secrets: dict[str, float | None] = field(default_factory=dict)
    name: str = "Emulated application"

    def secret_ok(self, secret: str, now: float) -> bool:
        if secret not in self.client_secrets:
            return False
        expiry = self.client_secrets[secret]
        return expiry is None or now < expiry


@dataclass
class AuthCode:
    code: str
    client_id: str
    selling_partner_id: str
    kind: str  # "spapi" or "ads"
    redirect_uri: str | None
    expires_at: float
    used: bool = False
    scope: str | None = None


@dataclass
class RefreshGrant:
    refresh_token: str
    client_id: str
    selling_partner_id: str
    kind: str  # "spapi" or "ads"
    created_at: float
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    client_id: str
    application_id: str
    selling_partner_id: str | None
    kind: str  # "lwa" (seller-bound, SP-API), "ads" (Ads API bearer) or "grantless"
    scopes: tuple[str, ...]
    expires_at: float
    expires_in: int  # whole real seconds, as LWA's ``expires_in`` announces


@dataclass(frozen=True)
class RestrictedResource:
    method: str
    path: str
    data_elements: frozenset[str]

    def matches(self, method: str, path: str) -> bool:
        """Same method and path; ``{name}`` segments in the granted path match any one segment."""
        if self.method.upper() != method.upper():
            return False
        if "{" not in self.path:
            return self.path.rstrip("/") == path.rstrip("/")
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(self.path.rstrip("/"))) + "$"
        return re.match(pattern, path.rstrip("/")) is not None


@dataclass
class RestrictedDataToken:
    token: str
    application_id: str
    client_id: str
    selling_partner_id: str
    resources: tuple[RestrictedResource, ...]
    expires_at: float
    expires_in: int  # whole real seconds, as ``expiresIn`` announces

    def find(self, method: str, path: str) -> RestrictedResource | None:
        """The granted resource covering this call, if any."""
        for resource in self.resources:
            if resource.matches(method, path):
                return resource
        return None


def _token(prefix: str, nbytes: int = 96) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


class CredentialStore:
    """Applications and issued credentials of one emulator instance (thread-safe for one process)."""

    def __init__(
        self,
        clock: Clock,
        access_lifetime: float,
        rdt_lifetime: float,
        code_lifetime: float,
        grants_file: Path | None = None,
    ) -> None:
        self._clock = clock
        self.access_lifetime = access_lifetime
        self.rdt_lifetime = rdt_lifetime
        self.code_lifetime = code_lifetime
        self._lock = threading.RLock()
        self.apps: dict[str, Application] = {}
        self.codes: dict[str, AuthCode] = {}
        self.refresh: dict[str, RefreshGrant] = {}
        self.access: dict[str, AccessToken] = {}
        self.rdts: dict[str, RestrictedDataToken] = {}
        # Refresh grants kept across restarts (a product's stored connections keep working, as
        # they would with Amazon); access tokens, codes and RDTs are short-lived and are not kept.
        self._grants_file = grants_file
        if grants_file is not None and grants_file.exists():
            for entry in json.loads(grants_file.read_text(encoding="utf-8")):
                grant = RefreshGrant(**entry)
                self.refresh[grant.refresh_token] = grant

    def _save_grants_locked(self) -> None:
        if self._grants_file is None:
            return
        text = json.dumps([asdict(g) for g in self.refresh.values()], indent=0)
        partial = self._grants_file.with_name(self._grants_file.name + ".partial")
        partial.touch(mode=0o600)  # tokens: readable by their owner only
        partial.write_text(text, encoding="utf-8")
        partial.replace(self._grants_file)  # never a half-written file

    # applications
    # ---------------------------------------------------------------------------------------------
    def register_app(
        self,
        client_id: str,
        client_secret: str,
        application_id: str,
        redirect_uris: list[str],
        name: str = "",
    ) -> Application:
        with self._lock:
            app = Application(client_id, application_id, list(redirect_uris), {client_secret: None})
            if name:
                app.name = name
            self.apps[client_id] = app
            return app

    def app_by_application_id(self, application_id: str) -> Application | None:
        for app in self.apps.values():
            if app.application_id == application_id:
                return app
        return None

    # codes and tokens
    # -----------------------------------------------------------------------------------------
    def issue_code(
        self,
        client_id: str,
        selling_partner_id: str,
        kind: str,
        redirect_uri: str | None,
        scope: str | None = None,
    ) -> AuthCode:
        code = AuthCode(
            code=("ANDaNCKHgrSsJFsp" if kind == "ads" else "RHxWbMLFhQjDZlEwXmvI")
            + secrets.token_urlsafe(12),
            client_id=client_id,
            selling_partner_id=selling_partner_id,
            kind=kind,
            redirect_uri=redirect_uri,
            # Not scaled: a person clicks through the page and the product exchanges the code at human speed.
            expires_at=self._clock.time() + self.code_lifetime,
            scope=scope,
        )
        with self._lock:
            self.codes[code.code] = code
        return code

    def issue_refresh(self, client_id: str, selling_partner_id: str, kind: str = "spapi") -> RefreshGrant:
        grant = RefreshGrant(_token("Atzr|IwEB"), client_id, selling_partner_id, kind, self._clock.time())
        with self._lock:
            self.refresh[grant.refresh_token] = grant
            self._save_grants_locked()
        return grant

    def issue_access(
        self, app: Application, selling_partner_id: str | None, kind: str, scopes: tuple[str, ...] = ()
    ) -> AccessToken:
        lifetime = self._clock.announced_seconds(self.access_lifetime)
        token = AccessToken(
            token=_token("Atza|IwEB"),
            client_id=app.client_id,
            application_id=app.application_id,
            selling_partner_id=selling_partner_id,
            kind=kind,
            scopes=scopes,
            expires_at=self._clock.time() + lifetime,
            expires_in=lifetime,
        )
        with self._lock:
            self.access[token.token] = token
            self._purge_locked()
        return token

    def issue_rdt(
        self, app_id: str, client_id: str, selling_partner_id: str, resources: tuple[RestrictedResource, ...]
    ) -> RestrictedDataToken:
        lifetime = self._clock.announced_seconds(self.rdt_lifetime)
        rdt = RestrictedDataToken(
            token=_token("Atz.sprdt|IQEB"),
            application_id=app_id,
            client_id=client_id,
            selling_partner_id=selling_partner_id,
            resources=resources,
            expires_at=self._clock.time() + lifetime,
            expires_in=lifetime,
        )
        with self._lock:
            self.rdts[rdt.token] = rdt
        return rdt

    def revoke_refresh(self, refresh_token: str) -> bool:
        """Mark a refresh token revoked (the next refresh answers ``invalid_grant``)."""
        with self._lock:
            grant = self.refresh.get(refresh_token)
            if grant is None:
                return False
            grant.revoked = True
            self._save_grants_locked()
            return True

    def _purge_locked(self) -> None:
        # Expired tokens are kept for a while so that using one says "expired" rather than "invalid".
        if len(self.access) < 50000:
            return
        horizon = self._clock.time() - self._clock.real_duration(24 * 3600)
        for key in [k for k, v in self.access.items() if v.expires_at < horizon]:
            del self.access[key]
