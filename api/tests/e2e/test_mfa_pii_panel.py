"""Buyer PII in a real browser against `spapi-saas api` and the emulator: a viewer cannot see an
address (the button is disabled and says why); an admin without MFA is sent to enrol, enrols TOTP
(codes computed here with pyotp from the key the panel shows), sees the address (audited), and the
next sign-in asks for a code after the password."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator

import httpx
import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from app.mail.catcher import MailCatcher
from tests.connections.support import DEMO_SELLER_ID, RegisteredApp
from tests.connections.support import emulator_url as emulator_url
from tests.fixtures.browser import PASSWORD, screenshot, sign_up_with_a_tenant
from tests.fixtures.mail import catching_mail, link_token
from tests.orders.test_orders_browser import _db, amazon_orders, seed
from tests.orders.test_orders_browser import product as product

TIMEOUT_MS = 20_000


@pytest.fixture
def emails() -> Iterator[dict[str, str]]:
    tag = uuid.uuid4().hex[:8]
    made = {role: f"{role}-{tag}@example.com" for role in ("owner", "admin", "viewer")}
    yield made
    # Committed through a real server: remove what this test created.
    with _db() as conn:
        conn.execute(
            "DELETE FROM tenants WHERE id IN (SELECT m.tenant_id FROM memberships m"
            " JOIN users u ON u.id = m.user_id WHERE u.email = %s)",
            (made["owner"],),
        )
        conn.execute("DELETE FROM users WHERE email = ANY(%s)", (list(made.values()),))


@pytest.fixture(scope="module", autouse=True)
def mailbox() -> Iterator[MailCatcher]:
    """The API's e-mail (verification links, invitations), caught: autouse and module-scoped, so
    SMTP_URL is set before `product` starts the server with the environment."""
    with catching_mail() as catcher:
        yield catcher


def _join(mailbox: MailCatcher, base: str, tenant_id: str, owner_email: str, email: str, role: str) -> None:
    """`email` signs up and verifies the address (API), the owner invites them with `role` (API, the
    owner's own session), and they accept the e-mailed invitation."""
    with httpx.Client(base_url=base) as person:
        credentials = {"email": email, "password": PASSWORD}
        assert person.post("/api/auth/signup", json=credentials).status_code == 202
        verify = link_token(mailbox.wait_for(email, subject="Verify", timeout=TIMEOUT_MS / 1000))
        assert person.post("/api/auth/verify", json={"token": verify}).status_code == 204
        with httpx.Client(base_url=base) as owner:
            signed_in = owner.post("/api/auth/signin", json={"email": owner_email, "password": PASSWORD})
            assert signed_in.status_code == 200, signed_in.text
            invited = owner.post(
                f"/api/tenants/{tenant_id}/invitations",
                json={"email": email, "role": role},
                headers={"X-CSRF-Token": owner.cookies["csrf_token"]},
            )
            assert invited.status_code == 201, invited.text
        token = link_token(mailbox.wait_for(email, subject="invited", timeout=TIMEOUT_MS / 1000))
        assert person.post("/api/auth/signin", json=credentials).status_code == 200
        accepted = person.post(
            "/api/invitations/accept",
            json={"token": token},
            headers={"X-CSRF-Token": person.cookies["csrf_token"]},
        )
        assert accepted.status_code == 200, accepted.text


def _sign_in(page: Page, base: str, email: str, *, signed_in: bool = True) -> None:
    page.goto(f"{base}/auth/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if signed_in:
        expect(page).to_have_url(f"{base}/dashboard")


def _open_first_order(page: Page, base: str, tenant_id: str) -> None:
    page.goto(f"{base}/dashboard/tenants/{tenant_id}/orders")
    page.get_by_role("table", name="Orders").locator("tr[data-order-id]").first.click()
    expect(page.get_by_role("dialog").get_by_role("table", name="Order items")).to_be_visible()


def _code_after(secret: str, used_step: int) -> tuple[str, int]:
    """A code of a step later than `used_step` that the server still accepts (now or the next step)."""
    totp = pyotp.TOTP(secret)
    step = max(used_step + 1, totp.timecode(time.time()))
    return totp.generate_otp(step), step


def test_viewer_cannot_and_admin_enrols_then_sees_the_address(
    browser: Browser,
    product: tuple[str, str, RegisteredApp],
    emails: dict[str, str],
    mailbox: MailCatcher,
) -> None:
    base, emulator, app = product
    owner = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    owner.set_default_timeout(TIMEOUT_MS)
    tenant_id = sign_up_with_a_tenant(owner, base, emails["owner"], "PII Inc")
    grant = httpx.post(
        f"{emulator}/_emulator/self-authorize",
        json={"client_id": app.client_id, "selling_partner_id": DEMO_SELLER_ID, "kind": "spapi"},
    )
    assert grant.status_code == 200, grant.text
    refresh_token = grant.json()["refresh_token"]
    seed(uuid.UUID(tenant_id), refresh_token, amazon_orders(emulator, app, refresh_token))
    _join(mailbox, base, tenant_id, emails["owner"], emails["viewer"], "viewer")
    _join(mailbox, base, tenant_id, emails["owner"], emails["admin"], "admin")

    # A viewer: the button is there, disabled, and says why; no address request is ever made.
    viewer = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    viewer.set_default_timeout(TIMEOUT_MS)
    address_calls: list[str] = []
    viewer.on("request", lambda r: address_calls.append(r.url) if "/address" in r.url else None)
    _sign_in(viewer, base, emails["viewer"])
    _open_first_order(viewer, base, tenant_id)
    sheet = viewer.get_by_role("dialog")
    expect(sheet.get_by_role("button", name="Show address")).to_be_disabled()
    expect(sheet.get_by_text("Only owners and admins can see buyer addresses")).to_be_visible()
    expect(sheet.get_by_test_id("shipping-address")).to_have_count(0)
    screenshot(viewer, "mfa-pii-01-viewer-no-address")
    assert address_calls == []

    # An admin without MFA: sent to enrol.
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    _sign_in(page, base, emails["admin"])
    _open_first_order(page, base, tenant_id)
    page.get_by_role("dialog").get_by_role("button", name="Show address").click()
    # `next` is the orders page with the open order (`?order=<id>`), where "Done" comes back to.
    security = f"{base}/dashboard/account/security?next=%2Fdashboard%2Ftenants%2F{tenant_id}%2Forders"
    expect(page).to_have_url(re.compile(re.escape(security)))
    expect(page.get_by_text("Two-factor authentication is required")).to_be_visible()
    screenshot(page, "mfa-pii-02-admin-asked-to-enrol")

    page.get_by_role("button", name="Set up two-factor authentication").click()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr.locator("svg")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    screenshot(page, "mfa-pii-03-enrol-qr-and-key")
    code, used = _code_after(secret, -1)
    page.get_by_label("Authentication code").fill(code)
    page.get_by_role("button", name="Turn on").click()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    screenshot(page, "mfa-pii-04-recovery-codes")
    page.get_by_role("button", name="I have saved my recovery codes").click()

    # Back on the same order, MFA-verified by the enrolment: the address shows.
    expect(page).to_have_url(re.compile(re.escape(f"{base}/dashboard/tenants/{tenant_id}/orders?order=")))
    sheet = page.get_by_role("dialog")
    amazon_order_id = sheet.locator("h2").first.inner_text()
    sheet.get_by_role("button", name="Show address").click()
    expect(sheet.get_by_test_id("shipping-address")).to_be_visible()
    screenshot(page, "mfa-pii-05-admin-sees-address")

    with _db() as conn:
        audit = conn.execute(
            "SELECT u.email, a.data->>'amazon_order_id' FROM audit_logs a"
            " JOIN users u ON u.id = a.actor_user_id WHERE a.tenant_id = %s AND a.action = 'pii_viewed'",
            (tenant_id,),
        ).fetchall()
        assert audit == [(emails["admin"], amazon_order_id)]
        stored = conn.execute(
            "SELECT totp_secret_enc FROM user_mfa m JOIN users u ON u.id = m.user_id WHERE u.email = %s",
            (emails["admin"],),
        ).fetchone()
        assert stored is not None and secret.encode() not in bytes(stored[0])

    # The next sign-in asks for a code after the password.
    page.keyboard.press("Escape")  # the order sheet is modal
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape(f"{base}/auth/signin")))
    _sign_in(page, base, emails["admin"], signed_in=False)
    expect(page.get_by_text("Enter the 6-digit code from your authenticator app.")).to_be_visible()
    screenshot(page, "mfa-pii-06-sign-in-code-step")
    code, used = _code_after(secret, used)
    page.get_by_label("Authentication code").fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{base}/dashboard")
