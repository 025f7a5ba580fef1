"""The Security page in a real browser against `spapi-saas api` serving the built panel: an owner
without MFA is asked, on every page, to turn it on, and an owner-only action (inviting an owner) is
refused with a link to do so; follows the prompt, enrols TOTP (codes computed here
with pyotp from the key the panel shows) and sees "On" while the recovery codes are shown; signs in from
a second browser; sees both sessions, this one marked; makes new recovery codes (the old ones stop
working); and signs out everywhere, which ends the other browser's session too. Screenshots land in
test-results/screenshots/security-*.png."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from playwright.sync_api import Browser, Page, expect

from app.mail.catcher import MailCatcher
from app.settings import get_settings
from tests.auth.mfa_helpers import Authenticator
from tests.e2e.test_invitation_flow import mailbox as mailbox
from tests.e2e.test_invitation_flow import product as product
from tests.fixtures.browser import PASSWORD, screenshot, sign_up_with_a_tenant

TIMEOUT_MS = 15_000


@pytest.fixture
def email() -> Iterator[str]:
    address = f"security-{uuid.uuid4().hex[:8]}@example.com"
    yield address
    # Committed through a real server: remove what this test created.
    url = get_settings().db.sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(
            "DELETE FROM tenants WHERE id IN (SELECT m.tenant_id FROM memberships m"
            " JOIN users u ON u.id = m.user_id WHERE u.email = %s)",
            (address,),
        )
        db.execute("DELETE FROM users WHERE email = %s", (address,))


def _new_page(browser: Browser) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(TIMEOUT_MS)
    return page


def _recovery_codes(page: Page) -> list[str]:
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    return [code.strip() for code in codes.all_inner_texts()]


def test_an_owner_enrols_renews_codes_sees_sessions_and_signs_out_everywhere(
    browser: Browser, product: str, mailbox: MailCatcher, email: str
) -> None:
    page = _new_page(browser)
    tenant_id = sign_up_with_a_tenant(page, product, email, "Secure Co")

    # An owner without MFA: a standing prompt in the panel's frame, linking to enrolment.
    banner = page.get_by_test_id("owner-mfa-banner")
    expect(banner).to_contain_text("You are an owner of Secure Co")
    expect(page.get_by_role("heading", name="Secure Co")).to_be_visible()
    # An owner-only action (inviting an owner) is refused, and says how to go on.
    page.get_by_label("Invite by email").fill(f"co-owner-{uuid.uuid4().hex[:8]}@example.com")
    page.get_by_label("Role of the new member").select_option("owner")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Could not send the invitation")).to_be_visible()
    expect(page.get_by_role("link", name="Set up two-factor authentication")).to_have_count(2)
    page.evaluate("window.scrollTo(0, 0)")  # a full-page shot of a scrolled page repeats the sticky bars
    screenshot(page, "security-01-owner-asked-to-turn-on-mfa")
    banner.get_by_role("link", name="Set up two-factor authentication").click()
    expect(page).to_have_url(re.compile(r"/dashboard/account/security\?next="))
    expect(page.get_by_test_id("mfa-state")).to_have_text("Off")

    page.get_by_role("button", name="Set up two-factor authentication").click()
    authenticator = Authenticator(page.get_by_test_id("totp-secret").inner_text().strip())
    page.get_by_label("Authentication code").fill(authenticator.code())
    page.get_by_role("button", name="Turn on").click()
    first_codes = _recovery_codes(page)
    # On as soon as the first code is accepted, while the codes are still on screen.
    expect(page.get_by_test_id("mfa-state")).to_have_text("On")
    page.get_by_role("button", name="I have saved my recovery codes").click()
    # Back where the prompt was, and the prompt is gone.
    expect(page).to_have_url(f"{product}/dashboard/tenants/{tenant_id}")
    expect(page.get_by_role("heading", name="Secure Co")).to_be_visible()
    expect(page.get_by_test_id("owner-mfa-banner")).to_have_count(0)

    # A second browser signs in: password, then a code.
    other = _new_page(browser)
    other.goto(f"{product}/auth/signin")
    other.get_by_label("Email").fill(email)
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Sign in").click()
    other.get_by_label("Authentication code").fill(authenticator.code())
    other.get_by_role("button", name="Verify").click()
    expect(other).to_have_url(f"{product}/dashboard")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Security").click()
    expect(page.get_by_role("heading", name="Security", exact=True)).to_be_visible()
    sessions = page.get_by_role("table", name="Sessions")
    expect(sessions.locator("tbody tr")).to_have_count(2)
    expect(sessions.get_by_text("This browser")).to_have_count(1)

    # New recovery codes for a current code: shown once; the old ones stop working.
    page.get_by_role("button", name="New recovery codes").click()
    renew = page.get_by_role("region", name="New recovery codes")
    renew.get_by_label("Authentication code").fill(authenticator.code())
    renew.get_by_role("button", name="Make new recovery codes").click()
    new_codes = _recovery_codes(page)
    assert set(new_codes).isdisjoint(first_codes)
    expect(page.get_by_test_id("mfa-state")).to_have_text("On")
    screenshot(page, "security-02-new-recovery-codes-and-sessions")
    page.get_by_role("button", name="I have saved my recovery codes").click()
    expect(page.get_by_text("10 recovery codes left", exact=False)).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes")).to_have_count(0)

    # Sign out everywhere: this browser goes to sign-in, and the other one is signed out too.
    page.get_by_role("button", name="Sign out everywhere").click()
    expect(page).to_have_url(f"{product}/auth/signin?signedOut=everywhere")
    expect(page.get_by_text("You were signed out on every device.")).to_be_visible()
    screenshot(page, "security-03-signed-out-everywhere")
    other.goto(f"{product}/dashboard/account/security")
    expect(other).to_have_url(re.compile(re.escape(f"{product}/auth/signin")))
