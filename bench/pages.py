"""The pages the load benchmark measures, and what it reports about their queries.

Imported by bench/run.py after Django is set up against the benchmark database.
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from communities.models import Community
from polls.models import Poll

BENCH_MEMBER_EMAIL = "bench-member@example.com"


def member():
    return User.objects.get(email=BENCH_MEMBER_EMAIL)


def member_session_cookie():
    """A real session for the bench member (member of 5 communities), as a Cookie header value."""
    from importlib import import_module

    engine = import_module(settings.SESSION_ENGINE)
    user = member()
    session = engine.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def bench_pages():
    community = Community.objects.order_by("slug").first()
    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM bench_meta WHERE key = 'big_poll'")
        big_poll = Poll.objects.select_related("community").get(pk=int(cursor.fetchone()[0]))
    month = timezone.now().strftime("%Y-%m")
    slug = community.slug
    base = [
        ("community home", f"/c/{slug}/"),
        ("discussion list", f"/c/{slug}/t/"),
        ("thread, 20 posts", f"/c/{slug}/t/1/"),
        ("thread, 200 nested replies", f"/c/{slug}/t/2/"),
        ("resource library, filtered", f"/c/{slug}/resources/?kind=article&grade_band=3-5&sort=useful"),
        ("month calendar", f"/c/{slug}/calendar/?month={month}"),
        ("poll results, 5,000 ballots", f"/c/{big_poll.community.slug}/polls/{big_poll.pk}/"),
        ("search", "/search/?q=rubric+feedback"),
    ]
    pages = []
    for name, path in base:
        pages.append({"name": name, "path": path, "auth": False})
        pages.append({"name": name, "path": path, "auth": True})
    pages.append({"name": "site home, member of 5", "path": "/", "auth": True})
    return pages


def _client(logged_in):
    client = Client()
    if logged_in:
        client.force_login(member())
    return client


def queries_for(path, logged_in):
    """SQL queries for one request: (computing the page, serving it from the page cache)."""
    from django.test import override_settings

    client = _client(logged_in)
    counts = []
    for seconds in (0, settings.PAGE_CACHE_SECONDS):
        with override_settings(PAGE_CACHE_SECONDS=seconds):
            client.get(path)  # warm caches (and the page cache) as the load run does
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path} answered {response.status_code}; the benchmark needs 200")
        counts.append(len(captured.captured_queries))
    return tuple(counts)


def explain_list_queries():
    """EXPLAIN ANALYZE of the slowest query behind each list page, to show the indexes in use."""
    lines = []
    community = Community.objects.order_by("slug").first()
    lists = [
        ("discussion list", f"/c/{community.slug}/t/"),
        ("resource library, filtered", f"/c/{community.slug}/resources/?kind=article&grade_band=3-5&sort=useful"),
        ("search", "/search/?q=rubric+feedback"),
        ("month calendar", f"/c/{community.slug}/calendar/?month={timezone.now():%Y-%m}"),
    ]
    from django.test import override_settings

    for name, path in lists:
        client = _client(True)
        with override_settings(PAGE_CACHE_SECONDS=0), CaptureQueriesContext(connection) as captured:
            client.get(path)
        selects = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        slowest = max(selects, key=lambda q: float(q["time"]))
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + slowest["sql"])
            plan = [row[0] for row in cursor.fetchall()]
        lines.append(f"{name} ({path}), slowest query {float(slowest['time']) * 1000:.1f} ms:")
        lines += ["    " + line for line in plan[:25]]
        lines.append("")
    return lines
