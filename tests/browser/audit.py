"""Accessibility and markup checks of every page a browser test visits.

axe-core (npm ``axe-core``) runs in the page itself, just before the page is left and once
more when the test ends, so it sees what the person saw (after htmx swaps too). The HTML
the server sent for each page goes through the Nu HTML checker (npm ``vnu-jar``), run with
the machine's Java as one long-lived HTTP service per test process.

axe checks every document in both colour schemes (light, and dark as the system setting
asks for it: prefers-color-scheme), with transitions off so it measures the final colours.

A page fails on any axe violation of serious or critical impact and on any Nu error.
``NU_TOLERATED`` lists the only errors let through, each with the reason it is there.
"""

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules/axe-core/axe.min.js"
VNU_JAR = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
FAILING_IMPACTS = {"serious", "critical"}
SCHEMES = ("light", "dark")
# htmx attributes are written data-hx-* (tests/site/test_markup.py) except the CSRF header on
# <body>, which another change moves into site.js: that one error is tolerated until it lands.
NU_TOLERATED: list = []  # none: every Nu error fails the test
# The CSRF token differs on every render; without it identical pages are checked once.
_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
# Run axe in the page (an evaluation from the test is not subject to the page's CSP).
# The first scheme gets every rule; a later scheme changes only colours, so it gets the rules
# that read colours (contrast of text, and links told apart from text by colour alone).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
_AXE_RUN = """async (rules) => {
  const options = {resultTypes: ["violations"]};
  if (rules) options.runOnly = {type: "rule", values: rules};
  const result = await axe.run(document, options);
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => ({target: n.target.join(" "), summary: n.failureSummary})),
    count: v.nodes.length,
  }));
}"""


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NuChecker:
    """The Nu HTML checker as an HTTP service on loopback, started on first use and kept for the session."""

    def __init__(self):
        self.port = None
        self.process = None
        self.results = {}  # digest of the page's HTML -> list of messages
        self._lock = threading.Lock()

    def start(self):
        if self.process is not None:
            return
        java = shutil.which("java")
        if java is None or not VNU_JAR.exists():
            raise RuntimeError("The Nu HTML checker needs `java` and node_modules/vnu-jar: run `make install-test`.")
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                java,
                "-Xss8m",  # its schema compiler recurses deeply
                "-Xmx512m",
                "-Dnu.validator.servlet.bind-address=127.0.0.1",
                "-cp",
                str(VNU_JAR),
                "nu.validator.servlet.Main",
                str(self.port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def _wait(self):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"The Nu HTML checker stopped (exit {self.process.returncode}).")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=5):
                    return
            except OSError:
                time.sleep(0.25)
        raise RuntimeError("The Nu HTML checker did not start within 120 s.")

    def check(self, html):
        """Nu's errors for ``html`` (a whole document), as a list of message dicts."""
        digest = hashlib.sha256(_CSRF.sub(r"\1", html).encode()).hexdigest()
        with self._lock:
            if digest in self.results:
                return self.results[digest]
            self.start()
            self._wait()
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.port}/?out=json",
                data=html.encode(),
                headers={"Content-Type": "text/html; charset=utf-8"},
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                messages = json.load(response)["messages"]
            errors = [m for m in messages if m.get("type") in {"error", "non-document-error"}]
            self.results[digest] = errors
            return errors

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _first_reason(summary):
    lines = [line.strip() for line in (summary or "").splitlines() if line.strip()]
    return lines[1] if len(lines) > 1 else (lines[0] if lines else "")


def _tolerated(message):
    return any(pattern.search(message["message"]) for pattern in NU_TOLERATED)


@dataclass
class Document:
    url: str
    status: int
    headers: dict
    body: str

    @property
    def digest(self):
        return hashlib.sha256(_CSRF.sub(r"\1", self.body).encode()).hexdigest()


