"""The built panel works under the strict Content-Security-Policy: in Chromium, a new user signs up,
creates a tenant and opens every page of it with zero CSP violations (each would be a script,
style, font or fetch the browser refused), and the page cannot be framed."""

from __future__ import annotations

import uuid

import httpx
from playwright.sync_api import Page, expect

from tests.fixtures.browser import screenshot, sign_up_with_a_tenant

# Reported by the page itself (the event carries the refused directive and URL), from before any
# of the panel's scripts run.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""

PAGES = ["", "/integrations/amazon", "/orders", "/reports", "/feeds", "/ads"]


def test_panel_runs_under_the_csp_with_no_violations(page: Page, live_api: str) -> None:
    index = httpx.get(f"{live_api}/dashboard")
    assert "script-src 'self';" in index.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in index.headers["content-security-policy"]
    assert index.headers["x-frame-options"] == "DENY"

    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(WATCH_VIOLATIONS)

    tenant_id = sign_up_with_a_tenant(page, live_api, f"csp-{uuid.uuid4().hex[:8]}@example.com", "CSP Co")
    base = f"{live_api}/dashboard/tenants/{tenant_id}"
    for path in PAGES:
        page.goto(base + path)
        expect(page.get_by_text("Tenant", exact=False).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__cspViolations")
        assert violations == [], f"{path or '/'}: {violations}"
    screenshot(page, "panel-under-csp")
    assert not [line for line in console if "Content Security Policy" in line], console

    # A page of another origin cannot frame the panel (clickjacking): Chromium refuses to load it.
    page.set_content(f'<iframe id="panel" src="{live_api}/dashboard"></iframe>')
    page.wait_for_timeout(1000)
    frame = page.frame_locator("#panel")
    expect(frame.get_by_text("Sign in", exact=False)).to_have_count(0)
