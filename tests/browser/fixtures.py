"""Browser test harness: the site on a live server, driven by Debian's Chromium through Playwright.

``page`` is a desktop-sized tab, ``phone_page`` a phone-sized one; ``login_as(page, user)``
logs a user in by session cookie. A failing test saves a screenshot under
test-artifacts/screenshots/ (the run prints the folder). Any Content-Security-Policy
violation on a page fails the test.

Every page a test visits in these tabs is checked (tests/browser/audit.py): axe-core must
find no serious or critical violation, in the light and in the dark colour scheme, and the
Nu HTML checker no error in the HTML the server sent. Each test checks the width it uses;
tests/browser/test_design_screens.py shows every main page at both widths.
The run prints the totals; test-artifacts/a11y/ keeps them per test.
"""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.browser import audit

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
SCREENSHOTS = ARTIFACTS / "screenshots"
AUDITS = ARTIFACTS / "a11y"
JOURNEYS = SCREENSHOTS / "journeys"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
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
    if not hasattr(config, "workerinput"):
        for folder, pattern in ((SCREENSHOTS, "*.png"), (JOURNEYS, "*.png"), (AUDITS, "*.jsonl")):
            for old in folder.glob(pattern) if folder.exists() else ():
                old.unlink()


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.exists() and any(SCREENSHOTS.glob("*.png")):
        terminalreporter.write_line(f"Screenshots of failed browser tests: {SCREENSHOTS}")
    if AUDITS.exists() and any(AUDITS.glob("*.jsonl")):
        t = audit.totals(AUDITS)
        axe = ", ".join(f"{n} {impact}" for impact, n in sorted(t["axe_violations"].items())) or "none"
        terminalreporter.write_line(
            f"Page checks: axe on {t['axe_pages']} page views, violations {axe}; Nu on {t['nu_pages']} documents, "
            f"{t['nu_errors']} errors. Details: {AUDITS}"
        )


def journey_shot(page, name):
    """Save a full-page screenshot of a journey step as test-artifacts/screenshots/journeys/<name>.png."""
    JOURNEYS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(JOURNEYS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# axe results of the documents this test process has already shown again, by (viewport, HTML).
_AXE_SEEN = {}


@pytest.fixture(scope="session")
def nu_checker():
    checker = audit.NuChecker()
    checker.start()  # it takes a few seconds: start now, wait at the first check
    yield checker
    checker.stop()


def _open_page(browser, live_server, request, viewport, timezone_id="UTC"):
    context = browser.new_context(base_url=live_server.url, viewport=VIEWPORTS[viewport], timezone_id=timezone_id)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.audit = audit.PageAudit(viewport=viewport)
    page.audit.attach(page)
    csp_violations = []
    page.on(
        "console",
        lambda msg: (
            csp_violations.append(msg.text) if msg.type == "error" and "Content Security Policy" in msg.text else None
        ),
    )
    return context, page, csp_violations


def _close_page(context, page, request, csp_violations, nu_checker):
    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    if failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    problems = [] if page.is_closed() else page.audit.finish(page, nu_checker, _AXE_SEEN)
    audit.write_summary(AUDITS, page.audit.summary(request.node.nodeid))
    context.close()
    assert not csp_violations, f"Content-Security-Policy violations: {csp_violations}"
    if not failed:
        assert not problems, "Accessibility or HTML problems on the pages visited:\n" + "\n".join(problems)


@pytest.fixture
def open_page(browser, live_server, request, nu_checker):
    """``open_page("desktop" | "phone", timezone_id="UTC")``: another tab in a browser of its own, checked too."""
    opened = []

    def open_(viewport="desktop", timezone_id="UTC"):
        context, page, violations = _open_page(browser, live_server, request, viewport, timezone_id)
        opened.append((context, page, violations))
        return page

    yield open_
    for context, page, violations in opened:
        _close_page(context, page, request, violations, nu_checker)


@pytest.fixture
def page(open_page):
    return open_page("desktop")


@pytest.fixture
def phone_page(open_page):
    return open_page("phone")


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