@dataclass
class PageAudit:
    """What one browser tab's pages showed axe and Nu during a test."""

    viewport: str
    documents: list = field(default_factory=list)  # Documents the server sent
    axe_runs: list = field(default_factory=list)  # (url, violations)
    problems: list = field(default_factory=list)
    nu_errors: list = field(default_factory=list)  # (url, message)
    nu_tolerated: list = field(default_factory=list)

    def attach(self, page):
        """Keep every document the server sends this tab (its main frame), to check at the end."""

        def on_response(response):
            request = response.request
            if not (request.is_navigation_request() and response.frame == page.main_frame):
                return
            if 300 <= response.status < 400 or "text/html" not in response.headers.get("content-type", ""):
                return
            try:
                body = response.text()
            except Exception:  # noqa: BLE001 - a body the browser already dropped (rare): not checkable
                return
            self.documents.append(Document(response.url, response.status, response.headers, body))

        page.on("response", on_response)

    def _axe(self, page, rules=None):
        if not page.evaluate("() => !!window.axe"):
            page.evaluate(AXE_JS.read_text())
        return page.evaluate(_AXE_RUN, rules)

    def _axe_each_scheme(self, page):
        """{scheme: violations} for the page on screen, shown in each colour scheme in turn.

        The first scheme runs every rule; the others only the rules that read colours, because
        a scheme changes nothing else (design.css swaps custom properties, never layout)."""
        found = {}
        for i, scheme in enumerate(SCHEMES):
            page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
            found[scheme] = self._axe(page, None if i == 0 else COLOUR_RULES)
        page.emulate_media(color_scheme="light", reduced_motion="no-preference")
        return found

    def finish(self, page, nu, seen):
        """Check the page on screen now, then each page the server sent, as first shown; return the problems.

        Chromium cannot run a script in a page whose navigation is pending, so axe does not
        run as a page is left: each document is shown again, from the HTML kept, in a fresh
        tab of the same browser (same size, same cookies), and axe runs there. ``seen`` (per
        test process) skips documents already checked by an earlier test.
        """
        if page.url.startswith("http"):
            for scheme, violations in self._axe_each_scheme(page).items():
                self.axe_runs.append((f"{page.url} (at the end of the test, {scheme})", violations))
        replay = page.context.new_page()
        showing = {}

        def serve_kept(route):
            doc = showing.get("doc")
            if doc is not None and route.request.is_navigation_request() and route.request.url == doc.url:
                headers = {k: v for k, v in doc.headers.items() if k not in {"content-length", "content-encoding"}}
                route.fulfill(status=doc.status, headers=headers, body=doc.body)
            else:
                route.fallback()

        replay.route("**/*", serve_kept)
        for doc in self.documents:
            key = (self.viewport, doc.digest)
            if key not in seen:
                showing["doc"] = doc
                replay.goto(doc.url)
                seen[key] = self._axe_each_scheme(replay)
            for scheme, violations in seen[key].items():
                self.axe_runs.append((f"{doc.url} ({scheme})", violations))
        replay.close()
        for url, violations in self.axe_runs:
            for v in violations or ():
                if v["impact"] in FAILING_IMPACTS:
                    where = "; ".join(f"{n['target']}: {_first_reason(n['summary'])}" for n in v["nodes"][:3])
                    self.problems.append(f"axe {v['impact']} {v['id']} on {url} ({v['count']}x): {v['help']}. {where}")
        for doc in self.documents:
            for m in nu.check(doc.body):
                (self.nu_tolerated if _tolerated(m) else self.nu_errors).append((doc.url, m))
        for url, m in self.nu_errors:
            self.problems.append(f"Nu on {url} line {m.get('lastLine')}: {m['message']} [{m.get('extract', '')!r}]")
        return self.problems

    def summary(self, test):
        counts = {}
        for _url, violations in self.axe_runs:
            for v in violations or ():
                counts[v["impact"]] = counts.get(v["impact"], 0) + 1
        return {
            "test": test,
            "viewport": self.viewport,
            "axe_pages": len(self.axe_runs),
            "axe_violations": counts,
            "axe_rules": sorted({f"{v['impact']} {v['id']}" for _u, vs in self.axe_runs for v in vs or ()}),
            "nu_pages": len(self.documents),
            "nu_errors": len(self.nu_errors),
            "nu_tolerated": len(self.nu_tolerated),
            "nu_messages": sorted({re.sub(r"“[^”]*”", "“…”", m["message"]) for _u, m in self.nu_errors}),
        }


def write_summary(directory, summary):
    directory.mkdir(parents=True, exist_ok=True)
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with (directory / f"{worker}.jsonl").open("a") as out:
        out.write(json.dumps(summary) + "\n")


def totals(directory):
    """Add up the per-test summaries of every test process."""
    total = {"tests": 0, "axe_pages": 0, "axe_violations": {}, "nu_pages": 0, "nu_errors": 0, "nu_tolerated": 0}
    rules, messages = set(), set()
    for path in sorted(directory.glob("*.jsonl")):
        for line in path.read_text().splitlines():
            row = json.loads(line)
            total["tests"] += 1
            for key in ("axe_pages", "nu_pages", "nu_errors", "nu_tolerated"):
                total[key] += row[key]
            for impact, n in row["axe_violations"].items():
                total["axe_violations"][impact] = total["axe_violations"].get(impact, 0) + n
            rules.update(row["axe_rules"])
            messages.update(row["nu_messages"])
    total["axe_rules"] = sorted(rules)
    total["nu_messages"] = sorted(messages)
    return total
