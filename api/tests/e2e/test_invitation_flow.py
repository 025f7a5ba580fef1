"""An invitation in a real browser, through real e-mail: an owner invites a new address in the panel;
the invitee gets the message from the local mail catcher (SMTP), opens the link, signs up, verifies the
address through the second e-mail's link, turns on two-factor authentication (TOTP: the codes computed
here with pyotp from the key the panel shows), accepts, and sees the tenant. The owner then sees the member,
and the spent link works no more. Screenshots land in test-results/screenshots/invitation-*.png."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator

import psycopg
import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from app.kit.embedded import free_port
from app.mail.catcher import MailCatcher
from app.settings import get_settings
from tests.fixtures.app import REPO_ROOT, wait_for_http
from tests.fixtures.browser import PASSWORD, screenshot, sign_up_with_a_tenant

TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def mailbox() -> Iterator[MailCatcher]:
    catcher = MailCatcher().start()
    yield catcher
    catcher.stop()


@pytest.fixture(scope="module")
def product(mailbox: MailCatcher) -> Iterator[str]:
    """`spapi-saas api` serving the built panel, sending its e-mail to the catcher."""
    if not (REPO_ROOT / "web" / "dist" / "index.html").exists():
        pytest.fail("the panel is not built: run `cd web && npm run build` (make test does it)")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "API_PORT": str(port),
        "PUBLIC_URL": base,
        "WEB_DIST_DIR": str(REPO_ROOT / "web" / "dist"),
        "SMTP_URL": mailbox.url,
        "PYTHONUNBUFFERED": "1",
    }
    log_path = REPO_ROOT / "test-results" / "invitation-api.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "api"], env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
        try:
            wait_for_http(f"{base}/health", proc=proc)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=15)


def _link(mailbox: MailCatcher, address: str, subject: str, path: str) -> str:
    mail = mailbox.wait_for(address, subject=subject, timeout=TIMEOUT_MS / 1000)
    links = [link for link in mail.links if path in link]
    assert links, mail.text
    return links[0]


def _invite(owner: Page, invitee_email: str) -> None:
    owner.get_by_label("Invite by email").fill(invitee_email)
    owner.get_by_label("Role of the new member").select_option("admin")
    owner.get_by_role("button", name="Send invitation").click()
    pending = owner.get_by_role("list", name="Pending invitations")
    expect(pending.get_by_text(invitee_email)).to_be_visible()
    expect(owner.get_by_role("list", name="Members").get_by_text(invitee_email)).to_have_count(0)
    screenshot(owner, "invitation-01-owner-invited")


def _sign_up_from_the_invitation(invitee: Page, base: str, link: str, invitee_email: str) -> None:
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Join Invite Co")).to_be_visible()
    expect(invitee.get_by_text(invitee_email)).to_be_visible()
    screenshot(invitee, "invitation-02-link-opened")
    invitee.get_by_role("link", name="Create an account").click()
    expect(invitee).to_have_url(re.compile(r"/auth/signup\?next="))
    invitee.get_by_label("Email").fill(invitee_email)
    invitee.get_by_label("Password").fill(PASSWORD)
    invitee.get_by_role("button", name="Create account").click()
    # Back on the invitation (kept in the browser: the token is in no URL of the sign-up), signed in
    # but not verified yet: no accepting.
    expect(invitee).to_have_url(f"{base}/invitations/accept")
    expect(invitee.get_by_role("heading", name="Join Invite Co")).to_be_visible()
    expect(invitee.get_by_text("Verify your e-mail address first", exact=False)).to_be_visible()
    expect(invitee.get_by_role("button", name="Accept the invitation")).to_have_count(0)
    screenshot(invitee, "invitation-03-verify-first")


def test_an_invitee_signs_up_verifies_accepts_and_sees_the_tenant(
    browser: Browser, product: str, mailbox: MailCatcher
) -> None:
    owner_email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    invitee_email = f"invitee-{uuid.uuid4().hex[:8]}@example.com"
    owner = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    invitee = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    for page in (owner, invitee):
        page.set_default_timeout(TIMEOUT_MS)
    tenant_id = ""
    try:
        tenant_id = sign_up_with_a_tenant(owner, product, owner_email, "Invite Co")
        _invite(owner, invitee_email)
        # The token travels in the fragment: browsers never send it to a server (access logs, Referer).
        invitation_link = _link(mailbox, invitee_email, "invited", "/invitations/accept#token=")
        assert invitation_link.startswith(f"{product}/invitations/accept#token=")

        _sign_up_from_the_invitation(invitee, product, invitation_link, invitee_email)
        invitee.goto(_link(mailbox, invitee_email, "Verify", "/auth/verify#token="))
        expect(invitee.get_by_role("heading", name="E-mail address verified")).to_be_visible()
        screenshot(invitee, "invitation-04-verified")
        invitee.get_by_role("link", name="Continue to the invitation").click()
        expect(invitee.get_by_role("button", name="Accept the invitation")).to_be_visible()
        # Before joining as an admin (buyer addresses need it), the invitee turns on TOTP.
        invitee.goto(f"{product}/dashboard/account/security")
        invitee.get_by_role("button", name="Set up two-factor authentication").click()
        secret = invitee.get_by_test_id("totp-secret").inner_text().strip()
        invitee.get_by_label("Authentication code").fill(pyotp.TOTP(secret).now())
        invitee.get_by_role("button", name="Turn on").click()
        expect(invitee.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(10)
        screenshot(invitee, "invitation-04b-totp-enrolled")
        invitee.get_by_role("button", name="I have saved my recovery codes").click()
        invitee.goto(invitation_link)
        invitee.get_by_role("button", name="Accept the invitation").click()
        expect(invitee).to_have_url(f"{product}/dashboard/tenants/{tenant_id}")
        expect(invitee.get_by_role("heading", name="Invite Co")).to_be_visible()
        expect(invitee.get_by_text("Verify your e-mail address", exact=True)).to_have_count(0)
        screenshot(invitee, "invitation-05-accepted-tenant")

        owner.reload()
        expect(owner.get_by_role("list", name="Members").get_by_text(invitee_email)).to_be_visible()
        expect(owner.get_by_role("list", name="Pending invitations")).to_have_count(0)
        log = owner.get_by_role("table", name="Audit log")
        expect(log.get_by_text(f"{invitee_email} accepted the invitation as admin")).to_be_visible()
        screenshot(owner, "invitation-06-owner-sees-member")

        # The link is spent.
        invitee.goto(invitation_link)
        expect(invitee.get_by_text("This invitation cannot be used")).to_be_visible()
        screenshot(invitee, "invitation-07-link-spent")
    finally:
        with psycopg.connect(
            get_settings().db.sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://"),
            autocommit=True,
        ) as db:
            if tenant_id:
                db.execute("DELETE FROM tenants WHERE id = %s", (tenant_id,))
            db.execute("DELETE FROM users WHERE email IN (%s, %s)", (owner_email, invitee_email))
