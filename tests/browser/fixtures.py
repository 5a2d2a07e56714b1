"""Browser test harness: the site on a live server, driven by Debian's Chromium through Playwright.

``page`` is a desktop-sized tab, ``phone_page`` a phone-sized one; ``login_as(page, user)``
logs a user in by session cookie. A failing test saves a screenshot under
test-artifacts/screenshots/ (the run prints the folder). Any Content-Security-Policy
violation on a page fails the test.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def pytest_configure(config):
    # Only the controlling process clears old screenshots (xdist workers have workerinput).
    if not hasattr(config, "workerinput") and SCREENSHOTS.exists():
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.exists() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"Screenshots of failed browser tests: {SCREENSHOTS}")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _open_page(browser, live_server, request, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport, timezone_id="UTC")
    context.set_default_timeout(15_000)
    page = context.new_page()
    csp_violations = []
    page.on(
        "console",
        lambda msg: (
            csp_violations.append(msg.text) if msg.type == "error" and "Content Security Policy" in msg.text else None
        ),
    )
    return context, page, csp_violations


def _close_page(context, page, request, csp_violations):
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    context.close()
    assert not csp_violations, f"Content-Security-Policy violations: {csp_violations}"


@pytest.fixture
def page(browser, live_server, request):
    context, page, violations = _open_page(browser, live_server, request, {"width": 1280, "height": 900})
    yield page
    _close_page(context, page, request, violations)


@pytest.fixture
def phone_page(browser, live_server, request):
    context, page, violations = _open_page(browser, live_server, request, {"width": 390, "height": 844})
    yield page
    _close_page(context, page, request, violations)


@pytest.fixture
def login_as(live_server):
    """Log ``user`` into ``page``'s browser context without going through the form."""

    def login(page, user):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
        return page

    return login
