"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Chromium must be at /usr/bin/chromium (``make chromium`` installs it); Playwright's own browser
downloads are never used. Without Chromium the tests skip with a message, or fail when
HOMECARE_REQUIRE_BROWSER=1 (as in .ci/run). Every page visited is checked with axe-core and
photographed into test-artifacts/screenshots/. The pages run under their real
Content-Security-Policy: no context bypasses it.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run beside
# one unless told that the test (not a real async server) is in charge.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _browser_problem() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (run `make chromium`)"
    if not AXE.exists():
        return f"axe-core is missing at {AXE} (run `npm install`)"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    problem = _browser_problem()
    manager = chromium = None
    if problem is None:
        from playwright.sync_api import sync_playwright

        manager = sync_playwright().start()
        try:
            chromium = manager.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception as exc:  # any failure to start means the browser tests cannot run
            manager.stop()
            problem = f"Chromium at {CHROMIUM} did not start: {exc}"
    if problem is not None:
        if os.environ.get("HOMECARE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"HOMECARE_REQUIRE_BROWSER=1 but {problem}", pytrace=False)
        pytest.skip(f"browser tests skipped: {problem}")
    assert manager is not None and chromium is not None
    yield chromium
    chromium.close()
    manager.stop()


@pytest.fixture(autouse=True)
def _static_assets_built() -> None:
    from homecare.build_static import build, build_htmx, is_built

    if not is_built():
        build()
        build_htmx()


@pytest.fixture
def demo(transactional_db: Any, settings: Any) -> Any:
    """The demo data in the live server's database (passwords hashed cheaply for speed)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The journeys need a market with life in it, not the full few hundred demo packages.
    settings.HOMECARE_DEMO_PACKAGES = 16
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    from homecare.commissioning.demo import load_demo

    return load_demo()


class Visit:
    """A browser tab on the live server that refuses outside requests and audits each page."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url
        self.blocked: list[str] = []
        self.shots = 0
        host = urlparse(base_url).netloc
        page.route("**/*", lambda route: self._only_local(route, host))

    def _only_local(self, route: Any, host: str) -> None:
        url = route.request.url
        if urlparse(url).netloc == host or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def goto(self, path: str) -> Any:
        return self.page.goto(f"{self.base_url}{path}")

    def sign_in(self, username: str) -> None:
        """Sign in as a demo persona (password ``DEMO_PASSWORD``) and land on the home page."""
        from homecare.commissioning.demo import DEMO_PASSWORD

        self.goto("/accounts/sign-in/")
        self.page.fill("#username", username)
        self.page.fill("#password", DEMO_PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(f"{self.base_url}/")

    def in_new_context(self, browser: Any) -> Visit:
        """A second browser context (its own cookies: another person signed in) on the
        same server."""
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        return type(self)(page, self.base_url)

    def tab_to(self, selector: str, limit: int = 400) -> None:
        """Press Tab until the element matching the CSS ``selector`` has the focus: proof
        that a keyboard user reaches it."""
        for _ in range(limit):
            if self.page.evaluate(
                "(s) => !!document.activeElement && document.activeElement.matches(s)", selector
            ):
                return
            self.page.keyboard.press("Tab")
        pytest.fail(f"could not reach {selector} with the Tab key")

    def type_into(self, selector: str, text: str) -> None:
        """Reach a field by keyboard, select what it holds and type ``text`` over it."""
        self.tab_to(selector)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def check(self, name: str) -> None:
        """Screenshot the page, then fail on any serious or critical axe violation."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        self.page.screenshot(path=str(SCREENSHOTS / f"{slug}.png"), full_page=True)
        assert self.page.title().endswith("– Home care commissioning"), self.page.title()
        assert self.page.locator("h1").count() == 1, f"{name}: expected one h1"
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does
        # not govern (a <script> tag would be refused), so every page is checked as served.
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        results = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: tags})", AXE_TAGS
        )
        blocking = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            report = [
                {
                    "id": v["id"],
                    "impact": v["impact"],
                    "help": v["help"],
                    "nodes": [n["target"] for n in v["nodes"]][:5],
                }
                for v in blocking
            ]
            print(json.dumps(report, indent=2))
            pytest.fail(f"{name}: accessibility violations: {json.dumps(report)}")
        assert not self.blocked, f"requests left the site: {self.blocked}"


@pytest.fixture
def visit(browser: Any, live_server: Any, demo: Any) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Visit(page, live_server.url)
    context.close()
