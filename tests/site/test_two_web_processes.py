"""Web processes are stateless: a session started on one works on another."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def two_web_processes():
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DATABASE_URL=database_url(), REDIS_URL=settings.REDIS_URL, DEBUG="false")
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "cop_site.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    deadline = time.monotonic() + 30
    for port in ports:
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
    yield [f"http://127.0.0.1:{port}" for port in ports]
    for process in processes:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.django_db(transaction=True)
def test_a_session_started_on_one_web_process_works_on_another(two_web_processes):
    first, second = two_web_processes
    user = UserFactory(display_name="Roaming Teacher")
    jar = http.cookiejar.CookieJar()  # cookies are per host, not per port
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    login_page = opener.open(f"{first}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    form = urllib.parse.urlencode({"login": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(f"{first}/accounts/login/", data=form.encode(), headers={"Referer": first})
    opener.open(request)

    page = opener.open(f"{second}/settings/")
    assert page.url == f"{second}/settings/", "the second process did not recognise the session"
    assert "Roaming Teacher" in page.read().decode()


@pytest.mark.django_db(transaction=True)
def test_a_reply_posted_on_one_process_shows_on_the_others_cached_page(two_web_processes):
    from django.urls import reverse

    from tests.discussions.factories import ThreadFactory
    from tests.factories import MembershipFactory

    first, second = two_web_processes
    thread = ThreadFactory(title="Shared cache across machines")
    MembershipFactory(community=thread.community, user=(user := UserFactory()))
    url = thread.get_absolute_url()
    visitor = urllib.request.build_opener()
    assert "Shared cache across machines" in visitor.open(f"{second}{url}").read().decode()
    cached = visitor.open(f"{second}{url}")
    assert cached.headers["X-Page-Cache"] == "hit"

    jar = http.cookiejar.CookieJar()
    member = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login_page = member.open(f"{first}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    form = urllib.parse.urlencode({"login": user.email, "password": PASSWORD, "csrfmiddlewaretoken": token})
    member.open(urllib.request.Request(f"{first}/accounts/login/", data=form.encode(), headers={"Referer": first}))
    page = member.open(f"{first}{url}").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"body": "Posted on the first machine.", "csrfmiddlewaretoken": token})
    reply_url = reverse("discussions:reply", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})
    member.open(urllib.request.Request(f"{first}{reply_url}", data=form.encode(), headers={"Referer": first}))

    seen = visitor.open(f"{second}{url}")
    assert seen.headers["X-Page-Cache"] == "miss"
    assert "Posted on the first machine." in seen.read().decode()
