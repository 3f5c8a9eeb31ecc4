"""The pages work under the Content-Security-Policy: no violation on the main pages.

Each page is opened in a context that does not bypass the policy (no browser test's does);
any ``securitypolicyviolation`` event or console report of one fails the test.
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser

LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""

PAGES = {
    "commissioner": ["/", "/glossary/", "/rate-cards/", "/zones/", "/api/v1/docs"],
    "broker": ["/", "/brokerage/"],
    "provider-a": ["/"],
}


def _violations(page: Any, console: list[str]) -> list[str]:
    found = list(page.evaluate("window.__cspViolations || []"))
    return found + [line for line in console if "Content Security Policy" in line]


def test_the_main_pages_report_no_content_security_policy_violation(
    browser: Any, live_server: Any, demo: Any
) -> None:
    from homecare.commissioning.demo import DEMO_PASSWORD

    for username, paths in PAGES.items():
        context = browser.new_context()
        context.add_init_script(LISTEN)
        page = context.new_page()
        page.set_default_timeout(15_000)
        console: list[str] = []
        page.on("console", lambda message, log=console: log.append(message.text))
        first = page.goto(f"{live_server.url}/accounts/sign-in/")
        assert first is not None
        assert "script-src 'self' 'nonce-" in first.headers["content-security-policy"]
        page.fill("#username", username)
        page.fill("#password", DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, path
            page.wait_for_load_state("networkidle")
            assert _violations(page, console) == [], f"{username} {path}"
            # GOV.UK Frontend's scripts ran: the nonce'd switch and the module both worked.
            if not path.startswith("/api/"):
                classes = page.evaluate("document.body.className")
                assert "govuk-frontend-supported" in classes, path
        context.close()
