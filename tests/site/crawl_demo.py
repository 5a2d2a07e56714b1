"""Visit every page of the demo on SQLite as each demo role; report any answer of 500 or more.

    DATABASE_URL=sqlite:////tmp/demo.sqlite3 python -m tests.site.crawl_demo

Run by tests/site/test_sqlite_demo.py in a process of its own (the suite's settings point
at PostgreSQL): migrates the database named by DATABASE_URL, runs ``seed_demo``, then,
as a visitor and as the teacher, moderator, leader and staff of ``accounts.demo``, follows
every same-site link from the home page, the directory, search and the personal pages,
breadth first. Pages of one URL pattern with the same query parameters are visited at
most ``PER_PATTERN`` times per role (a thread page is a thread page). Prints one line
per role and every failure; exits 1 if a page failed.
"""

import logging
import os
import re
import sys
import time
from collections import Counter, deque
from html import unescape
from io import StringIO
from urllib.parse import parse_qsl, urlencode, urlsplit

PER_PATTERN = 2
MAX_PAGES_PER_ROLE = 400
ROLES = {
    "visitor": None,
    "teacher": "teacher@example.com",
    "moderator": "moderator@example.com",
    "leader": "leader@example.com",
    "staff": "staff@example.com",
}
START = [
    "/",
    "/c/",
    "/search/?q=rubrics",
    "/search/?q=scratch+offline+tablets",
    '/search/?q="old+tablets"&type=resources',
    "/search/?q=meeting&type=activities",
    "/search/?q=poll&type=polls",
    "/calendar/",
    "/settings/",
    "/admin/",
    "/accounts/login/",
    "/accounts/signup/",
    "/no-such-page/",
]
# Pages reached through GET forms (filters), not links, for every community of the demo.
START_PER_COMMUNITY = [
    "/c/{slug}/t/?sort=helpful",
    "/c/{slug}/t/?sort=unanswered&kind=question",
    "/c/{slug}/t/similar/?title=rubric+for+pair+programming",
    "/c/{slug}/resources/?q=rubrics&sort=newest",
    "/c/{slug}/resources/?kind=link&status=submitted",
    "/c/{slug}/polls/?status=closed",
    "/c/{slug}/polls/?status=scheduled",
    "/c/{slug}/calendar/?month=2026-13",
    "/c/{slug}/members/?role=moderator",
    "/search/?q=loops&community={slug}&kind=question",
]
SKIP = re.compile(r"^/(static|media)/|^/accounts/logout/|/(add|delete|history|password)/$|^/admin/logout/")
HREF = re.compile(r"""href=["']([^"'#]+)""")


def pattern_of(path, query):
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
        route = match.route
    except Resolver404:
        route = "<404>"
    keys = ",".join(sorted({k for k, _v in parse_qsl(query, keep_blank_values=True)} - {"page"}))
    return f"{route}?{keys}"


def links(html):
    for href in HREF.findall(html):
        href = unescape(href).strip()
        if not href.startswith("/") or href.startswith("//"):
            continue
        parts = urlsplit(href)
        if SKIP.search(parts.path):
            continue
        query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
        yield parts.path + (f"?{query}" if query else "")


def crawl(client, role, start):
    seen, per_pattern, failures = set(), Counter(), []
    queue = deque(start)
    visited = 0
    while queue and visited < MAX_PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        path, _sep, query = url.partition("?")
        pattern = pattern_of(path, query)
        if per_pattern[pattern] >= PER_PATTERN:
            continue
        per_pattern[pattern] += 1
        visited += 1
        response = client.get(url)
        if response.status_code >= 500:
            failures.append(f"{role}: {response.status_code} {url}")
            continue
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            queue.extend(link for link in links(response.content.decode()) if link not in seen)
    return visited, failures


# Search on SQLite is FTS5 with the Porter stemmer: what the demo must find (any word, stems, phrases).
SEARCHES = {
    "scratch offline tablets": "Which block-coding app works offline on old tablets?",
    "rubrics": "Rubric for pair programming?",
    '"old tablets"': "Which block-coding app works offline on old tablets?",
}


def check_search(client):
    failures = []
    for query, title in SEARCHES.items():
        content = client.get("/search/", {"q": query}).content.decode()
        if title not in content:
            failures.append(f"search: {query!r} did not find {title!r}")
    return failures


def check_fts_survives_a_table_rebuild(client):
    """Altering a column rebuilds a SQLite table and drops its triggers; the next migrate restores them."""
    from django.db import connection

    from communities.models import Community
    from core.search import ensure_sqlite_fts
    from discussions.models import Thread

    with connection.schema_editor() as editor:
        editor._remake_table(Thread)  # what AlterField does on SQLite
    ensure_sqlite_fts()  # what the post_migrate signal runs
    community = Community.objects.filter(visibility="public").first()
    Thread.objects.create(community=community, title="Gradebook exports after the rebuild", body="New.")
    failures = []
    for query, title in {"gradebooks": "Gradebook exports after the rebuild", **SEARCHES}.items():
        if title not in client.get("/search/", {"q": query}).content.decode():
            failures.append(f"search after a table rebuild: {query!r} did not find {title!r}")
    return failures


def check_the_monthly_digest():
    """The monthly digest goes out on SQLite too (Celery runs it in-process there): every member who
    has something to read gets one, and no delivery fails."""
    from django.conf import settings
    from django.core import mail

    from digests.models import DigestDelivery
    from digests.tasks import start_monthly_digest

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    start_monthly_digest()
    statuses = Counter(DigestDelivery.objects.values_list("status", flat=True))
    print(f"digest     {len(mail.outbox)} emails, {dict(sorted(statuses.items()))}", flush=True)
    problems = []
    if not mail.outbox or statuses.get("sent", 0) != len(mail.outbox):
        problems.append(f"digest on SQLite: {len(mail.outbox)} emails for deliveries {dict(statuses)}")
    if set(statuses) - {"sent", "skipped"}:
        problems.append(f"digest on SQLite: deliveries not sent or skipped: {dict(statuses)}")
    return problems


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # 404s and 403s are expected here
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User
    from communities.models import Community

    assert settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), "the demo crawl runs on SQLite"
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=StringIO())
    print(f"migrated and seeded in {time.monotonic() - started:.1f} s", flush=True)
    start = START + [url.format(slug=slug) for slug in Community.objects.values_list("slug", flat=True)
                     for url in START_PER_COMMUNITY]  # fmt: skip
    failures = []
    for role, email in ROLES.items():
        began = time.monotonic()
        client = Client(raise_request_exception=False)
        if email:
            client.force_login(User.objects.get(email=email))
        visited, failed = crawl(client, role, start)
        failures.extend(failed)
        if email is None:
            failures.extend(check_search(client))
        print(f"{role:10} {visited:4} pages, {len(failed)} failed, {time.monotonic() - began:.1f} s", flush=True)
    failures.extend(check_fts_survives_a_table_rebuild(Client()))
    failures.extend(check_the_monthly_digest())
    for line in failures:
        print(line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
